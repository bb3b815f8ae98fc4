"""Clearance and classification decisions (安全标记, 等保 level 3 访问控制; GB/T 43697-2024).

A caller's clearance is the highest :class:`~zhiguo.core.access.Classification` they may
read. It comes from their role (:data:`ROLE_CLEARANCE`, the floor) raised by a per-user grant
(``users.clearance``, set by the security admin); the public never rises above 一般. Whether
personal-information fields reach the caller unmasked is a separate grant
(``users.can_unmask``), and using it is audited (``data.unmask``).

The data layer (``datacenter.lake.access.scoped_snapshot``) enforces the decision; this
module says what it is. Error codes ZG-SEC-100…149 belong here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from zhiguo.core.access import Classification, Principal, Scope
from zhiguo.core.errors import PermissionDenied

__all__ = [
    "PUBLIC_ROLES",
    "ROLE_CLEARANCE",
    "ClearanceTooLow",
    "DatasetNotDeclared",
    "DowngradeRefused",
    "LabelsTampered",
    "RouteNotDeclared",
    "audit_event",
    "clearance_for",
    "may_unmask",
    "with_clearance",
]

ROLE_CLEARANCE: dict[str, Classification] = {
    # The leadership reads everything, 核心 included.
    "regulator-leader": Classification.core,
    # Analysts and the platform operator work on 重要 data (the flash report, indicators).
    "regulator-analyst": Classification.important,
    "platform-admin": Classification.important,
    # An enterprise's own reports are 重要 to it; the scope keeps them to its subtree.
    "enterprise-leader": Classification.important,
    "enterprise-officer": Classification.important,
    "operations-staff": Classification.important,
    # 三员分立: the administrators administer; they read no business data above 一般.
    "system-admin": Classification.general,
    "security-admin": Classification.general,
    "audit-admin": Classification.general,
    "public": Classification.general,
}
"""Role → default clearance (the floor; a per-user grant may raise it). Unknown roles: 一般."""

PUBLIC_ROLES = frozenset({"public"})
"""Roles that never rise above 一般, never unmask, and read open datasets only."""


def clearance_for(role: str, granted: str | None = None) -> Classification:
    """The effective clearance: the role's default raised by the user's grant (if any)."""
    floor = ROLE_CLEARANCE.get(str(role), Classification.general)
    if str(role) in PUBLIC_ROLES:
        return Classification.general
    try:
        grant = Classification(granted) if granted else Classification.general
    except ValueError:
        grant = Classification.general
    return Classification.highest([floor, grant])


def may_unmask(role: str, granted: bool | None) -> bool:
    """Unmasking is an explicit per-user grant; the public never holds it."""
    return bool(granted) and str(role) not in PUBLIC_ROLES


def with_clearance(session: Session, principal: Principal, scope: Scope) -> Scope:
    """``scope`` (the enterprises) completed with the caller's clearance and unmask grant,
    read from ``users`` (``clearance``, ``can_unmask``); the public gets open data only."""
    if str(principal.role) in PUBLIC_ROLES:
        return Scope.public(as_of=scope.as_of)
    from .models import User

    user = session.get(User, principal.user_id)
    granted = getattr(user, "clearance", None) or getattr(principal, "clearance", None)
    return replace(
        scope,
        clearance=clearance_for(principal.role, granted),
        may_unmask=may_unmask(principal.role, getattr(user, "can_unmask", False)),
        open_only=False,
    )


def audit_event(
    session: Session,
    *,
    event_type: str,
    principal: Principal | None = None,
    object: str = "",
    detail: dict[str, Any] | None = None,
    result: str = "success",
    client_addr: str = "",
    request_id: str = "",
) -> None:
    """Append one record to the audit chain in ``session`` (a failed write fails the action)."""
    from zhiguo.security.audit import record_event

    record_event(
        session,
        event_type=event_type,
        result=result,
        principal=principal,
        object=object,
        detail=detail,
        client_addr=client_addr,
        request_id=request_id,
    )


# ------------------------------------------------------------------------------ errors
class ClearanceTooLow(PermissionDenied):
    """The dataset's effective level is above the caller's clearance (or not open to the
    public). One answer for every refusal, so it does not tell which level a dataset has."""

    code = "ZG-SEC-100"
    title_zh = "无权读取该数据集（密级或开放范围不符）"
    title_en = "You may not read this dataset (classification or openness)"


class LabelsTampered(PermissionDenied):
    """A dataset's classification labels in the catalog fail their HMAC-SM3 check."""

    code = "ZG-SEC-101"
    title_zh = "数据集密级标记完整性校验失败，已拒绝访问"
    title_en = "The dataset's classification labels failed their integrity check; denied"


class DowngradeRefused(PermissionDenied):
    """就高从严: a derived dataset may not be labelled below its inputs without a recorded
    reviewer downgrade."""

    code = "ZG-SEC-102"
    title_zh = "派生数据集的密级低于其输入（就高从严），且无审核降级记录"
    title_en = "A derived dataset is labelled below its inputs and no reviewed downgrade exists"


class DatasetNotDeclared(PermissionDenied):
    """A dataset without a declared access policy (scope column, open flag) serves nothing."""

    code = "ZG-SEC-103"
    title_zh = "数据集未声明访问策略，默认拒绝"
    title_en = "The dataset declares no access policy; denied by default"


class RouteNotDeclared(PermissionDenied):
    """A route without a declared policy answers nobody (default deny)."""

    code = "ZG-SEC-104"
    title_zh = "该接口未声明访问策略，默认拒绝"
    title_en = "This route declares no access policy; denied by default"
