"""Data-centre API: the catalog, file submission (报送), batches and their validation reports,
submission status (催报) and scoped lake reads. Thin: parse, call the data centre, render.

Every read takes the caller's scope: submission states and lake rows are narrowed by the
data centre itself (``submission_states``, ``scoped_snapshot``); ingest batches are readable
by whole-portfolio roles and by the user who submitted them (``BatchOwnerDep``), and a batch
anyone else asks for answers 404 like one that does not exist.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, NotFound, TooLarge
from zhiguo.core.periods import Period
from zhiguo.core.settings import Settings
from zhiguo.datacenter.catalog import ColumnSpec, dataset_detail, list_datasets, sync_catalog
from zhiguo.datacenter.ingest import (
    IngestBatch,
    IngestResult,
    find_batch,
    ingest_file,
    list_batches,
    submission_states,
)
from zhiguo.datacenter.lake import lake_facts, visible_rows
from zhiguo.security.audit import record_event

from ..deps import (
    BatchOwnerDep,
    PrincipalDep,
    RegulatorDep,
    RequestInfoDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
    SubmitterDep,
)
from ..policy import AUTHENTICATED
from .registry_api import safe_upload_name

__all__ = [
    "OVERDUE_STATUSES",
    "STATUSES",
    "batch_report_path",
    "ingest_upload",
    "router",
    "spool_upload",
]

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(prefix="/api", tags=["datacenter"], dependencies=[AUTHENTICATED])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 1 << 20
STATUSES = ("on_time", "late", "missing", "pending")
OVERDUE_STATUSES = ("missing", "late")  # the 催报 list, as ``zhiguo periods status --overdue``

DatasetName = Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")]
PeriodParam = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="期间 YYYY-MM")]
Encoding = Literal["utf-8", "utf-8-sig", "gb18030", "gbk"]


# ---------------------------------------------------------------- shared with the pages


def spool_upload(upload: UploadFile, target: Path, *, max_mb: int) -> Path:
    """Copy an upload to ``target`` in 1 MiB chunks, refusing it (413) past ``max_mb``:
    never more than one chunk of it is held in memory here."""
    limit = max_mb * 1024 * 1024
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(
                    f"文件超过 {max_mb} MB 上限（ingest.max_file_mb）",
                    f"File exceeds the {max_mb} MB limit (ingest.max_file_mb)",
                )
            out.write(chunk)
    return target


def ingest_upload(
    *,
    session: Session,
    settings: Settings,
    upload: UploadFile,
    dataset: str,
    submitter: str,
    scope: Scope,
    channel: str,
    encoding: str | None,
    dry_run: bool,
) -> IngestResult:
    """Spool the upload to a temporary file and ingest it with the caller's scope; the
    session is committed, so a rejected batch stays on record."""
    name = safe_upload_name(upload.filename, f"{dataset}.csv")
    with tempfile.TemporaryDirectory(prefix="zhiguo-upload-") as tmp:
        path = spool_upload(upload, Path(tmp) / name, max_mb=settings.ingest.max_file_mb)
        result = ingest_file(
            session=session, settings=settings, path=path, dataset=dataset,
            submitter=submitter, scope=scope, channel=channel, file_name=name,
            encoding=encoding, dry_run=dry_run,
        )  # fmt: skip
    session.commit()
    return result


def batch_report_path(settings: Settings, batch_id: str) -> Path:
    """Where the ingest service writes a batch's xlsx validation report."""
    return settings.workspace / "reports" / "ingest" / f"{batch_id}.xlsx"


def _report_url(settings: Settings, batch_id: str) -> str | None:
    if batch_report_path(settings, batch_id).is_file():
        return f"/api/ingest/batches/{batch_id}/report"
    return None


# ---------------------------------------------------------------- response models


class DatasetSummary(BaseModel):
    name: str
    title_zh: str
    title_en: str
    owner_platform: str
    classification: str


class CatalogOut(BaseModel):
    items: list[DatasetSummary]


class CommitOut(BaseModel):
    version: int
    operation: str
    batch_id: str | None
    inbox_sha256: str | None
    rows: int
    inputs: dict[str, int]
    committed_by: str
    committed_at: datetime | None


class DatasetOut(BaseModel):
    """A dataset's declaration and state. ``rows`` counts the rows the caller may read;
    ``lineage`` (batches, inbox files, submitters) is given to whole-portfolio roles only."""

    name: str
    title_zh: str
    title_en: str
    description: str
    owner_platform: str
    classification: str
    classification_zh: str
    primary_key: list[str]
    retention_days: int | None
    columns: list[ColumnSpec]
    version: int
    rows: int
    files: int
    lineage: list[CommitOut] | None


