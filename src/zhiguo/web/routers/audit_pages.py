"""Audit page (安全审计): the audit administrator browses the log with filters and pages.

Same service calls as ``audit_api``; only ``audit-admin`` may open it (三员分立). Texts live
in :data:`TEXT` (zh default, en) and reach the template as ``at(key, lang)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from zhiguo.core.access import Role
from zhiguo.security.audit import list_records

from ..deps import LangDep, PrincipalDep, SessionDep, SettingsDep
from ..policy import roles
from ..rendering import render
from .audit_api import audit_filter

__all__ = ["TEXT", "at", "router"]

# Policy (web.policy): only the audit administrator (三员分立).
router = APIRouter(include_in_schema=False, dependencies=[roles(Role.AUDIT_ADMIN)])

PAGE = 50

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "title": "安全审计日志",
        "intro": "只读、哈希链防篡改（SM3）并定期签发默克尔树头（SM2）。时间以 +08:00 显示。",
        "since": "起始时间",
        "until": "截止时间",
        "user": "用户",
        "event_type": "事件类型",
        "result": "结果",
        "all": "全部",
        "filter": "筛选",
        "seq": "序号",
        "at": "时间",
        "org": "单位",
        "client_addr": "来源地址",
        "object": "对象",
        "request_id": "请求号",
        "detail": "详情",
        "hash": "哈希",
        "total": "共 {total} 条",
        "prev": "上一页",
        "next": "下一页",
        "empty": "没有符合条件的记录",
        "export_csv": "导出 CSV",
        "export_jsonl": "导出 JSONL",
        "verify": "校验完整性",
        "success": "成功",
        "failure": "失败",
        "denied": "拒绝",
    },
    "en": {
        "title": "Security audit log",
        "intro": "Read-only, SM3 hash-chained and sealed by signed Merkle tree heads (SM2). "
        "Times are shown at +08:00.",
        "since": "From",
        "until": "Until",
        "user": "User",
        "event_type": "Event type",
        "result": "Result",
        "all": "All",
        "filter": "Filter",
        "seq": "Seq",
        "at": "Time",
        "org": "Organisation",
        "client_addr": "Address",
        "object": "Object",
        "request_id": "Request",
        "detail": "Detail",
        "hash": "Hash",
        "total": "{total} records",
        "prev": "Previous",
        "next": "Next",
        "empty": "No matching records",
        "export_csv": "Export CSV",
        "export_jsonl": "Export JSONL",
        "verify": "Verify integrity",
        "success": "success",
        "failure": "failure",
        "denied": "denied",
    },
}


def at(key: str, lang: str) -> str:
    """A page text in ``lang`` (zh when missing)."""
    return TEXT.get(lang, TEXT["zh"]).get(key) or TEXT["zh"].get(key, key)


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    user: Annotated[str | None, Query(max_length=64)] = None,
    event_type: Annotated[str | None, Query(pattern=r"^[a-z0-9_.]{0,64}$")] = None,
    result: Annotated[str | None, Query(pattern=r"^(success|failure|denied)?$")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """Browse the audit log, newest first, 50 a page."""
    filters = audit_filter(_when(since), _when(until), user, event_type, result)
    rows, total = list_records(
        session=db,
        filters=filters,
        timezone=settings.audit.display_timezone,
        limit=PAGE,
        offset=offset,
    )
    form = {
        "since": since or "",
        "until": until or "",
        "user": user or "",
        "event_type": event_type or "",
        "result": result or "",
    }
    query = urlencode({k: v for k, v in form.items() if v})
    context = {
        "lang": lang,
        "principal": principal,
        "at": at,
        "rows": rows,
        "total": total,
        "offset": offset,
        "page": PAGE,
        "form": form,
        "query": query,
    }
    return render(request, "audit/index.html", context)
