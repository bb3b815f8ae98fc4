"""``zhiguo catalog verify-labels`` names a tampered dataset (exit 1) and ``--repair``
restores it from the in-code declaration."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.core import Workspace, create_db_engine, make_sessionmaker
from zhiguo.datacenter.catalog import DatasetEntry

runner = CliRunner()


def _tamper(workspace: Workspace) -> None:
    engine = create_db_engine(workspace.settings)
    try:
        with make_sessionmaker(engine)() as session:
            session.execute(
                update(DatasetEntry)
                .where(DatasetEntry.name == "flash_report")
                .values(classification="general")
            )
            session.commit()
    finally:
        engine.dispose()


def test_verify_labels_reports_the_tampered_dataset(workspace: Workspace) -> None:
    ws = ["--workspace", str(workspace.root)]
    first = runner.invoke(app, ["catalog", "verify-labels", *ws])
    assert first.exit_code == 0, first.output
    assert "flash_report: OK" in first.output
    assert (Path(workspace.root) / "keys" / "label-hmac.key").exists()
    _tamper(workspace)
    bad = runner.invoke(app, ["catalog", "verify-labels", *ws])
    assert bad.exit_code == 1
    assert "flash_report: TAMPERED (mac_mismatch)" in bad.output
    assert "supervision.indicator_values: OK" in bad.output
    repaired = runner.invoke(app, ["catalog", "verify-labels", "--repair", *ws])
    assert repaired.exit_code == 0 and "flash_report" in repaired.output
    again = runner.invoke(app, ["catalog", "verify-labels", *ws])
    assert again.exit_code == 0, again.output


def test_cli_lake_query_is_audited_once(workspace: Workspace) -> None:
    import datetime as dt

    import pyarrow as pa
    from sqlalchemy import select

    from zhiguo.datacenter.catalog import default_registry
    from zhiguo.datacenter.lake import LakeTable
    from zhiguo.security.audit import AuditRecord

    spec = default_registry().get("flash_report")
    sample = {
        "string": "2026-01",
        "int32": 1,
        "int64": 1,
        "float64": 1.0,
        "bool": True,
        "date": dt.date(2026, 1, 31),
        "timestamp": dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    }
    row = {c.name: sample[c.type] for c in spec.columns}
    LakeTable(Path(workspace.root) / "lake", spec).commit(
        pa.Table.from_pylist([row], schema=spec.arrow_schema)
    )
    result = runner.invoke(
        app,
        ["lake", "query", "SELECT count(*) AS n FROM flash_report", "-w", str(workspace.root)],
    )
    assert result.exit_code == 0, result.output
    engine = create_db_engine(workspace.settings)
    try:
        with make_sessionmaker(engine)() as session:
            reads = session.scalars(
                select(AuditRecord).where(AuditRecord.event_type == "data.read")
            ).all()
    finally:
        engine.dispose()
    assert [(r.object, r.username.startswith("cli:")) for r in reads] == [("flash_report", True)]
