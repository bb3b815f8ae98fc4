"""Loading the demo's 36 months of flash reports into the lake — through the same validation
and commit path a submission takes, so the demo also proves the rules accept consistent data.

One lake commit per period (all entities that period), stamped with each enterprise's own
(fictitious) submission time, so the reporting calendar shows on-time, late and missing
reports exactly as planted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected
from zhiguo.core.workspace import Workspace
from zhiguo.datacenter.catalog import default_registry, sync_catalog
from zhiguo.datacenter.ingest import (
    RAW_SCHEMA,
    ValidationContext,
    commit_facts,
    entities_table,
    previous_reader,
    validate_facts,
)
from zhiguo.datacenter.lake import LakeTable

from .reports import DemoReports

__all__ = ["load_flash_reports"]

DEMO_SUBMITTER = "demo"


def _raw(facts: pa.Table) -> pa.Table:
    n = facts.num_rows
    columns = {
        "uscc": facts["uscc"],
        "period": facts["period"],
        "report_type": facts["report_type"],
        "unit": pa.repeat(pa.scalar("yuan", pa.string()), n),
        "item_code": facts["item_code"],
        "caliber": facts["caliber"],
        "scope": facts["scope"],
        "value": facts["value"],
        "_sheet": pa.nulls(n, pa.string()),
        "_row": pa.array(np.arange(1, n + 1, dtype=np.int32)),
        "_column": pa.nulls(n, pa.string()),
    }
    schema = RAW_SCHEMA.set(RAW_SCHEMA.get_field_index("value"), pa.field("value", pa.float64()))
    return pa.table(columns, schema=schema)


def load_flash_reports(
    session: Session,
    ws: Workspace,
    reports: DemoReports,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Validate and commit every period of ``reports``; returns the number of facts."""
    sync_catalog(session)
    table = LakeTable(ws.root / "lake", default_registry().get("flash_report"))
    entities = entities_table(session)
    subs = reports.submissions.filter(pc.is_valid(reports.submissions["submitted_at"]))
    total = 0
    for period, facts in reports.iter_facts():
        ctx = ValidationContext(
            file=f"demo-{period}",
            entities=entities,
            allowed_ids=Scope.everything().enterprise_ids,
            period_state=lambda _p: "open",
            previous_facts=previous_reader(table),
        )
        checked = validate_facts(_raw(facts), ctx)
        if checked.errors:
            raise ImportRejected(checked.errors[:50], file=f"demo-{period}")
        accepted = checked.facts
        when = subs.filter(pc.equal(subs["period"], period)).select(
            ["uscc", "report_type", "submitted_at"]
        )
        stamped = accepted.join(when, ["uscc", "report_type"], join_type="left outer")
        commit_facts(
            session=session,
            table=table,
            facts=stamped.drop_columns(["submitted_at"]),
            batch_id=str(uuid.uuid4()),
            submitter=DEMO_SUBMITTER,
            submitted_at=stamped["submitted_at"].combine_chunks(),
        )
        total += accepted.num_rows
        if progress:
            progress(1)
    return total
