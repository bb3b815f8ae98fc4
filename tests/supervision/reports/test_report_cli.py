"""``zhiguo report monthly`` as an operator runs it: progress, files in reports/, and a
period without values refused with its code in both languages (exit status 2)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from openpyxl import load_workbook
from typer.testing import CliRunner

from zhiguo.cli.report_cmds import app

if TYPE_CHECKING:
    from conftest import ReportWorld  # this folder's conftest (a type only)

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_monthly_writes_both_files_into_the_workspace_reports_folder(
    report_world: ReportWorld,
) -> None:
    root = report_world.ws.root
    result = runner.invoke(
        app, ["monthly", "--period", "2026-09", "--workspace", str(root)], env={"COLUMNS": "200"}
    )
    out = _plain(result.output)
    assert result.exit_code == 0, out
    assert "汇集数据 / gathering figures" in out and "绘制 PDF / drawing PDF" in out
    xlsx = root / "reports" / "国资监管月度报告_2026-09.xlsx"
    pdf = root / "reports" / "国资监管月度报告_2026-09.pdf"
    assert xlsx.is_file() and pdf.is_file()
    assert str(xlsx.name) in out.replace("\n", "")
    cover = load_workbook(xlsx)["封面"]
    assert any(c.value == "示例数据，虚构，不代表任何真实企业" for c in cover["A"])


def test_format_out_dir_and_language_options(report_world: ReportWorld) -> None:
    target = report_world.out / "en"
    result = runner.invoke(
        app,
        ["monthly", "-p", "2026-09", "-f", "xlsx", "-o", str(target), "--lang", "en",
         "-w", str(report_world.ws.root)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in target.iterdir()] == ["supervision_monthly_report_2026-09.xlsx"]


def test_a_period_without_values_exits_2_with_the_code(report_world: ReportWorld) -> None:
    result = runner.invoke(app, ["monthly", "--period", "2027-01", "-w", str(report_world.ws.root)])
    assert result.exit_code == 2
    assert "ZG-REPORT-001" in result.output
    assert "2027-01 没有可用的监管指标值" in _plain(result.output)
    assert not any((report_world.ws.root / "reports").iterdir())
