"""``zhiguo plan5g`` from the command line: the table with the gap, exit 1 when unreachable."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "operations" / "planning"))
from plan_fixtures import city_sites, enterprise_id, small_demand

from zhiguo.cli.plan_cmds import plan5g
from zhiguo.core import Workspace, create_db_engine, make_sessionmaker, session_scope
from zhiguo.core.access import Scope
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.operations.planning import service
from zhiguo.operations.planning.models import OperationsPlan, OperationsPlanSite
from zhiguo.registry import load_records
from zhiguo.security.audit import AuditRecord
from zhiguo.testing import sample_records

runner = CliRunner()
app = typer.Typer()
app.command("plan5g")(plan5g)


@app.callback()
def _root() -> None:
    """(a group, so the command is called by name as under ``zhiguo``)"""


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def planning_ws(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    engine = create_db_engine(workspace.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            enterprises, ownership = sample_records()
            load_records(session=session, enterprises=enterprises, ownership=ownership)
            city_sites(session)
    finally:
        engine.dispose()
    monkeypatch.setattr(service, "load_demand", lambda lake_root, settings: small_demand())
    return workspace


def _count(ws: Workspace, model: type) -> int:
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return len(list(session.scalars(select(model))))
    finally:
        engine.dispose()


def test_plan5g_prints_cost_coverage_and_gap(planning_ws: Workspace) -> None:
    result = runner.invoke(
        app,
        ["plan5g", "--target-coverage", "0.8", "--time-limit", "3", "-w", str(planning_ws.root)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    out = _plain(result.stdout)
    for label in ("cost", "coverage", "lower bound", "gap", "greedy", "pinned"):
        assert label in out, out
    assert re.search(r"差距 gap\s*│\s*\d+\.\d\d%", out), out
    assert _count(planning_ws, OperationsPlan) == 1
    events = [a for a in _audit(planning_ws) if a == "plans.run"]
    assert events == ["plans.run"]
    # published: the chosen sites, visible to the regulator, none to the other group
    lake = open_table(planning_ws.lake, "operations.plan_sites")
    rows = _rows(scoped_snapshot(lake, Scope.everything()).data)
    assert len(rows) == _count(planning_ws, OperationsPlanSite) == 4 and {
        r["code"] for r in rows if r["pinned"]
    } == {"W2"}
    g2 = Scope.of([_enterprise(planning_ws, "G2")])
    assert _rows(scoped_snapshot(lake, g2).data) == []


def test_plan5g_budget_mode(planning_ws: Workspace) -> None:
    result = runner.invoke(
        app,
        [
            "plan5g",
            "--budget",
            "300000",
            "--exclude",
            "E1,E2",
            "--time-limit",
            "3",
            "-w",
            str(planning_ws.root),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "upper bound" in _plain(result.stdout)


def test_plan5g_unreachable_target_exits_1_in_both_languages(planning_ws: Workspace) -> None:
    result = runner.invoke(
        app, ["plan5g", "--target-coverage", "0.99", "-w", str(planning_ws.root)]
    )
    assert result.exit_code == 1
    err = _plain(result.stderr)
    assert "ZG-PLAN-051" in err and "无法达到" in err and "not reachable" in err
    assert "91.53%" in err  # what every allowed site together reaches
    assert _count(planning_ws, OperationsPlan) == 0


def test_plan5g_needs_exactly_one_goal(planning_ws: Workspace) -> None:
    both = runner.invoke(
        app, ["plan5g", "--target-coverage", "0.5", "--budget", "1", "-w", str(planning_ws.root)]
    )
    assert both.exit_code != 0
    unknown = runner.invoke(
        app, ["plan5g", "--budget", "1", "--exclude", "NOPE", "-w", str(planning_ws.root)]
    )
    assert unknown.exit_code == 1 and "ZG-PLAN-053" in _plain(unknown.stderr)


def _rows(data: object) -> list[dict[str, object]]:
    table = data if isinstance(data, pa.Table) else data.to_table()  # type: ignore[attr-defined]
    return list(table.to_pylist())


def _enterprise(ws: Workspace, key: str) -> int:
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return enterprise_id(session, key)
    finally:
        engine.dispose()


def _audit(ws: Workspace) -> list[str]:
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return [str(e) for e in session.scalars(select(AuditRecord.event_type))]
    finally:
        engine.dispose()
