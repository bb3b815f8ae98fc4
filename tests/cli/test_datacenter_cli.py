"""The data centre from the command line: ingest, catalog, periods and lake commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.testing import SAMPLE, sample_records, write_registry_xlsx
from zhiguo.testing.flash import flash_report_rows, write_csv

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    ents, owns = sample_records()
    src = write_registry_xlsx(tmp_path / "registry.xlsx", ents, owns)
    assert runner.invoke(app, ["registry", "import", str(src), "-w", str(ws)]).exit_code == 0
    return ws


def _version(ws: Path) -> int:
    shown = runner.invoke(app, ["catalog", "show", "flash_report", "--json", "-w", str(ws)])
    assert shown.exit_code == 0, shown.output
    return int(json.loads(_plain(shown.output))["version"])


def test_ingest_accepts_then_recognises_the_same_file(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    path = write_csv(tmp_path / "a1.csv", flash_report_rows(SAMPLE["A1"], "2026-01"))
    first = runner.invoke(app, ["ingest", str(path), "--dataset", "flash_report", "-w", str(ws)])
    assert first.exit_code == 0, first.output
    assert "accepted" in _plain(first.output)
    assert _version(ws) == 1
    again = runner.invoke(app, ["ingest", str(path), "-w", str(ws)])
    assert again.exit_code == 0 and "duplicate" in _plain(again.output)
    assert _version(ws) == 1


def test_a_rejected_file_exits_1_names_the_row_and_changes_nothing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    rows = flash_report_rows(SAMPLE["A1"], "2026-01")
    rows[0]["value"] = "-1"  # total_assets closing, row 2
    path = write_csv(tmp_path / "bad.csv", rows)
    before = _plain(runner.invoke(app, ["catalog", "show", "flash_report", "-w", str(ws)]).output)
    result = runner.invoke(app, ["ingest", str(path), "-w", str(ws)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    out = _plain(result.output)
    assert "ZG-INGEST-053" in out and "nothing written" in out
    assert re.search(r"bad\.csv\s*│\s*2\s*│", out), out
    after = _plain(runner.invoke(app, ["catalog", "show", "flash_report", "-w", str(ws)]).output)
    assert after == before


def test_closed_periods_refuse_data_and_status_lists_who_is_missing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    assert runner.invoke(app, ["periods", "close", "2026-01", "-w", str(ws)]).exit_code == 0
    path = write_csv(tmp_path / "a1.csv", flash_report_rows(SAMPLE["A1"], "2026-01"))
    refused = runner.invoke(app, ["ingest", str(path), "-w", str(ws)], env={"COLUMNS": "200"})
    assert refused.exit_code == 1 and "ZG-INGEST-091" in _plain(refused.output)
    assert runner.invoke(app, ["periods", "reopen", "2026-01", "-w", str(ws)]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(path), "-w", str(ws)]).exit_code == 0
    status = runner.invoke(
        app, ["periods", "status", "2026-01", "--overdue", "-w", str(ws)], env={"COLUMNS": "200"}
    )
    out = _plain(status.output)
    assert status.exit_code == 0
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "逾期报送" in lines[SAMPLE["A1"]]  # submitted today, long after 2026-02-15
    assert "未报送" in lines[SAMPLE["B11"]]


def test_catalog_lists_datasets_and_lake_answers_queries(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    listed = runner.invoke(app, ["catalog", "list", "-w", str(ws)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "flash_report" in listed.output
    path = write_csv(tmp_path / "a1.csv", flash_report_rows(SAMPLE["A1"], "2026-01"))
    runner.invoke(app, ["ingest", str(path), "-w", str(ws)])
    query = runner.invoke(
        app,
        ["lake", "query", "SELECT count(*) AS n FROM flash_report", "-w", str(ws)],
    )
    assert query.exit_code == 0, query.output
    assert str(len(flash_report_rows(SAMPLE["A1"], "2026-01"))) in query.output
    history = runner.invoke(app, ["lake", "history", "flash_report", "-w", str(ws)])
    assert history.exit_code == 0 and "WRITE" in history.output
    other = write_csv(tmp_path / "b11.csv", flash_report_rows(SAMPLE["B11"], "2026-01"))
    assert runner.invoke(app, ["ingest", str(other), "-w", str(ws)]).exit_code == 0
    compacted = runner.invoke(app, ["lake", "optimize", "flash_report", "-w", str(ws)])
    assert compacted.exit_code == 0 and "2 → 3" in _plain(compacted.output), compacted.output


def test_ingest_template_writes_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(
        app, ["ingest", "template", "--dataset", "flash_report", "--year", "2026", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