class IngestOut(BaseModel):
    batch_id: str
    status: str  # accepted | duplicate | checked (dry run); rejected answers 422
    file_name: str
    sha256: str
    facts: int
    entities: int
    lake_version: int | None
    warnings: list[dict[str, Any]]
    report: str | None


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    dataset: str
    file_name: str
    submitter: str
    channel: str
    status: str
    facts: int
    entities: int
    errors: int
    warnings: int
    lake_version: int | None
    received_at: datetime
    report: str | None = None


class BatchPage(BaseModel):
    items: list[BatchOut]
    total: int
    limit: int
    offset: int


class BatchDetail(BatchOut):
    inbox_sha256: str
    file_bytes: int
    problems: list[dict[str, Any]]


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enterprise_id: int
    uscc: str
    name_zh: str
    level: int
    status: str
    deadline: datetime
    submitted_at: datetime | None
    revisions: int
    days_late: int


class SubmissionsOut(BaseModel):
    dataset: str
    period: str
    counts: dict[str, int]
    items: list[SubmissionOut]


class LakeRowsOut(BaseModel):
    dataset: str
    version: int
    count: int
    limit: int
    rows: list[dict[str, Any]]


def _batch_out(settings: Settings, batch: IngestBatch) -> BatchOut:
    out = BatchOut.model_validate(batch)
    out.report = _report_url(settings, batch.id)
    return out


def _submissions(states: list[Any], dataset: str, period: Period) -> SubmissionsOut:
    return SubmissionsOut(
        dataset=dataset,
        period=str(period),
        counts={k: sum(1 for s in states if s.status == k) for k in STATUSES},
        items=[SubmissionOut.model_validate(s) for s in states],
    )


# ---------------------------------------------------------------- catalog


@router.get("/catalog")
def catalog(db: SessionDep, scope: ScopeDep) -> CatalogOut:
    """Every registered dataset: name, titles, owning platform, effective classification."""
    del scope  # any signed-in caller may browse the catalog (declarations, not data)
    sync_catalog(db)
    return CatalogOut(
        items=[
            DatasetSummary(
                name=e.name,
                title_zh=e.title_zh,
                title_en=e.title_en,
                owner_platform=e.owner_platform,
                classification=e.classification,
            )
            for e in list_datasets(db)
        ]
    )


@router.get("/catalog/{name}")
def catalog_dataset(
    name: DatasetName, db: SessionDep, settings: SettingsDep, scope: ScopeDep
) -> DatasetOut:
    """A dataset's columns (type, unit, labels, classification), key, retention, lake
    version and the rows the caller may read; lineage for whole-portfolio roles only."""
    sync_catalog(db)
    detail = dataset_detail(db, settings.workspace / "lake", name)
    spec = detail.spec
    lineage = [CommitOut.model_validate(c) for c in detail.commits]
    return DatasetOut(
        name=spec.name,
        title_zh=spec.title_zh,
        title_en=spec.title_en,
        description=spec.description,
        owner_platform=spec.owner_platform,
        classification=spec.effective_classification.value,
        classification_zh=spec.effective_classification.label_zh,
        primary_key=list(spec.primary_key),
        retention_days=spec.retention_days,
        columns=list(spec.columns),
        version=detail.version,
        rows=visible_rows(settings.workspace / "lake", settings.engine, scope, name),
        files=detail.files,
        lineage=lineage if scope.is_unrestricted else None,
    )


# ---------------------------------------------------------------- ingest


def _rejection(settings: Settings, result: IngestResult) -> ImportRejected:
    """The 422 for a rejected file: every problem, plus the batch and its report link."""
    error = ImportRejected(result.problems, file=result.file_name)
    error.details["report"] = {
        "batch_id": result.batch_id,
        "status": result.status,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "url": _report_url(settings, result.batch_id),
    }
    return error


@router.post("/ingest/{dataset}")
def ingest(
    dataset: DatasetName,
    db: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    scope: ScopeDep,
    info: RequestInfoDep,
    file: Annotated[UploadFile, File(description="报送文件 xlsx / csv / json / parquet")],
    dry_run: Annotated[bool, Query(description="只校验不写入 / check only")] = False,
    encoding: Annotated[Encoding | None, Query(description="CSV 编码（默认自动识别）")] = None,
) -> IngestOut:
    """Submit one file for ``dataset``: kept in the inbox first, validated against the
    caller's reporting scope, committed to the lake atomically — or 422 with every problem
    (sheet, row, column, item, rule, zh/en) and nothing written."""
    result = ingest_upload(
        session=db, settings=settings, upload=file, dataset=dataset,
        submitter=principal.username, scope=scope, channel="api", encoding=encoding,
        dry_run=dry_run,
    )  # fmt: skip
    if result.status == "rejected":
        raise _rejection(settings, result)
    if not dry_run:
        record_event(
            db,
            event_type="data.submit",
            principal=principal,
            object=f"{dataset}/{result.batch_id}",
            detail={
                "file": result.file_name,
                "sha256": result.sha256,
                "facts": result.facts,
                "lake_version": result.lake_version,
                "status": result.status,
            },
            client_addr=info.client_addr,
            request_id=info.request_id,
        )
    return IngestOut(
        batch_id=result.batch_id,
        status=result.status,
        file_name=result.file_name,
        sha256=result.sha256,
        facts=result.facts,
        entities=result.entities,
        lake_version=result.lake_version,
        warnings=[p.as_dict() for p in result.warnings],
        report=_report_url(settings, result.batch_id),
    )


