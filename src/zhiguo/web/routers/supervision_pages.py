"""Supervision pages (智慧监管): the cockpit (驾驶舱), an enterprise's indicators against its
standard values, the alert inbox and an alert's detail with the rectification actions (htmx),
and the indicator library with the analysts' form.

The same supervision calls as the API (``supervision_api``), rendered with Jinja2; chart data
travel as JSON in ``data-chart`` attributes read by ``/static/js/supervision.js`` (no inline
script: CSP ``script-src 'self'``). Page texts live in :data:`TEXT` (zh default, en) and reach
templates as ``st(key, lang)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Scope
from zhiguo.core.errors import InputError, ZhiguoError
from zhiguo.core.settings import Settings
from zhiguo.supervision.cockpit import cockpit, enterprise_overview, parse_definitions_text
from zhiguo.supervision.indicators import add_definitions
from zhiguo.supervision.rectification import (
    ACTION_LABELS,
    STATE_LABELS,
    close,
    dismiss,
    dispatch,
    reopen,
    respond,
)

from ..deps import (
    LangDep,
    PrincipalDep,
    RegulatorDep,
    RequestInfoDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
)
from ..policy import AUTHENTICATED
from ..rendering import render
from .audit_api import audit_request
from .supervision_api import (
    alert_detail_view,
    alert_views,
    attachment_max_bytes,
    library_view,
    read_uploads,
    today_in,
)

__all__ = ["TEXT", "fmt", "router", "st"]

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(include_in_schema=False, dependencies=[AUTHENTICATED])

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "nav.cockpit": "监管驾驶舱",
        "nav.alerts": "预警中心",
        "nav.indicators": "指标库",
        "cockpit.title": "监管驾驶舱",
        "cockpit.period": "期间",
        "cockpit.show": "查看",
        "cockpit.no_data": "尚未计算监管指标（zhiguo indicators compute）",
        "cockpit.subject": "对象",
        "cockpit.value": "本期",
        "cockpit.previous": "上月",
        "cockpit.last_year": "上年同期",
        "cockpit.reference_note": "尚无考核目标数据：趋势图以上年同期值作为参照线。",
        "cockpit.trend": "近 13 个月趋势",
        "cockpit.reference": "上年同期",
        "cockpit.alerts": "预警统计",
        "cockpit.by_severity": "按预警等级",
        "cockpit.by_status": "按处理状态",
        "cockpit.overdue": "逾期未反馈",
        "cockpit.total": "预警总数",
        "cockpit.movers": "恶化最明显的集团",
        "cockpit.movers_note": "时点和年化指标与上月比较（环比）；年初至今累计的指标与上年同月比较"
        "（同比）。百分比指标的变化以百分点计，其余以变化率计。",
        "cockpit.no_movers": "本期没有恶化的集团",
        "cockpit.groups": "下钻：集团",
        "cockpit.groups_own": "下钻：本企业",
        "mover.indicator": "指标",
        "mover.enterprise": "企业",
        "mover.value": "本期",
        "mover.compared": "比较值",
        "mover.change": "变化",
        "mover.basis": "比较口径",
        "basis.mom": "环比",
        "basis.yoy": "同比",
        "ent.title": "企业监管指标",
        "ent.level": "层级",
        "ent.headlines": "一利五率",
        "ent.standards": "对标企业绩效评价标准值",
        "ent.fictitious": "示例（虚构）标准值",
        "ent.no_standard": "无匹配标准值",
        "ent.standard_edition": "标准值版本",
        "ent.band": "所处档次",
        "ent.children": "下属企业",
        "ent.alerts": "本企业预警",
        "ent.no_values": "该企业尚无监管指标值",
        "ent.registry": "企业档案",
        "level.entity": "单户",
        "level.group": "合并（集团）",
        "level.subtree": "汇总（本级及下属）",
        "level.portfolio": "全部企业汇总",
        "band.excellent": "优秀",
        "band.good": "良好",
        "band.average": "平均",
        "band.low": "较低",
        "band.poor": "较差",
        "band.below_poor": "较差以下",
        "ind.code": "代码",
        "ind.name": "名称",
        "ind.unit": "单位",
        "ind.direction": "方向",
        "ind.basis": "期间口径",
        "ind.calibers": "口径与公式",
        "ind.sets": "所属指标集",
        "ind.source": "来源/版本",
        "ind.years": "适用年度",
        "ind.group": "分组",
        "ind.value": "指标值",
        "ind.status": "状态",
        "dir.higher": "越高越好",
        "dir.lower": "越低越好",
        "periodbasis.month": "当月",
        "periodbasis.ytd": "年初至今",
        "periodbasis.annualised": "年化",
        "periodbasis.balance": "时点",
        "periodbasis.yoy": "同比",
        "lib.title": "指标库",
        "lib.version": "指标库版本",
        "lib.sets": "指标集（按年度版本）",
        "lib.add": "新增或修改指标定义",
        "lib.add_hint": "粘贴 TOML 或 JSON（格式同内置指标库文件，如 [indicators.代码]），或上传"
        "文件。整个指标库会连同新定义一起校验：未知项目、循环引用或单位不符时不保存任何内容。",
        "lib.paste": "定义文本",
        "lib.file": "或上传文件",
        "lib.submit": "校验并保存",
        "lib.saved": "已保存",
        "lib.rejected": "未保存",
        "lib.not_computable": "除数为零时结果为“不可计算”并注明原因。",
        "alerts.title": "预警中心",
        "alerts.severity": "等级",
        "alerts.status": "状态",
        "alerts.period": "期间",
        "alerts.all": "全部",
        "alerts.filter": "筛选",
        "alerts.enterprise": "企业",
        "alerts.rule": "规则",
        "alerts.message": "预警内容",
        "alerts.assignee": "责任人",
        "alerts.due": "整改期限",
        "alerts.none": "没有符合条件的预警",
        "alerts.total": "共 {n} 条",
        "alerts.prev": "上一页",
        "alerts.next": "下一页",
        "alerts.overdue": "逾期",
        "alert.title": "预警详情",
        "alert.value": "指标值",
        "alert.threshold": "阈值",
        "alert.periods_seen": "持续期数",
        "alert.history": "处理记录",
        "alert.actions": "可执行的操作",
        "alert.no_actions": "您当前没有可执行的操作",
        "alert.assignee": "整改责任人",
        "alert.due_date": "整改期限",
        "alert.instruction": "整改要求",
        "alert.explanation": "整改说明",
        "alert.plan": "整改方案（文件）",
        "alert.evidence": "佐证材料（文件，可多选）",
        "alert.note": "核查意见",
        "alert.reason": "理由",
        "alert.new_due": "新的整改期限",
        "alert.attachments": "附件",
        "alert.no_assignee": "该企业及其上级企业没有可承办的企业用户",
        "alert.by": "操作人",
        "alert.back": "返回预警中心",
        "alert.enterprise_page": "查看企业指标",
        "severity.red": "红色",
        "severity.orange": "橙色",
        "severity.yellow": "黄色",
    },
    "en": {
        "nav.cockpit": "Cockpit",
        "nav.alerts": "Alerts",
        "nav.indicators": "Indicators",
        "cockpit.title": "Supervision cockpit",
        "cockpit.period": "Period",
        "cockpit.show": "Show",
        "cockpit.no_data": "No indicator values yet (zhiguo indicators compute)",
        "cockpit.subject": "Subject",
        "cockpit.value": "This period",
        "cockpit.previous": "Last month",
        "cockpit.last_year": "Same month last year",
        "cockpit.reference_note": "No target data exists yet: trend charts use the same month "
        "of the previous year as the reference line.",
        "cockpit.trend": "Last 13 months",
        "cockpit.reference": "Previous year",
        "cockpit.alerts": "Alerts",
        "cockpit.by_severity": "By severity",
        "cockpit.by_status": "By status",
        "cockpit.overdue": "Overdue",
        "cockpit.total": "Alerts in all",
        "cockpit.movers": "Worst movers among groups",
        "cockpit.movers_note": "Point-in-time and annualised indicators compare with the month "
        "before; year-to-date ones with the same month last year. Changes of % indicators are "
        "in percentage points, others in per cent.",
        "cockpit.no_movers": "No group moved adversely this period",
        "cockpit.groups": "Drill down: groups",
        "cockpit.groups_own": "Drill down: your enterprise",
        "mover.indicator": "Indicator",
        "mover.enterprise": "Enterprise",
        "mover.value": "Now",
        "mover.compared": "Compared with",
        "mover.change": "Change",
        "mover.basis": "Basis",
        "basis.mom": "vs last month",
        "basis.yoy": "vs last year",
        "ent.title": "Enterprise indicators",
        "ent.level": "Level",
        "ent.headlines": "One profit, five ratios",
        "ent.standards": "Against the performance-evaluation standard values",
        "ent.fictitious": "demo (fictitious) standard values",
        "ent.no_standard": "no matching standard",
        "ent.standard_edition": "Edition",
        "ent.band": "Band",
        "ent.children": "Subsidiaries",
        "ent.alerts": "Alerts of this enterprise",
        "ent.no_values": "No indicator values for this enterprise yet",
        "ent.registry": "Registry record",
        "level.entity": "Entity",
        "level.group": "Consolidated (group)",
        "level.subtree": "Subtree total",
        "level.portfolio": "Whole portfolio",
        "band.excellent": "Excellent",
        "band.good": "Good",
        "band.average": "Average",
        "band.low": "Low",
        "band.poor": "Poor",
        "band.below_poor": "Below poor",
        "ind.code": "Code",
        "ind.name": "Name",
        "ind.unit": "Unit",
        "ind.direction": "Direction",
        "ind.basis": "Period basis",
        "ind.calibers": "Calibers and formulas",
        "ind.sets": "Sets",
        "ind.source": "Source / version",
        "ind.years": "Years",
        "ind.group": "Group",
        "ind.value": "Value",
        "ind.status": "Status",
        "dir.higher": "higher is better",
        "dir.lower": "lower is better",
        "periodbasis.month": "month",
        "periodbasis.ytd": "year to date",
        "periodbasis.annualised": "annualised",
        "periodbasis.balance": "balance",
        "periodbasis.yoy": "year on year",
        "lib.title": "Indicator library",
        "lib.version": "Library version",
        "lib.sets": "Indicator sets (by year)",
        "lib.add": "Add or change indicator definitions",
        "lib.add_hint": "Paste TOML or JSON (the built-in library's format, e.g. "
        "[indicators.code]) or upload a file. The whole library is checked with the new "
        "definitions in it: an unknown item, a cycle or a unit mismatch saves nothing.",
        "lib.paste": "Definitions",
        "lib.file": "or upload a file",
        "lib.submit": "Check and save",
        "lib.saved": "Saved",
        "lib.rejected": "Not saved",
        "lib.not_computable": "A zero divisor yields 'not computable' with the reason.",
        "alerts.title": "Alerts",
        "alerts.severity": "Severity",
        "alerts.status": "Status",
        "alerts.period": "Period",
        "alerts.all": "All",
        "alerts.filter": "Filter",
        "alerts.enterprise": "Enterprise",
        "alerts.rule": "Rule",
        "alerts.message": "Alert",
        "alerts.assignee": "Assignee",
        "alerts.due": "Due",
        "alerts.none": "No alert matches",
        "alerts.total": "{n} in all",
        "alerts.prev": "Previous",
        "alerts.next": "Next",
        "alerts.overdue": "Overdue",
        "alert.title": "Alert",
        "alert.value": "Value",
        "alert.threshold": "Threshold",
        "alert.periods_seen": "Periods seen",
        "alert.history": "History",
        "alert.actions": "Actions",
        "alert.no_actions": "Nothing for you to do on this alert now",
        "alert.assignee": "Assignee",
        "alert.due_date": "Due date",
        "alert.instruction": "Instruction",
        "alert.explanation": "Explanation",
        "alert.plan": "Rectification plan (file)",
        "alert.evidence": "Evidence (files)",
        "alert.note": "Verification note",
        "alert.reason": "Reason",
        "alert.new_due": "New due date",
        "alert.attachments": "Attachments",
        "alert.no_assignee": "No enterprise user of this enterprise or its parents to assign",
        "alert.by": "By",
        "alert.back": "Back to the alerts",
        "alert.enterprise_page": "Enterprise indicators",
        "severity.red": "Red",
        "severity.orange": "Orange",
        "severity.yellow": "Yellow",
    },
}


def st(key: str, lang: str = "zh") -> str:
    """A supervision page text in ``lang``, falling back to Chinese, then to the key."""
    return TEXT.get(lang, TEXT["zh"]).get(key) or TEXT["zh"].get(key, key)


def fmt(value: float | None, unit: str | None = None) -> str:
    """A value as a screen shows it: 元 in 亿元, two decimals, ``—`` for none."""
    if value is None:
        return "—"
    if unit == "元":
        return f"{value / 1e8:,.2f} 亿元"
    if unit == "%":
        return f"{value:,.2f}%"
    return f"{value:,.2f} {unit or ''}".rstrip()


def _labels(table: Mapping[str, tuple[str, str]], lang: str) -> dict[str, str]:
    return {k: (zh if lang == "zh" else en) for k, (zh, en) in table.items()}


def _context(lang: str, principal: Principal, settings: Settings, **extra: Any) -> dict[str, Any]:
    return {
        "lang": lang,
        "principal": principal,
        "tz": ZoneInfo(settings.ingest.timezone),
        "st": st,
        "fmt": fmt,
        "states": _labels(STATE_LABELS, lang),
        "action_labels": _labels(ACTION_LABELS, lang),
        **extra,
    }


def _chart(data: dict[str, Any], lang: str) -> str:
    """Chart data and their labels for a ``data-chart`` attribute (Jinja escapes it)."""
    labels = {
        "value": st("cockpit.value", lang),
        "reference": st("cockpit.reference", lang),
        "by_severity": st("cockpit.by_severity", lang),
        "by_status": st("cockpit.by_status", lang),
        "severities": {s: st(f"severity.{s}", lang) for s in ("red", "orange", "yellow")},
        "states": _labels(STATE_LABELS, lang),
    }
    return json.dumps({**data, "labels": labels}, ensure_ascii=False, default=str)


PagePeriod = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


# ---------------------------------------------------------------- cockpit and enterprise


@router.get("/supervision", response_class=HTMLResponse)
def cockpit_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    period: PagePeriod = None,
) -> Response:
    data = cockpit(
        session=db, lake_root=settings.workspace / "lake", engine_settings=settings.engine,
        scope=scope, period=period, today=today_in(settings),
    )  # fmt: skip
    context = _context(lang, principal, settings, c=data, chart=_chart(data.model_dump(), lang))
    return render(request, "supervision/cockpit.html", context)


@router.get("/supervision/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_page(
    request: Request,
    uscc: Annotated[str, PathParam(pattern=r"^[0-9A-Za-z]{18}$")],
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    period: PagePeriod = None,
    level: Annotated[str | None, Query(pattern=r"^(entity|group|subtree)$")] = None,
) -> Response:
    data = enterprise_overview(
        session=db, lake_root=settings.workspace / "lake", engine_settings=settings.engine,
        scope=scope, uscc=uscc.upper(), period=period, level=level,
    )  # fmt: skip
    headlines = [h.model_dump() for h in data.headlines]
    chart = _chart({"periods": data.periods, "headlines": headlines}, lang)
    context = _context(lang, principal, settings, o=data, chart=chart)
    return render(request, "supervision/enterprise.html", context)


# ---------------------------------------------------------------- alerts


@router.get("/supervision/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    period: Annotated[str | None, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")] = None,
    status: Annotated[
        str | None, Query(pattern=r"^(raised|dispatched|responded|closed|dismissed)?$")
    ] = None,
    severity: Annotated[str | None, Query(pattern=r"^(red|orange|yellow)?$")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """The inbox: the caller's alerts (an enterprise user: only its own), filtered."""
    page = alert_views(
        db, scope, period=period or None, status=status or None, severity=severity or None,
        limit=50, offset=offset,
    )  # fmt: skip
    filters = {"period": period or "", "status": status or "", "severity": severity or ""}
    context = _context(
        lang, principal, settings, page=page, filters=filters, today=today_in(settings)
    )
    partial = request.headers.get("HX-Request") == "true"
    name = "supervision/_alert_rows.html" if partial else "supervision/alerts.html"
    return render(request, name, context)


