"""Ingesting one received file: keep it, read it, check it, commit it — or say exactly why not.

The order is the contract: (1) the file is stored in the inbox by SHA-256 before anything
else happens; (2) an identical file already accepted changes nothing; (3) it is read and
validated completely; (4) with any error nothing is written to the lake and the batch is
recorded as rejected with every problem; (5) otherwise the batch is recorded as
``committing``, the lake gets one atomic commit, and the batch, lineage and submission
status are updated. A crash between (5)'s steps leaves a lake version whose commit metadata
names the batch and inbox file, so nothing is orphaned silently.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import Location, Problem
from zhiguo.core.inbox import Received, keep_path, record_outcome
from zhiguo.core.periods import Period
from zhiguo.core.settings import Settings
from zhiguo.datacenter.catalog.registry import default_registry
from zhiguo.datacenter.catalog.service import record_commit
from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.datacenter.ingest import calendar
from zhiguo.datacenter.ingest.errors import problem
from zhiguo.datacenter.ingest.models import IngestBatch, Submission
from zhiguo.datacenter.ingest.readers import LONG_SUFFIXES, read_long
from zhiguo.datacenter.ingest.validate import ValidationContext, validate_facts
from zhiguo.datacenter.lake.tables import LakeTable
from zhiguo.registry import Enterprise

__all__ = [
    "IngestResult",
    "commit_facts",
    "entities_table",
    "ingest_file",
    "previous_reader",
    "read_submission",
]

_ENGINE = DuckDBEngine()


@dataclass
class IngestResult:
    """What happened to one file."""

    batch_id: str
    status: str  # accepted | rejected | duplicate | checked (dry run)
    file_name: str
    sha256: str
    facts: int = 0
    entities: int = 0
    lake_version: int | None = None
    problems: list[Problem] = field(default_factory=list)
    report_path: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def read_submission(
    path: Path, *, label: str, encoding: str | None = None
) -> tuple[pa.Table, list[Problem]]:
    """Raw facts of any supported file (xlsx through its guard first)."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        return pa.table({}), [problem("file.empty", Location(file=label))]
    if suffix == ".xlsx":
        from zhiguo.datacenter.ingest.xlsx_reader import read_flash_report_xlsx

        # the guard runs inside the reader, on the file's first bytes and zip directory,
        # before any sheet is parsed
        return read_flash_report_xlsx(path, file_label=label)
    if suffix in LONG_SUFFIXES:
        return read_long(path, label=label, encoding=encoding)
    return pa.table({}), [problem("file.unsupported", Location(file=label), suffix=suffix or "?")]


