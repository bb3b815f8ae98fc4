"""Leasing errors, each with a stable code and a message in zh and en::

InputError                       ZG-INPUT-001 (core)
└── LeaseInputError              ZG-LEASE-001 a request or lease field is invalid
    ├── UnknownCarrier           ZG-LEASE-002 not telecom / mobile / unicom / cbn / tower
    ├── BadArea                  ZG-LEASE-003 neither a point + radius nor a polygon
    └── TermRequired             ZG-LEASE-004 a contract needs a rent and a term
Conflict                         ZG-CONFLICT-001 (core)
└── IllegalTransition            ZG-LEASE-010 the lease's state does not allow that step
    ├── NotYourStep              ZG-LEASE-011 the caller's side does not take this step
    ├── TermNotOver              ZG-LEASE-012 ending before the term's end needs a note
    ├── RequestClosed            ZG-LEASE-013 the request is withdrawn or closed
    └── SiteNotLeasable          ZG-LEASE-014 the site is unavailable or already leased
NotFound                         ZG-NF-001 (core)
└── LeaseNotFound                ZG-LEASE-020 no such request or lease in the caller's view
"""

from __future__ import annotations

from zhiguo.core.errors import Conflict, InputError, Location, NotFound

__all__ = [
    "BadArea",
    "IllegalTransition",
    "LeaseInputError",
    "LeaseNotFound",
    "NotYourStep",
    "RequestClosed",
    "SiteNotLeasable",
    "TermNotOver",
    "TermRequired",
    "UnknownCarrier",
]


class LeaseInputError(InputError):
    code = "ZG-LEASE-001"
    title_zh = "租赁输入无效"
    title_en = "Invalid leasing input"


class UnknownCarrier(LeaseInputError):
    code = "ZG-LEASE-002"
    title_zh = "未知运营商"
    title_en = "Unknown carrier"

    def __init__(self, carrier: str, known: tuple[str, ...]) -> None:
        super().__init__(
            f"未知运营商 {carrier!r}（应为 {', '.join(known)} 之一）",
            f"Unknown carrier {carrier!r} (one of {', '.join(known)})",
            location=Location(field="carrier"),
        )


class BadArea(LeaseInputError):
    code = "ZG-LEASE-003"
    title_zh = "需求区域无效"
    title_en = "Invalid demand area"


class TermRequired(LeaseInputError):
    code = "ZG-LEASE-004"
    title_zh = "签约须填写租金与租期"
    title_en = "A contract needs a rent and a term"


class IllegalTransition(Conflict):
    code = "ZG-LEASE-010"
    title_zh = "租赁状态不允许此操作"
    title_en = "The lease's state does not allow this step"


class NotYourStep(IllegalTransition):
    code = "ZG-LEASE-011"
    title_zh = "您不能执行此租赁步骤"
    title_en = "Your side does not take this lease step"


class TermNotOver(IllegalTransition):
    code = "ZG-LEASE-012"
    title_zh = "租期未满，提前终止须说明理由"
    title_en = "The term is not over: ending early needs a note"


class RequestClosed(IllegalTransition):
    code = "ZG-LEASE-013"
    title_zh = "需求已撤回或关闭"
    title_en = "The request is withdrawn or closed"


class SiteNotLeasable(IllegalTransition):
    code = "ZG-LEASE-014"
    title_zh = "站址不可租赁"
    title_en = "The site cannot be leased"


class LeaseNotFound(NotFound):
    """Also what a caller gets for another carrier's or another group's object."""

    code = "ZG-LEASE-020"
    title_zh = "未找到该需求或租赁"
    title_en = "No such request or lease"
