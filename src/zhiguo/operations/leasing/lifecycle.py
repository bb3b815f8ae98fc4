"""The lease lifecycle: its states, the allowed steps, and which side takes each.

::

    request ──survey──▶ survey ──approve──▶ approval ──contract──▶ contract ──▶ active ──▶ ended
       │                   │                    │                      │
       └──────────── rejected (owner side) / withdrawn (carrier side) ─┘

* The **carrier side** is a ``carrier``-role user of the lease's carrier (or the platform
  operator acting for it): it files requests, withdraws before the lease is active, and may
  end an active lease.
* The **owner side** is an enterprise officer or leader whose scope holds the site's owning
  enterprise, or a regulator-side role (leader, analyst, platform admin): it surveys,
  approves, contracts (rent and term required), activates, rejects and ends.

Anything else is an :class:`~.errors.IllegalTransition` (HTTP 409) that names both states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhiguo.core.access import CARRIER_LABELS, CARRIERS, Role, Scope

from .errors import IllegalTransition, LeaseInputError, NotYourStep, TermNotOver, TermRequired

__all__ = [
    "CARRIERS",
    "CARRIER_LABELS",
    "OPEN_STATES",
    "OWNER_ROLES",
    "STATES",
    "STATE_LABELS",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "LeaseCaller",
    "allowed_next",
    "check_transition",
    "sides_of",
]


STATES = ("request", "survey", "approval", "contract", "active", "ended", "rejected", "withdrawn")
STATE_LABELS: dict[str, tuple[str, str]] = {
    "request": ("已申请", "Requested"),
    "survey": ("勘察中", "Survey"),
    "approval": ("已审批", "Approved"),
    "contract": ("已签约", "Contracted"),
    "active": ("在租", "Active"),
    "ended": ("已终止", "Ended"),
    "rejected": ("已驳回", "Rejected"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
TERMINAL_STATES = frozenset({"ended", "rejected", "withdrawn"})
OPEN_STATES = ("request", "survey", "approval", "contract")  # before the lease is active

CARRIER_SIDE, OWNER_SIDE = "carrier", "owner"

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("request", "survey"): frozenset({OWNER_SIDE}),
    ("survey", "approval"): frozenset({OWNER_SIDE}),
    ("approval", "contract"): frozenset({OWNER_SIDE}),
    ("contract", "active"): frozenset({OWNER_SIDE}),
    ("active", "ended"): frozenset({OWNER_SIDE, CARRIER_SIDE}),
    **{(s, "rejected"): frozenset({OWNER_SIDE}) for s in OPEN_STATES},
    **{(s, "withdrawn"): frozenset({CARRIER_SIDE}) for s in OPEN_STATES},
}
"""(from, to) → the sides that may take the step."""

OWNER_ROLES = frozenset({Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_LEADER})
"""Enterprise roles that act for a site's owner (operations staff only read)."""


@dataclass(frozen=True)
class LeaseCaller:
    """Who acts, as leasing sees it (``web``/``cli`` build it from the principal): the
    role, the portfolio scope, and for a ``carrier``-role user its carrier."""

    username: str
    role: Role
    scope: Scope
    carrier: str | None = None

    @property
    def is_regulator(self) -> bool:
        return self.role.sees_whole_portfolio

    @property
    def is_carrier(self) -> bool:
        return self.role is Role.CARRIER and self.carrier is not None

    @property
    def is_enterprise(self) -> bool:
        return self.role.needs_enterprise and not self.scope.is_unrestricted

    def acts_for_carrier(self, carrier: str) -> bool:
        """The carrier side of ``carrier``'s objects (the platform operator may stand in)."""
        return (self.is_carrier and self.carrier == carrier) or self.role is Role.PLATFORM_ADMIN

    def acts_for_owner(self, enterprise_id: int) -> bool:
        """The owner side of a site of ``enterprise_id``."""
        if self.is_regulator:
            return True
        return self.role in OWNER_ROLES and self.is_enterprise and self.scope.allows(enterprise_id)

    def sees_lease(self, carrier: str, enterprise_id: int) -> bool:
        if self.is_regulator:
            return True
        if self.is_carrier:
            return self.carrier == carrier
        return self.is_enterprise and self.scope.allows(enterprise_id)


def sides_of(caller: LeaseCaller, *, carrier: str, enterprise_id: int) -> frozenset[str]:
    sides = set()
    if caller.acts_for_carrier(carrier):
        sides.add(CARRIER_SIDE)
    if caller.acts_for_owner(enterprise_id):
        sides.add(OWNER_SIDE)
    return frozenset(sides)


def allowed_next(state: str, sides: frozenset[str]) -> list[str]:
    """The states a caller on ``sides`` may move a lease in ``state`` to, in lifecycle order."""
    return [to for to in STATES if TRANSITIONS.get((state, to), frozenset()) & sides]


def _label(state: str | None) -> tuple[str, str]:
    return STATE_LABELS.get(state or "", (str(state), str(state)))


def check_transition(
    *,
    state: str,
    to: str,
    sides: frozenset[str],
    rent_cny_year: Decimal | None = None,
    start: date | None = None,
    end: date | None = None,
    term_end: date | None = None,
    ended_on: date | None = None,
    note: str = "",
) -> None:
    """Raise unless ``sides`` may take ``state`` → ``to`` with these values.

    ``rent_cny_year``/``start``/``end`` are the contract's terms (required for ``contract``);
    ``term_end`` is the lease's agreed last day and ``ended_on`` the day it ends (for
    ``ended``: before the term's end a note is required)."""
    allowed = TRANSITIONS.get((state, to))
    (fz, fe), (tz, te) = _label(state), _label(to)
    if allowed is None:
        nexts = ", ".join(t for (f, t) in TRANSITIONS if f == state) or "—"
        raise IllegalTransition(
            f"租赁不能从“{fz}”({state}) 转为“{tz}”({to})；可转为：{nexts}",
            f"A lease cannot go from {fe} ({state}) to {te} ({to}); allowed: {nexts}",
            details={"from": state, "to": to},
        )
    if not allowed & sides:
        who_zh = "产权企业或国资委" if OWNER_SIDE in allowed else "承租运营商"
        who_en = (
            "the owning enterprise or the regulator" if OWNER_SIDE in allowed else "the carrier"
        )
        raise NotYourStep(
            f"“{fz}”→“{tz}”只能由{who_zh}执行",
            f"{fe} ({state}) → {te} ({to}) is taken by {who_en} only",
            details={"from": state, "to": to},
        )
    if to == "contract":
        if rent_cny_year is None or rent_cny_year <= 0 or start is None or end is None:
            raise TermRequired(
                "签约须填写年租金（> 0）、起始日与到期日",
                "A contract needs an annual rent (> 0), a start date and an end date",
                details={"from": state, "to": to},
            )
        if end < start:
            raise TermRequired(
                f"到期日 {end} 早于起始日 {start}", f"End date {end} is before start date {start}"
            )
    if to == "ended":
        if ended_on is None or term_end is None:
            raise LeaseInputError("终止日期缺失", "The end date is missing")
        if ended_on > term_end:
            raise LeaseInputError(
                f"终止日 {ended_on} 晚于租期到期日 {term_end}",
                f"End date {ended_on} is after the term's end {term_end}",
            )
        if ended_on < term_end and not note.strip():
            raise TermNotOver(
                f"租期至 {term_end}，提前于 {ended_on} 终止须说明理由",
                f"The term runs to {term_end}: ending early on {ended_on} needs a note",
                details={"from": state, "to": to},
            )