def entities_table(session: Session) -> pa.Table:
    """The registry as (uscc, enterprise_id, status) — what validation looks entities up in."""
    rows = session.execute(select(Enterprise.uscc, Enterprise.id, Enterprise.status)).all()
    return pa.table(
        {
            "uscc": pa.array([r[0] for r in rows], pa.string()),
            "enterprise_id": pa.array([r[1] for r in rows], pa.int64()),
            "status": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def previous_reader(table: LakeTable) -> Callable[[pa.Table], pa.Table] | None:
    if not table.exists():
        return None

    def read(keys: pa.Table) -> pa.Table:
        # periods are validated YYYY-MM strings; listing them lets the scan skip other files
        periods = sorted({p for p in keys["period"].to_pylist() if p})
        listed = ", ".join(f"'{p}'" for p in periods if len(p) == 7 and p[4] == "-") or "''"
        return _ENGINE.query(
            f"""
            SELECT l.enterprise_id, l.period, l.report_type, l.item_code, l.caliber, l.scope,
                   l.value
            FROM lake l SEMI JOIN keys k USING (enterprise_id, period)
            WHERE l.period IN ({listed})
            """,
            tables={"lake": table.snapshot(), "keys": keys},
        )

    return read


def _write_report(
    settings: Settings, batch_id: str, problems: list[Problem], source: Path
) -> Path | None:
    if not problems:
        return None
    try:
        from zhiguo.datacenter.ingest.report_xlsx import write_validation_report
    except ImportError:  # pragma: no cover - the report writer ships with the package
        return None
    target = settings.workspace / "reports" / "ingest" / f"{batch_id}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    xlsx_source = source if source.suffix.lower() == ".xlsx" else None
    return write_validation_report(target, problems, source=xlsx_source)


def ingest_file(
    *,
    session: Session,
    settings: Settings,
    path: Path,
    dataset: str,
    submitter: str,
    scope: Scope,
    channel: str = "cli",
    file_name: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> IngestResult:
    """Ingest one file for ``dataset`` on behalf of ``submitter`` limited to ``scope``.

    The caller commits ``session`` (batch and submission rows) after this returns; the lake
    commit has happened by then for an accepted file.
    """
    spec = default_registry().get(dataset)
    label = file_name or path.name
    moment = now or datetime.now(UTC)
    batch_id = str(uuid.uuid4())
    size = path.stat().st_size
    received = keep_path(settings.workspace / "inbox", dataset, path, name=label, sender=submitter)
    result = IngestResult(batch_id, "rejected", label, received.sha256)

    def record(status: str, problems: list[Problem]) -> None:
        """The batch row, as it stands now (written again as the batch moves on)."""
        session.merge(
            IngestBatch(
                id=batch_id,
                dataset=dataset,
                inbox_sha256=received.sha256,
                file_name=label[:300],
                file_bytes=min(size, 2**31 - 1),
                submitter=submitter,
                channel=channel,
                status=status,
                facts=result.facts,
                entities=result.entities,
                errors=sum(p.severity == "error" for p in problems),
                warnings=sum(p.severity == "warning" for p in problems),
                lake_version=result.lake_version,
                problems_json=json.dumps([p.as_dict() for p in problems], ensure_ascii=False),
                received_at=moment,
            )
        )
        session.flush()

    def finish(status: str, problems: list[Problem], **extra: object) -> IngestResult:
        result.status, result.problems = status, problems
        if not dry_run:
            result.report_path = _write_report(settings, batch_id, problems, received.path)
            record(status, problems)
            _outcome(received, result, **extra)
        return result

    limit = settings.ingest.max_file_mb * 1024 * 1024
    if size > limit:
        p = problem(
            "file.too_large",
            Location(file=label),
            size_mb=f"{size / 2**20:,.1f}",
            limit_mb=settings.ingest.max_file_mb,
        )
        return finish("rejected", [p])

    raw, problems = read_submission(received.path, label=label, encoding=encoding)
    if any(p.severity == "error" for p in problems):
        return finish("rejected", problems)

    table = LakeTable(settings.workspace / "lake", spec)
    ctx = ValidationContext(
        file=label,
        entities=entities_table(session),
        allowed_ids=scope.enterprise_ids,
        period_state=lambda p: calendar.period_state(session, dataset, Period.parse(p), now=moment),
        previous_facts=previous_reader(table),
        max_per_rule=settings.ingest.max_problems_per_rule,
    )
    checked = validate_facts(raw, ctx)
    problems = problems + checked.problems
    facts = checked.facts
    result.facts = facts.num_rows
    result.entities = len(pc.unique(facts["enterprise_id"])) if facts.num_rows else 0
    if checked.errors or any(p.severity == "error" for p in problems):
        return finish("rejected", problems)
    if dry_run:
        result.status, result.problems = "checked", problems
        return result

    # An identical file accepted before changes nothing — recognised only *after* the checks,
    # so a caller cannot learn anything about a file outside their scope by re-sending it.
    if received.already_known:
        earlier = session.scalar(
            select(IngestBatch).where(
                IngestBatch.inbox_sha256 == received.sha256,
                IngestBatch.dataset == dataset,
                IngestBatch.status == "accepted",
            )
        )
        if earlier is not None:
            result.lake_version = earlier.lake_version
            result.facts, result.entities = earlier.facts, earlier.entities
            return finish("duplicate", [], duplicate_of=earlier.id)

    # record the batch before the lake commit, so a crash in between is traceable
    record("committing", [])
    session.commit()
    result.lake_version = commit_facts(
        session=session,
        table=table,
        facts=facts,
        batch_id=batch_id,
        submitter=submitter,
        submitted_at=moment,
        inbox_sha256=received.sha256,
    )
    return finish("accepted", problems)


def commit_facts(
    *,
    session: Session,
    table: LakeTable,
    facts: pa.Table,
    batch_id: str,
    submitter: str,
    submitted_at: datetime | pa.Array,
    inbox_sha256: str | None = None,
) -> int:
    """Commit validated ``facts`` as one lake version, with its lineage and the submission
    status of every report it holds; returns the version. ``submitted_at`` is one moment or
    one per row (the demo replays each enterprise's own submission time)."""
    n = facts.num_rows
    stamps = (
        pa.repeat(pa.scalar(submitted_at, pa.timestamp("us", tz="UTC")), n)
        if isinstance(submitted_at, datetime)
        else submitted_at.cast(pa.timestamp("us", tz="UTC"))
    )
    stamped = facts.append_column("batch_id", pa.repeat(pa.scalar(batch_id, pa.string()), n))
    stamped = stamped.append_column("submitted_at", stamps)
    metadata = {"batch_id": batch_id, "submitter": submitter}
    if inbox_sha256:
        metadata["inbox_sha256"] = inbox_sha256
    version = table.commit(stamped, metadata=metadata)
    record_commit(
        session,
        dataset=table.spec.name,
        version=version,
        operation="submit",
        rows=n,
        committed_by=submitter,
        batch_id=batch_id,
        inbox_sha256=inbox_sha256,
    )
    _record_submissions(session, table.spec.name, stamped, batch_id, version)
    return version


def _record_submissions(
    session: Session, dataset: str, stamped: pa.Table, batch_id: str, version: int
) -> None:
    keys = stamped.group_by(["enterprise_id", "period", "report_type"]).aggregate(
        [("submitted_at", "min")]
    )
    periods = sorted(set(keys["period"].to_pylist()))
    known = {
        (s.enterprise_id, s.period, s.report_type): s
        for s in session.scalars(
            select(Submission).where(Submission.dataset == dataset, Submission.period.in_(periods))
        )
    }
    fresh: list[dict[str, object]] = []
    for key in keys.to_pylist():
        moment = key.pop("submitted_at_min")
        sub = known.get((key["enterprise_id"], key["period"], key["report_type"]))
        if sub is None:
            fresh.append(
                {
                    "dataset": dataset,
                    "first_submitted_at": moment,
                    "last_submitted_at": moment,
                    "revisions": 1,
                    "batch_id": batch_id,
                    "lake_version": version,
                    **key,
                }
            )
        else:
            sub.last_submitted_at, sub.revisions = moment, sub.revisions + 1
            sub.batch_id, sub.lake_version = batch_id, version
    if fresh:  # one executemany, not one ORM object per report
        session.execute(insert(Submission), fresh)
    session.flush()


def _outcome(received: Received, result: IngestResult, **extra: object) -> None:
    record_outcome(
        received,
        {
            "batch_id": result.batch_id,
            "status": result.status,
            "facts": result.facts,
            "lake_version": result.lake_version,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "problems": [p.as_dict() for p in result.problems[:1000]],
            **extra,
        },
    )
