"""Who is asking (:class:`Principal`) and what they may see (:class:`Scope`).

They live in ``core`` so that every layer can take a caller's scope as an argument without
importing ``security``; ``security`` is what builds them (once per request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = ["Principal", "Role", "Scope"]


class Role(StrEnum):
    """Roles a user can hold. The security issue adds the 三员 administrators and more."""

    PLATFORM_ADMIN = "platform-admin"
    REGULATOR_LEADER = "regulator-leader"
    REGULATOR_ANALYST = "regulator-analyst"
    ENTERPRISE_LEADER = "enterprise-leader"
    ENTERPRISE_OFFICER = "enterprise-officer"
    OPERATIONS_STAFF = "operations-staff"
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


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    username: str
    role: Role
    enterprise_id: int | None = None
    display_name: str = ""
    must_change_password: bool = False


@dataclass(frozen=True)
class Scope:
    """The enterprises a caller may see, as of a date.

    ``enterprise_ids is None`` means the whole portfolio (regulator roles). An empty set means
    nothing — the default for anyone whose scope could not be resolved (default deny).
    """

    enterprise_ids: frozenset[int] | None = field(default_factory=frozenset)
    as_of: date | None = None

    @classmethod
    def everything(cls, as_of: date | None = None) -> Scope:
        return cls(enterprise_ids=None, as_of=as_of)

    @classmethod
    def nothing(cls) -> Scope:
        return cls(enterprise_ids=frozenset())

    @classmethod
    def of(cls, ids: Iterable[int], as_of: date | None = None) -> Scope:
        return cls(enterprise_ids=frozenset(ids), as_of=as_of)

    @property
    def is_unrestricted(self) -> bool:
        return self.enterprise_ids is None

    def allows(self, enterprise_id: int) -> bool:
        return self.enterprise_ids is None or enterprise_id in self.enterprise_ids