def _detail_context(
    db: Session,
    settings: Settings,
    scope: Scope,
    principal: Principal,
    lang: str,
    alert_id: int,
    **extra: Any,
) -> dict[str, Any]:
    detail = alert_detail_view(db, scope, principal, alert_id)
    return _context(
        lang, principal, settings, d=detail, a=detail.history.alert, today=today_in(settings),
        **extra,
    )  # fmt: skip


@router.get("/supervision/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    alert_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    context = _detail_context(db, settings, scope, principal, lang, alert_id, error=None)
    return render(request, "supervision/alert.html", context)


@router.post("/supervision/alerts/{alert_id}/{action}", response_class=HTMLResponse)
def alert_action(
    request: Request,
    alert_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    action: Literal["dispatch", "respond", "close", "reopen", "dismiss"],
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    info: RequestInfoDep,
    assignee_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    due_date: Annotated[str | None, Form(max_length=10)] = None,
    text: Annotated[str, Form(max_length=5000)] = "",
    plan: Annotated[list[UploadFile] | None, File()] = None,
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """One step of the loop from the detail page's forms. With htmx the panel (status,
    history, forms) is swapped in place, an error shown above the forms; a plain form post
    is answered with a redirect to the detail page (or the error page)."""
    partial = request.headers.get("HX-Request") == "true"
    try:
        _act(
            db, settings, scope, principal, alert_id, action,
            assignee_id=assignee_id, due_date=due_date, text=text,
            plan=plan or [], evidence=evidence or [],
        )  # fmt: skip
        audit_request(
            db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
            detail={"action": action},
        )  # fmt: skip
    except ZhiguoError as exc:
        if not partial:
            raise
        db.rollback()
        error = {"code": exc.code, "message": exc.message(lang)}
        context = _detail_context(db, settings, scope, principal, lang, alert_id, error=error)
        return render(request, "supervision/_alert_panel.html", context)
    if not partial:
        return RedirectResponse(f"/supervision/alerts/{alert_id}", status_code=303)
    db.commit()
    context = _detail_context(db, settings, scope, principal, lang, alert_id, error=None)
    return render(request, "supervision/_alert_panel.html", context)


def _act(
    db: Session,
    settings: Settings,
    scope: Scope,
    principal: Principal,
    alert_id: int,
    action: str,
    *,
    assignee_id: int | None,
    due_date: str | None,
    text: str,
    plan: list[UploadFile],
    evidence: list[UploadFile],
) -> None:
    """Parse the form for ``action`` and call its service (the form fields differ)."""

    def day() -> date:
        try:
            return date.fromisoformat(due_date or "")
        except ValueError:
            raise InputError("请填写有效的整改期限", "Give a valid due date") from None

    common: dict[str, Any] = {"session": db, "alert_id": alert_id, "principal": principal}
    common["scope"] = scope
    if action == "dispatch":
        if assignee_id is None:
            raise InputError("请选择整改责任人", "Choose an assignee")
        dispatch(
            **common, assignee_id=assignee_id, due_date=day(), instruction=text,
            today=today_in(settings),
        )  # fmt: skip
    elif action == "respond":
        limit = attachment_max_bytes(settings)
        files = [(f, "plan") for f in plan] + [(f, "evidence") for f in evidence]
        respond(
            **common, inbox=settings.workspace / "inbox", explanation=text,
            attachments=read_uploads(files, max_bytes=limit), max_bytes=limit,
        )  # fmt: skip
    elif action == "close":
        close(**common, note=text)
    elif action == "reopen":
        reopen(**common, reason=text, due_date=day(), today=today_in(settings))
    else:
        dismiss(**common, reason=text)


# ---------------------------------------------------------------- indicator library


def _library_page(
    request: Request,
    db: Session,
    settings: Settings,
    principal: Principal,
    lang: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    can_edit = principal.role.sees_whole_portfolio
    context = _context(lang, principal, settings, lib=library_view(db), can_edit=can_edit, **extra)
    return render(request, "supervision/indicators.html", context, status_code=status_code)


@router.get("/supervision/indicators", response_class=HTMLResponse)
def indicators_page(
    request: Request, db: SessionDep, settings: SettingsDep, principal: PrincipalDep, lang: LangDep
) -> Response:
    return _library_page(request, db, settings, principal, lang, result=None, pasted="")


@router.post("/supervision/indicators", response_class=HTMLResponse)
def indicators_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: RegulatorDep,
    lang: LangDep,
    info: RequestInfoDep,
    definitions: Annotated[str, Form(max_length=200_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Analysts add or change definitions by pasting or uploading TOML/JSON; the outcome
    (or the located problem) is shown on the page and nothing is kept on any error."""
    name, text = "pasted", definitions
    if file is not None and file.filename:
        name, text = file.filename, file.file.read(1_000_001).decode("utf-8", "replace")
    try:
        specs = parse_definitions_text(text, name=name)
        rows = add_definitions(session=db, specs=specs, source="api", actor=principal.username)
        audit_request(
            db, principal, info, event_type="policy.change", object="indicator-library",
            detail={"added": [{"code": r.code, "version": r.version} for r in rows]},
        )  # fmt: skip
    except ZhiguoError as exc:
        db.rollback()
        result = {"ok": False, "code": exc.code, "message": exc.message(lang)}
        return _library_page(
            request, db, settings, principal, lang, result=result, pasted=definitions,
            status_code=exc.http_status,
        )  # fmt: skip
    db.commit()
    result = {"ok": True, "added": [f"{r.code} v{r.version}" for r in rows]}
    return _library_page(request, db, settings, principal, lang, result=result, pasted="")
