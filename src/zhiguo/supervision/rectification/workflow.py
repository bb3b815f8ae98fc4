"""The rectification loop (整改闭环) as data: states, actions, who may act, what each needs.

::

    action    from                   to          side        needs
    dispatch  raised                 dispatched  regulator   instruction, assignee, due date
    respond   dispatched, responded  responded   enterprise  explanation (+ plan / evidence)
    close     responded              closed      regulator   verification note
    reopen    responded              dispatched  regulator   reason, new due date
    dismiss   raised, dispatched     dismissed   regulator   reason

Verification (核查) is the regulator's choice on a ``responded`` alert: ``close`` (销号, with
a verification note) or ``reopen`` (退回重办, with a reason and a new due date; back to
``dispatched``). ``closed`` and ``dismissed`` are final. ``raise`` / ``escalate`` /
``refresh`` events are written by the alert rules, not here; they are listed so history can
label them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zhiguo.core.access import Role

__all__ = [
    "ACTION_LABELS",
    "ENTERPRISE_ROLES",
    "FINAL_STATES",
    "REGULATOR_ROLES",
    "STATES",
    "STATE_LABELS",
    "TRANSITIONS",
    "Side",
    "Transition",
    "actions_from",
    "side_of",
]

STATES: tuple[str, ...] = ("raised", "dispatched", "responded", "closed", "dismissed")
FINAL_STATES: frozenset[str] = frozenset({"closed", "dismissed"})

# state → (zh, en), as the warning inbox shows them
STATE_LABELS: dict[str, tuple[str, str]] = {
    "raised": ("待下发", "Raised"),
    "dispatched": ("整改中", "Dispatched"),
    "responded": ("待核查", "Responded"),
    "closed": ("已销号", "Closed"),
    "dismissed": ("已撤销（误报）", "Dismissed"),
}


class Side(StrEnum):
    """Which side of the loop performs an action."""

    REGULATOR = "regulator"  # 国资委
    ENTERPRISE = "enterprise"  # 企业


REGULATOR_ROLES: frozenset[Role] = frozenset(
    {Role.PLATFORM_ADMIN, Role.REGULATOR_LEADER, Role.REGULATOR_ANALYST}
)
ENTERPRISE_ROLES: frozenset[Role] = frozenset({Role.ENTERPRISE_LEADER, Role.ENTERPRISE_OFFICER})


@dataclass(frozen=True)
class Transition:
    """One action of the loop: the states it starts from, where it leads, who performs it,
    and which free-text field it cannot do without (``""`` = none)."""

    action: str
    sources: frozenset[str]
    target: str
    side: Side
    requires: str
    label_zh: str
    label_en: str


def _t(
    action: str, sources: set[str], target: str, side: Side, requires: str, zh: str, en: str
) -> Transition:
    return Transition(action, frozenset(sources), target, side, requires, zh, en)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("dispatch", {"raised"}, "dispatched", Side.REGULATOR, "instruction", "下发", "Dispatch"),
        _t(
            "respond",
            {"dispatched", "responded"},
            "responded",
            Side.ENTERPRISE,
            "explanation",
            "整改反馈",
            "Respond",
        ),
        _t(
            "close", {"responded"}, "closed", Side.REGULATOR, "note", "核查销号", "Verify and close"
        ),
        _t("reopen", {"responded"}, "dispatched", Side.REGULATOR, "reason", "退回重办", "Reopen"),
        _t(
            "dismiss",
            {"raised", "dispatched"},
            "dismissed",
            Side.REGULATOR,
            "reason",
            "撤销（误报）",
            "Dismiss as false alarm",
        ),
    )
}

# every action that can appear in an alert's history, including those the rules write
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "raise": ("预警产生", "Raised"),
    "escalate": ("预警升级", "Escalated"),
    "refresh": ("预警更新", "Refreshed"),
    **{a: (t.label_zh, t.label_en) for a, t in TRANSITIONS.items()},
}


def side_of(role: Role) -> Side | None:
    """The side a role acts for in the loop, or ``None`` (operations staff, public)."""
    if role in REGULATOR_ROLES:
        return Side.REGULATOR
    if role in ENTERPRISE_ROLES:
        return Side.ENTERPRISE
    return None


def actions_from(status: str, side: Side | None = None) -> list[str]:
    """Actions allowed from ``status`` (for ``side`` only, when given), in loop order."""
    return [
        a
        for a, t in TRANSITIONS.items()
        if status in t.sources and (side is None or t.side is side)
    ]
