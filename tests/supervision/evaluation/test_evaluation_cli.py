"""The evaluation and ledger commands, mounted the way ``zhiguo.cli.main`` mounts them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from zhiguo.cli import app as zhiguo_app
from zhiguo.cli import evaluation_cmds
from zhiguo.demo.standard_values import write_demo_standard_values
from zhiguo.testing import SAMPLE, sample_records, write_registry_xlsx

runner = CliRunner()
app = typer.Typer()
app.add_typer(evaluation_cmds.benchmarks_app, name="benchmarks")
app.add_typer(evaluation_cmds.factors_app, name="factors")
app.command("evaluate")(evaluation_cmds.evaluate)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert runner.invoke(zhiguo_app, ["init", str(ws)]).exit_code == 0
    src = write_registry_xlsx(tmp_path / "registry.xlsx", *sample_records())
    assert runner.invoke(zhiguo_app, ["registry", "import", str(src), "-w", str(ws)]).exit_code == 0
    return ws


def test_benchmarks_import_list_and_a_rejected_file(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    demo = write_demo_standard_values(tmp_path / "demo.csv")
    done = runner.invoke(app, ["benchmarks", "import", str(demo), "--fictitious", "-w", str(ws)])
    assert done.exit_code == 0, done.output
    assert "2026" in _plain(done.output) and "fictitious" in _plain(done.output)
    listed = runner.invoke(app, ["benchmarks", "list", "-w", str(ws)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "2026" in _plain(listed.output)
    rows = runner.invoke(
        app, ["benchmarks", "list", "--edition", "2026", "--indicator", "debt_ratio",
              "-w", str(ws)], env={"COLUMNS": "200"},
    )  # fmt: skip
    assert rows.exit_code == 0 and "debt_ratio" in _plain(rows.output)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "edition,industry_code,size_class,indicator_code,excellent,good,average,low,poor\n"
        "2027,ALL,all,roe,1,2,3,4,5\n",
        encoding="utf-8",
    )
    rejected = runner.invoke(
        app, ["benchmarks", "import", str(bad), "-w", str(ws)], env={"COLUMNS": "200"}
    )
    assert rejected.exit_code == 1
    assert "ZG-EVAL-023" in _plain(rejected.output)


def test_factors_add_and_list(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    evidence = tmp_path / "批复.pdf"
    evidence.write_bytes(b"%PDF fictitious")
    added = runner.invoke(
        app,
        ["factors", "add", "-e", SAMPLE["A1"], "-p", "2026-03", "--direction", "decrease",
         "--type", "dividends_paid", "--amount", "1200000", "--evidence", str(evidence),
         "-w", str(ws)],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(
        app, ["factors", "list", "--year", "2026", "-w", str(ws)], env={"COLUMNS": "200"}
    )
    out = _plain(listed.output)
    assert listed.exit_code == 0 and "dividends_paid" in out and "1,200,000.00" in out
    types = runner.invoke(app, ["factors", "types"], env={"COLUMNS": "200"})
    assert "state_investment" in _plain(types.output)


def test_evaluate_json_without_indicator_values_fails_clearly(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    result = runner.invoke(app, ["evaluate", "--period", "2026-09", "--json", "-w", str(ws)])
    assert result.exit_code != 0
    assert getattr(result.exception, "code", "") == "ZG-EVAL-060"


def test_evaluate_json_lists_results(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import pyarrow as pa

    from zhiguo.core import open_workspace
    from zhiguo.datacenter.lake import open_table

    ws = _workspace(tmp_path)
    assert runner.invoke(
        app, ["benchmarks", "import", str(write_demo_standard_values(tmp_path / "d.csv")),
              "-w", str(ws)],
    ).exit_code == 0  # fmt: skip
    lake = open_workspace(ws).lake
    row = {"enterprise_id": 1, "level": "group", "period": "2026-12", "indicator_code": "roe",
           "caliber": "sasac_avg_incl_minority", "value": 9.0, "unit": "%", "status": "ok",
           "reason": None, "source_version": 1, "library_version": "t",
           "computed_at": datetime(2026, 12, 31, tzinfo=UTC)}  # fmt: skip
    open_table(lake, "supervision.indicator_values").commit(pa.Table.from_pylist([row]))
    result = runner.invoke(app, ["evaluate", "--period", "2026-12", "--json", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(_plain(result.output))
    assert doc["enterprise_id"] == 1 and doc["total_score"] is None  # roe alone is too little
    assert doc["indicators"][0]["code"] == "roe" and doc["indicators"][0]["band"] is not None
