"""Data-centre pages: the catalog, submitting a file (报送) with its problems shown in place,
and who has submitted a period (报送情况, and the 催报 list for the regulator).

The same data-centre calls as the API (``datacenter_api``), rendered with Jinja2 + htmx; the
page texts live in :data:`TEXT` (zh default, en) and reach templates as ``dt(key, lang)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Scope
from zhiguo.core.errors import ZhiguoError
from zhiguo.core.periods import Period
from zhiguo.core.settings import Settings
from zhiguo.datacenter.catalog import dataset_detail, list_datasets, sync_catalog
from zhiguo.datacenter.ingest import IngestResult, list_batches, submission_states
from zhiguo.datacenter.lake import visible_rows

from ..deps import (
    BatchOwnerDep,
    LangDep,
    PrincipalDep,
    RegulatorDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
    SubmitterDep,
)
from ..policy import AUTHENTICATED
from ..rendering import render
from .datacenter_api import (
    OVERDUE_STATUSES,
    STATUSES,
    batch_report_path,
    ingest_upload,
)

__all__ = ["TEXT", "dt", "router"]

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(include_in_schema=False, dependencies=[AUTHENTICATED])

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "nav.catalog": "数据目录",
        "nav.submit": "数据报送",
        "nav.submissions": "报送情况",
        "catalog.title": "数据目录",
        "catalog.name": "数据集",
        "catalog.dataset_title": "名称",
        "catalog.owner": "所属平台",
        "catalog.classification": "分级",
        "catalog.description": "说明",
        "catalog.primary_key": "主键",
        "catalog.retention": "保留期限",
        "catalog.retention_days": "天",
        "catalog.forever": "永久",
        "catalog.version": "当前版本",
        "catalog.rows": "您可查看的行数",
        "catalog.files": "文件数",
        "catalog.no_data": "尚无数据",
        "catalog.columns": "字段",
        "catalog.column": "字段名",
        "catalog.type": "类型",
        "catalog.unit": "单位",
        "catalog.label": "标签",
        "catalog.personal_info": "个人信息",
        "catalog.lineage": "血缘（最近 50 个版本）",
        "catalog.operation": "操作",
        "catalog.batch": "批次",
        "catalog.inbox": "收件文件 SHA-256",
        "catalog.by": "提交人",
        "catalog.at": "时间",
        "catalog.no_lineage": "暂无版本记录",
        "datalevel.general": "一般",
        "datalevel.important": "重要",
        "datalevel.core": "核心",
        "platform.datacenter": "大数据中心",
        "platform.supervision": "智慧监管",
        "platform.operations": "智慧运营",
        "platform.services": "智慧服务",
        "submit.title": "数据报送",
        "submit.hint": "上传填报文件（xlsx、CSV（UTF-8 或 GB18030）、JSON、Parquet）。"
        "文件先存档再校验；有错误时不写入任何数据，并列出每一处问题。",
        "submit.dataset": "数据集",
        "submit.file": "文件",
        "submit.dry_run": "只校验，不写入",
        "submit.encoding": "CSV 编码",
        "submit.encoding_auto": "自动识别",
        "submit.button": "上传并校验",
        "submit.result": "校验结果",
        "submit.status": "结果",
        "submit.batch": "批次",
        "submit.facts": "数据条数",
        "submit.entities": "企业户数",
        "submit.lake_version": "数据湖版本",
        "submit.errors": "错误",
        "submit.warnings": "警告",
        "submit.report": "下载校验报告（xlsx）",
        "submit.recent": "最近的报送批次",
        "submit.none": "暂无报送记录",
        "submit.file_name": "文件",
        "submit.received": "接收时间",
        "submit.submitter": "报送人",
        "result.accepted": "已接收",
        "result.rejected": "已拒绝，未写入任何数据",
        "result.duplicate": "相同文件已接收过，未做任何更改",
        "result.checked": "校验通过（未写入）",
        "result.committing": "写入中",
        "problem.severity": "级别",
        "problem.sheet": "工作表",
        "problem.row": "行",
        "problem.column": "列",
        "problem.item": "项目",
        "problem.rule": "规则",
        "problem.message": "说明",
        "severity.error": "错误",
        "severity.warning": "警告",
        "subs.title": "报送情况",
        "subs.overdue_title": "催报清单",
        "subs.period": "期间",
        "subs.show": "查看",
        "subs.deadline": "截止时间",
        "subs.enterprise": "企业",
        "subs.level": "级次",
        "subs.status": "状态",
        "subs.submitted_at": "首次报送时间",
        "subs.revisions": "报送次数",
        "subs.days_late": "逾期天数",
        "subs.overdue_link": "催报清单（未报送与逾期）",
        "subs.all_link": "全部企业",
        "subs.none": "没有符合条件的企业",
        "submission.on_time": "按时",
        "submission.late": "逾期报送",
        "submission.missing": "未报送",
        "submission.pending": "待报送",
    },
    "en": {
        "nav.catalog": "Catalog",
        "nav.submit": "Submit data",
        "nav.submissions": "Submissions",
        "catalog.title": "Dataset catalog",
        "catalog.name": "Dataset",
        "catalog.dataset_title": "Title",
        "catalog.owner": "Platform",
        "catalog.classification": "Classification",
        "catalog.description": "Description",
        "catalog.primary_key": "Primary key",
        "catalog.retention": "Retention",
        "catalog.retention_days": "days",
        "catalog.forever": "forever",
        "catalog.version": "Current version",
        "catalog.rows": "Rows you may read",
        "catalog.files": "Files",
        "catalog.no_data": "no data yet",
        "catalog.columns": "Columns",
        "catalog.column": "Column",
        "catalog.type": "Type",
        "catalog.unit": "Unit",
        "catalog.label": "Label",
        "catalog.personal_info": "Personal info",
        "catalog.lineage": "Lineage (latest 50 versions)",
        "catalog.operation": "Operation",
        "catalog.batch": "Batch",
        "catalog.inbox": "Inbox file SHA-256",
        "catalog.by": "By",
        "catalog.at": "At",
        "catalog.no_lineage": "No versions yet",
        "datalevel.general": "General",
        "datalevel.important": "Important",
        "datalevel.core": "Core",
        "platform.datacenter": "Data centre",
        "platform.supervision": "Supervision",
        "platform.operations": "Operations",
        "platform.services": "Services",
        "submit.title": "Submit data",
        "submit.hint": "Upload a report file (xlsx, CSV in UTF-8 or GB18030, JSON, Parquet). "
        "The file is kept before it is checked; with any error nothing is written and every "
        "problem is listed.",
        "submit.dataset": "Dataset",
        "submit.file": "File",
        "submit.dry_run": "Check only, write nothing",
        "submit.encoding": "CSV encoding",
        "submit.encoding_auto": "detect",
        "submit.button": "Upload and check",
        "submit.result": "Result",
        "submit.status": "Outcome",
        "submit.batch": "Batch",
        "submit.facts": "Facts",
        "submit.entities": "Enterprises",
        "submit.lake_version": "Lake version",
        "submit.errors": "Errors",
        "submit.warnings": "Warnings",
        "submit.report": "Download the validation report (xlsx)",
        "submit.recent": "Recent batches",
        "submit.none": "No submissions yet",
        "submit.file_name": "File",
        "submit.received": "Received",
        "submit.submitter": "Submitter",
        "result.accepted": "Accepted",
        "result.rejected": "Rejected; nothing was written",
        "result.duplicate": "This file was already accepted; nothing changed",
        "result.checked": "Checked, no problems blocking (nothing written)",
        "result.committing": "Committing",
        "problem.severity": "Severity",
        "problem.sheet": "Sheet",
        "problem.row": "Row",
        "problem.column": "Column",
        "problem.item": "Item",
        "problem.rule": "Rule",
        "problem.message": "Message",
        "severity.error": "Error",
        "severity.warning": "Warning",
        "subs.title": "Submissions",
        "subs.overdue_title": "Reminder list (催报)",
        "subs.period": "Period",
        "subs.show": "Show",
        "subs.deadline": "Deadline",
        "subs.enterprise": "Enterprise",
        "subs.level": "Level",
        "subs.status": "Status",
        "subs.submitted_at": "First submitted",
        "subs.revisions": "Submissions",
        "subs.days_late": "Days late",
        "subs.overdue_link": "Reminder list (missing and late)",
        "subs.all_link": "All enterprises",
        "subs.none": "No enterprise matches",
        "submission.on_time": "On time",
        "submission.late": "Late",
        "submission.missing": "Missing",
        "submission.pending": "Pending",
    },
}


def dt(key: str, lang: str = "zh") -> str:
    """A data-centre page text in ``lang``, falling back to Chinese, then to the key."""
    return TEXT.get(lang, TEXT["zh"]).get(key) or TEXT["zh"].get(key, key)


def _local(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.ingest.timezone)


def _last_month(settings: Settings) -> Period:
    return Period.parse(datetime.now(UTC).astimezone(_local(settings)).date()).previous


def _context(lang: str, principal: Principal, settings: Settings, **extra: Any) -> dict[str, Any]:
    return {"lang": lang, "principal": principal, "tz": _local(settings), **extra}


# ---------------------------------------------------------------- catalog


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    sync_catalog(db)
    context = _context(lang, principal, settings, datasets=list_datasets(db))
    return render(request, "datacenter/catalog.html", context)


@router.get("/catalog/{name}", response_class=HTMLResponse)
def dataset_page(
    request: Request,
    name: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")],
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    sync_catalog(db)
    detail = dataset_detail(db, settings.workspace / "lake", name)
    context = _context(
        lang,
        principal,
        settings,
        spec=detail.spec,
        detail=detail,
        rows=visible_rows(settings.workspace / "lake", settings.engine, scope, name),
        # lineage names batches, inbox files and submitters: whole-portfolio roles only
        lineage=detail.commits if scope.is_unrestricted else None,
    )
    return render(request, "datacenter/dataset.html", context)


# ---------------------------------------------------------------- submit


def _submit_context(
    db: Session,
    settings: Settings,
    principal: Principal,
    lang: str,
    owner: str | None,
    **extra: Any,
) -> dict[str, Any]:
    sync_catalog(db)
    recent, _total = list_batches(db, owner=owner, limit=10)
    return _context(lang, principal, settings, datasets=list_datasets(db), recent=recent, **extra)


@router.get("/submit", response_class=HTMLResponse)
def submit_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    owner: BatchOwnerDep,
    lang: LangDep,
) -> Response:
    context = _submit_context(db, settings, principal, lang, owner, result=None, error=None)
    return render(request, "datacenter/submit.html", context)


def _result_view(settings: Settings, result: IngestResult) -> dict[str, Any]:
    report = batch_report_path(settings, result.batch_id).is_file()
    return {
        "result": result,
        "problems": [p.as_dict() for p in result.problems],
        "report_url": f"/api/ingest/batches/{result.batch_id}/report" if report else None,
    }


@router.post("/submit", response_class=HTMLResponse)
def submit_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    scope: ScopeDep,
    owner: BatchOwnerDep,
    lang: LangDep,
    file: Annotated[UploadFile, File()],
    dataset: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_.]*$", max_length=100)] = ("flash_report"),
    dry_run: Annotated[bool, Form()] = False,
    encoding: Annotated[Literal["", "utf-8", "utf-8-sig", "gb18030", "gbk"], Form()] = "",
) -> Response:
    """Submit through the browser; the outcome (and every problem) is shown in place."""
    partial = request.headers.get("HX-Request") == "true"
    try:
        result = ingest_upload(
            session=db, settings=settings, upload=file, dataset=dataset,
            submitter=principal.username, scope=scope, channel="web",
            encoding=encoding or None, dry_run=dry_run,
        )  # fmt: skip
    except ZhiguoError as exc:
        view: dict[str, Any] = {"result": None, "error": exc.message(lang), "code": exc.code}
        status = 200 if partial else exc.http_status
    else:
        view = {**_result_view(settings, result), "error": None}
        status = 422 if result.status == "rejected" and not partial else 200
    if partial:  # htmx swaps only 2xx answers: the outcome is in the fragment
        context = _context(lang, principal, settings, **view)
        return render(request, "datacenter/_submit_result.html", context)
    context = _submit_context(db, settings, principal, lang, owner, **view)
    return render(request, "datacenter/submit.html", context, status_code=status)


# ---------------------------------------------------------------- submissions


def _submissions_page(
    request: Request,
    db: Session,
    settings: Settings,
    scope: Scope,
    principal: Principal,
    lang: str,
    period: str | None,
    *,
    overdue: bool,
) -> Response:
    p = Period.parse(period) if period else _last_month(settings)
    states = submission_states(
        db, scope=scope, dataset="flash_report", period=p, settings=settings.ingest
    )
    counts = {k: sum(1 for s in states if s.status == k) for k in STATUSES}
    shown = [s for s in states if s.status in OVERDUE_STATUSES] if overdue else states
    deadline = states[0].deadline if states else None
    context = _context(
        lang,
        principal,
        settings,
        period=str(p),
        states=shown,
        counts=counts,
        statuses=STATUSES,
        deadline=deadline,
        overdue=overdue,
    )
    return render(request, "datacenter/submissions.html", context)


PagePeriod = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    period: PagePeriod = None,
) -> Response:
    return _submissions_page(request, db, settings, scope, principal, lang, period, overdue=False)


@router.get("/submissions/overdue", response_class=HTMLResponse)
def overdue_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: RegulatorDep,
    lang: LangDep,
    period: PagePeriod = None,
) -> Response:
    """The 催报 list: enterprises missing or late for the period (regulators only)."""
    return _submissions_page(request, db, settings, scope, principal, lang, period, overdue=True)
