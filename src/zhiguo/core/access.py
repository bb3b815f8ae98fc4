"""Who is asking (:class:`Principal`) and what they may see (:class:`Scope`).

They live in ``core`` so that every layer can take a caller's scope as an argument without
importing ``security``; ``security`` is what builds them (once per request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "CARRIERS",
    "CARRIER_LABELS",
    "NETWORK_CARRIERS",
    "Classification",
    "Principal",
    "Role",
    "Scope",
]

CARRIER_LABELS: dict[str, tuple[str, str]] = {
    "telecom": ("中国电信", "China Telecom"),
    "mobile": ("中国移动", "China Mobile"),
    "unicom": ("中国联通", "China Unicom"),
    "cbn": ("中国广电", "China Broadnet"),
    "tower": ("中国铁塔", "China Tower"),
}
"""The carriers a ``carrier`` user belongs to (users.carrier) and leases are made with:
the four network operators and China Tower, which leases on their behalf."""
CARRIERS = tuple(CARRIER_LABELS)
NETWORK_CARRIERS = ("telecom", "mobile", "unicom", "cbn")
"""Those whose equipment sits on a site (``Site.carriers``)."""


class Role(StrEnum):
    """Roles a user can hold.

    三员分立 (GB/T 22239-2019 §8.1.4): ``system-admin`` keeps accounts and system
    configuration, ``security-admin`` alone edits access policy (roles, clearances, unmask
    grants), ``audit-admin`` alone reads and exports the audit log. None of the three sees
    business data. ``platform-admin`` is the whole-portfolio *operator* (registry upkeep,
    imports on anyone's behalf); it holds none of the three administrators' powers.
    """

    PLATFORM_ADMIN = "platform-admin"
    SYSTEM_ADMIN = "system-admin"
    SECURITY_ADMIN = "security-admin"
    AUDIT_ADMIN = "audit-admin"
    REGULATOR_LEADER = "regulator-leader"
    REGULATOR_ANALYST = "regulator-analyst"
    ENTERPRISE_LEADER = "enterprise-leader"
    ENTERPRISE_OFFICER = "enterprise-officer"
    OPERATIONS_STAFF = "operations-staff"
    # A carrier's (运营商 / 铁塔) staff: its own demand requests and leases only (users.carrier);
    # no enterprise, no portfolio.
    CARRIER = "carrier"
    PUBLIC = "public"

    @property
    def sees_whole_portfolio(self) -> bool:
        """Regulator-side roles see every enterprise; enterprise roles only their subtree."""
        return self in {Role.PLATFORM_ADMIN, Role.REGULATOR_LEADER, Role.REGULATOR_ANALYST}

    @property
    def needs_enterprise(self) -> bool:
        return self in {
            Role.ENTERPRISE_LEADER,
            Role.ENTERPRISE_OFFICER,
            Role.OPERATIONS_STAFF,
        }

    @property
    def is_administrator(self) -> bool:
        """The 三员 and the platform operator: granted only by a security admin."""
        return self in {
            Role.PLATFORM_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.SECURITY_ADMIN,
            Role.AUDIT_ADMIN,
        }


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    username: str
    role: Role
    enterprise_id: int | None = None
    display_name: str = ""
    must_change_password: bool = False
    # Clearance: the highest classification the caller may read (core | important | general).
    clearance: str = "general"
    # A role that needs a second factor, and none enrolled yet: only enrolment is open.
    must_enrol_totp: bool = False
    # ``None``: an interactive session (the role's rights). Otherwise the request came with an
    # API token and may use only these scopes (``read``, ``write``, ``read:supervision`` …).
    token_scopes: frozenset[str] | None = None


class Classification(StrEnum):
    """Data level (GB/T 43697-2024 数据分类分级; 数据安全法 第二十一条): 一般 < 重要 < 核心.

    One enum for both sides of an access decision: a dataset's or a field's label (the
    catalog) and a caller's clearance (:class:`Scope`) — reading needs clearance ≥ label.
    """

    general = "general"
    important = "important"
    core = "core"

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    @property
    def label_zh(self) -> str:
        return {"general": "一般数据", "important": "重要数据", "core": "核心数据"}[self.value]

    @classmethod
    def highest(cls, levels: Iterable[Classification]) -> Classification:
        """就高从严: the highest of ``levels`` (``general`` for none)."""
        return max(levels, key=lambda c: c.rank, default=cls.general)


_RANK = {"general": 0, "important": 1, "core": 2}


@dataclass(frozen=True)
class Scope:
    """What a caller may see: the enterprises (as of a date) and the data levels.

    ``enterprise_ids is None`` means the whole portfolio (regulator roles). An empty set means
    nothing — the default for anyone whose scope could not be resolved (default deny).
    ``clearance`` is the highest classification the caller may read; ``may_unmask`` lets
    personal-information fields through unmasked (a grant, audited when used);
    ``open_only`` (the public) limits lake reads to datasets declared open.
    """

    enterprise_ids: frozenset[int] | None = field(default_factory=frozenset)
    as_of: date | None = None
    clearance: Classification = Classification.general
    may_unmask: bool = False
    open_only: bool = False

    @classmethod
    def everything(
        cls,
        as_of: date | None = None,
        *,
        clearance: Classification = Classification.core,
        may_unmask: bool = False,
    ) -> Scope:
        """The whole portfolio; by default at every level (jobs and regulator leaders)."""
        return cls(enterprise_ids=None, as_of=as_of, clearance=clearance, may_unmask=may_unmask)

    @classmethod
    def nothing(cls) -> Scope:
        return cls(enterprise_ids=frozenset())

    @classmethod
    def of(
        cls,
        ids: Iterable[int],
        as_of: date | None = None,
        *,
        clearance: Classification = Classification.important,
        may_unmask: bool = False,
    ) -> Scope:
        """A subtree; by default cleared for 重要 data (an enterprise's own reports are)."""
        return cls(
            enterprise_ids=frozenset(ids), as_of=as_of, clearance=clearance, may_unmask=may_unmask
        )

    @classmethod
    def public(cls, as_of: date | None = None) -> Scope:
        """The public: no enterprise rows, open 一般 datasets only, never unmasked."""
        return cls(enterprise_ids=frozenset(), as_of=as_of, open_only=True)

    @property
    def is_unrestricted(self) -> bool:
        return self.enterprise_ids is None

    def allows(self, enterprise_id: int) -> bool:
        return self.enterprise_ids is None or enterprise_id in self.enterprise_ids

    def clears(self, level: Classification) -> bool:
        """Whether the caller's clearance reaches ``level`` (clearance ≥ label)."""
        return self.clearance.rank >= level.rank