@router.get("/ingest/batches")
def batches(
    db: SessionDep,
    settings: SettingsDep,
    owner: BatchOwnerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> BatchPage:
    """Received files and what became of them: all for whole-portfolio roles, otherwise
    the caller's own submissions."""
    items, total = list_batches(db, owner=owner, limit=limit, offset=offset)
    return BatchPage(
        items=[_batch_out(settings, b) for b in items], total=total, limit=limit, offset=offset
    )


@router.get("/ingest/batches/{batch_id}")
def batch_detail(
    batch_id: UUID, db: SessionDep, settings: SettingsDep, owner: BatchOwnerDep
) -> BatchDetail:
    """One batch with every problem found (404 for anyone else's batch)."""
    batch = find_batch(db, owner=owner, batch_id=batch_id)
    return BatchDetail(
        **_batch_out(settings, batch).model_dump(),
        inbox_sha256=batch.inbox_sha256,
        file_bytes=batch.file_bytes,
        problems=json.loads(batch.problems_json or "[]"),
    )


@router.get(
    "/ingest/batches/{batch_id}/report",
    response_class=FileResponse,
    responses={200: {"content": {_XLSX: {}}, "description": "the xlsx validation report"}},
)
def batch_report(
    batch_id: UUID,
    db: SessionDep,
    settings: SettingsDep,
    owner: BatchOwnerDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> FileResponse:
    """The batch's xlsx validation report (every problem, located); 404 if it has none."""
    batch = find_batch(db, owner=owner, batch_id=batch_id)
    path = batch_report_path(settings, batch.id)
    if not path.is_file():
        raise NotFound("该批次没有校验报告", "This batch has no validation report")
    record_event(
        db,
        event_type="data.export",
        principal=principal,
        object=f"ingest-report/{batch.id}",
        client_addr=info.client_addr,
        request_id=info.request_id,
    )
    db.commit()  # audited before the file leaves
    return FileResponse(path, media_type=_XLSX, filename=f"validation-{batch.id}.xlsx")


# ---------------------------------------------------------------- submissions (报送情况, 催报)


@router.get("/submissions")
def submissions(
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    period: PeriodParam,
    dataset: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_.]*$", max_length=100)] = (
        "flash_report"
    ),
) -> SubmissionsOut:
    """Each enterprise in the caller's scope expected to report ``period``: on time, late,
    missing or pending, with counts per status."""
    p = Period.parse(period)
    states = submission_states(db, scope=scope, dataset=dataset, period=p, settings=settings.ingest)
    return _submissions(states, dataset, p)


@router.get("/submissions/overdue")
def overdue(
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: RegulatorDep,
    period: PeriodParam,
    dataset: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_.]*$", max_length=100)] = (
        "flash_report"
    ),
) -> SubmissionsOut:
    """The reminder list (催报): enterprises missing or late for ``period`` (regulators)."""
    del principal  # the dependency is the check
    p = Period.parse(period)
    states = submission_states(db, scope=scope, dataset=dataset, period=p, settings=settings.ingest)
    return _submissions([s for s in states if s.status in OVERDUE_STATUSES], dataset, p)


# ---------------------------------------------------------------- lake reads


@router.get("/lake/flash_report")
def lake_flash_report(
    settings: SettingsDep,
    scope: ScopeDep,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    uscc: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{18}$")] = None,
    version: Annotated[int | None, Query(ge=0, le=10**9)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> LakeRowsOut:
    """Flash-report facts the caller may read (narrowed to their scope by the data centre),
    optionally for one period or enterprise and as of a lake version."""
    read, count, rows = lake_facts(
        settings.workspace / "lake",
        settings.engine,
        scope,
        period=period,
        uscc=uscc,
        version=version,
        limit=limit,
    )
    return LakeRowsOut(dataset="flash_report", version=read, count=count, limit=limit, rows=rows)
