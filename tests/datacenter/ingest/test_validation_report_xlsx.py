"""The validation report lists every problem and marks each one's cell in a copy of the
submitted sheets — and survives a submission that is itself broken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zhiguo.core.errors import Location, Problem
from zhiguo.datacenter.flashreport.items import items_for_year
from zhiguo.datacenter.flashreport.template import save_workbook, template_rows, write_template
from zhiguo.datacenter.ingest.errors import problem
from zhiguo.datacenter.ingest.report_xlsx import (
    ERROR_FILL,
    WARNING_FILL,
    write_validation_report,
)
from zhiguo.datacenter.ingest.xlsx_reader import read_flash_report_xlsx

ROWS = template_rows(2025)
VALUES = {
    (code, cal): float(10 + i)
    for i, (code, item) in enumerate(items_for_year(2025).items())
    for cal in item.calibers
}


@pytest.fixture
def flawed(tmp_path: Path) -> Path:
    """A filled template with merged value cells (error) and moved columns (warnings)."""
    path = write_template(
        tmp_path / "flawed.xlsx", year=2025, uscc="91440300MA5DEMO001", period="2025-03",
        values=VALUES,
    )  # fmt: skip
    wb = load_workbook(path)
    ws = wb["快报"]
    ws.merge_cells(f"F{ROWS['cash']}:F{ROWS['accounts_receivable']}")
    for row in ws.iter_rows():
        row[2].value, row[3].value = row[3].value, row[2].value
    return save_workbook(wb, path)


def _fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)


def test_problems_listed_and_cells_marked(flawed: Path, tmp_path: Path) -> None:
    _facts, problems = read_flash_report_xlsx(flawed, file_label="flawed.xlsx")
    codes = sorted(p.code for p in problems)
    assert codes == ["ZG-INGEST-030", "ZG-INGEST-030", "ZG-INGEST-033"]
    # one warning as well, to see both colours (a formula with a cached value is a warning)
    warning = Problem(
        code="ZG-INGEST-034",
        rule="xlsx.formula_cached",
        message_zh="公式（示例）",
        message_en="Formula (example)",
        location=Location(file="flawed.xlsx", sheet="快报", row=1, column="E"),
        severity="warning",
    )
    report = write_validation_report(tmp_path / "r.xlsx", [warning, *problems], source=flawed)
    wb = load_workbook(report)
    assert wb.sheetnames == ["问题清单", "封面", "快报", "填报说明"]
    listing = wb["问题清单"]
    header = [c.value for c in listing[1]]
    assert header[:8] == ["严重程度", "代码", "规则", "文件", "工作表", "行", "列", "项目编码"]
    rows = [[c.value for c in r] for r in listing.iter_rows(min_row=2)]
    assert len(rows) == 4
    assert [r[0] for r in rows] == ["错误", "错误", "错误", "警告"]  # errors first
    merged_row = next(i for i, r in enumerate(rows) if r[1] == "ZG-INGEST-033")
    assert rows[merged_row][:8] == [
        "错误", "ZG-INGEST-033", "xlsx.merged_values", "flawed.xlsx", "快报",
        ROWS["cash"], "F", None,
    ]  # fmt: skip
    assert rows[merged_row][8].startswith("数值区域有合并单元格")
    assert rows[merged_row][9].startswith("Merged")
    link = listing.cell(row=2 + merged_row, column=6).hyperlink
    assert link.location == f"'快报'!F{ROWS['cash']}"

    data = wb["快报"]
    merged = data[f"F{ROWS['cash']}"]
    assert _fill(merged) == ERROR_FILL
    assert "ZG-INGEST-033" in merged.comment.text
    assert "合并单元格" in merged.comment.text and "Merged cells" in merged.comment.text
    assert _fill(data["C1"]) == ERROR_FILL and _fill(data["D1"]) == ERROR_FILL  # moved
    assert _fill(data["E1"]) == WARNING_FILL
    assert data["C1"].value == "本年累计"  # the copy shows what was submitted
    assert data[f"G{ROWS['cash']}"].value == VALUES[("cash", "opening")]
    assert data[f"G{ROWS['cash']}"].comment is None


def test_a_row_level_problem_marks_the_row(flawed: Path, tmp_path: Path) -> None:
    row = ROWS["cash"]
    found = problem(
        "xlsx.row_no_item", Location(file="flawed.xlsx", sheet="快报", row=row), row=row
    )
    wb = load_workbook(write_validation_report(tmp_path / "r.xlsx", [found], source=flawed))
    marked = [c.column_letter for c in wb["快报"][row] if _fill(c) == ERROR_FILL]
    assert marked == ["A", "B", "C", "D", "E", "F", "G"]
    assert wb["快报"][f"A{row}"].comment is not None


@pytest.mark.parametrize("kind", ["truncated", "html", "bomb", "missing"])
def test_a_broken_source_leaves_only_the_problem_list(
    flawed: Path, tmp_path: Path, kind: str
) -> None:
    source = tmp_path / "broken.xlsx"
    data = flawed.read_bytes()
    if kind == "truncated":
        source.write_bytes(data[: len(data) // 3])
    elif kind == "html":
        source.write_text("<html><table><tr><td>1</td></tr></table></html>")
    elif kind == "bomb":
        import io
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(flawed) as zin, zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                content = zin.read(info.filename)
                if info.filename == "xl/worksheets/sheet2.xml":
                    content = content.replace(
                        b"</sheetData>", b'<row r="900000"><c r="ZZ900000"/></row></sheetData>'
                    )
                zout.writestr(info.filename, content)
        source.write_bytes(out.getvalue())
    found = problem("xlsx.corrupt", Location(file="broken.xlsx"), detail="x")
    report = write_validation_report(tmp_path / "r.xlsx", [found], source=source)
    wb = load_workbook(report)
    if kind == "bomb":  # the guard passes it, the sheet is too big to copy: skipped
        assert "快报" not in wb.sheetnames and "问题清单" in wb.sheetnames
    else:
        assert wb.sheetnames == ["问题清单"]
    assert wb["问题清单"]["B2"].value == "ZG-INGEST-017"


def test_without_a_source_and_in_english(tmp_path: Path) -> None:
    found = problem(
        "xlsx.column_extra",
        Location(file="a.xlsx", sheet="快报", row=1, column="H"),
        "warning",
        letter="H",
        column="备注",
        expected="…",
        expected_en="…",
    )
    wb = load_workbook(
        write_validation_report(tmp_path / "r.xlsx", [found], source=None, lang="en")
    )
    assert wb.sheetnames == ["Problems"]
    ws = wb["Problems"]
    assert ws["A1"].value == "Severity" and ws["A2"].value == "warning"
    assert ws["G2"].value == "H" and ws["J2"].value.startswith("Column H")
    assert _fill(ws["A2"]) == WARNING_FILL


def test_a_source_sheet_named_like_the_listing_is_renamed(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "问题清单"
    ws["A1"] = "自制表"
    source = save_workbook(wb, tmp_path / "odd.xlsx")
    found = problem(
        "xlsx.sheet_empty", Location(file="odd.xlsx", sheet="问题清单"), sheet="问题清单"
    )
    out = load_workbook(write_validation_report(tmp_path / "r.xlsx", [found], source=source))
    assert out.sheetnames == ["问题清单", "问题清单 (原表)"]
    assert out["问题清单 (原表)"]["A1"].value == "自制表"
