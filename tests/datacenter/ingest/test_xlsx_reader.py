"""The template reader: every value cell becomes one raw fact at its exact cell, and every
structural flaw (sheets, header, rows, merges, formulas, bombs) is a located problem."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from zhiguo.datacenter.flashreport.items import CALIBERS, items_for_year
from zhiguo.datacenter.flashreport.template import save_workbook, template_rows, write_template
from zhiguo.datacenter.ingest import xlsx_reader
from zhiguo.datacenter.ingest.facts import RAW_SCHEMA
from zhiguo.datacenter.ingest.xlsx_reader import read_flash_report_xlsx

USCC = "91440300MA5DEMO001"
DATA_PART = "xl/worksheets/sheet2.xml"
LETTER = {"month": "C", "ytd": "D", "ytd_prior_year": "E", "closing": "F", "opening": "G"}
ROWS = template_rows(2025)


def _values(year: int = 2025) -> dict[tuple[str, str], float]:
    return {
        (code, cal): round(1000 + i * 3.25 + j * 0.5, 2)
        for i, (code, item) in enumerate(items_for_year(year).items())
        for j, cal in enumerate(item.calibers)
    }


VALUES = _values()


def _good(tmp_path: Path, name: str = "good.xlsx", **kw: Any) -> Path:
    args: dict[str, Any] = {"uscc": USCC, "period": "2025-03", "values": VALUES, **kw}
    return write_template(tmp_path / name, year=2025, **args)


def _edit(path: Path, change: Callable[[Any], None]) -> Path:
    wb = load_workbook(path)
    change(wb)
    return save_workbook(wb, path)


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            zout.writestr(info.filename, change(content) if info.filename == member else content)
    path.write_bytes(out.getvalue())
    return path


def _read(path: Path) -> tuple[list[dict[str, Any]], list[Any]]:
    table, problems = read_flash_report_xlsx(path, file_label=path.name)
    assert table.schema == RAW_SCHEMA
    return table.to_pylist(), problems


def _by_code(problems: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for p in problems:
        out.setdefault(p.code, []).append(p)
    return out


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the reader hands the workbook to calamine at all."""

    class Refuse:
        @classmethod
        def from_filelike(cls, *_a: Any, **_k: Any) -> Any:
            raise AssertionError("calamine must not see this file")

    monkeypatch.setattr(xlsx_reader, "CalamineWorkbook", Refuse)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_round_trips_to_the_same_facts(tmp_path: Path, lang: str) -> None:
    path = _good(tmp_path, lang=lang)
    facts, problems = _read(path)
    assert problems == []
    assert {(f["item_code"], f["caliber"]): float(f["value"]) for f in facts} == VALUES
    assert len(facts) == len(VALUES)
    report_type, unit = ("单户", "万元") if lang == "zh" else ("Single entity", "10k yuan")
    sheet = "快报" if lang == "zh" else "Flash report"
    for f in facts:
        assert (f["uscc"], f["period"], f["report_type"], f["unit"]) == (
            USCC,
            "2025-03",
            report_type,
            unit,
        )
        assert f["scope"] == "total" and f["_sheet"] == sheet
        assert f["_row"] == ROWS[f["item_code"]]
        assert f["_column"] == LETTER[f["caliber"]]


def test_blank_cells_give_no_facts_and_integral_numbers_print_plainly(tmp_path: Path) -> None:
    path = _good(tmp_path, values={("cash", "closing"): 1200.0, ("total_revenue", "ytd"): 0.1})
    facts, problems = _read(path)
    assert problems == []
    assert [(f["item_code"], f["value"], f["_column"], f["_row"]) for f in facts] == [
        ("cash", "1200", "F", ROWS["cash"]),
        ("total_revenue", "0.1", "D", ROWS["total_revenue"]),
    ]


def test_text_values_pass_through_unjudged(tmp_path: Path) -> None:
    odd: dict[tuple[str, str], Any] = {
        ("cash", "closing"): "1,234.50",
        ("inventory", "closing"): "１２３",
        ("fixed_assets", "closing"): "—",
    }
    facts, problems = _read(_good(tmp_path, values=odd))
    assert problems == []
    assert {f["item_code"]: f["value"] for f in facts} == {
        "cash": "1,234.50",
        "inventory": "１２３",
        "fixed_assets": "—",
    }


def test_a_cover_period_excel_turned_into_a_date_reads_as_the_period(tmp_path: Path) -> None:
    def as_date(wb: Any) -> None:
        ws = wb["封面"]
        row = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "期间")
        ws.cell(row=row, column=2).value = datetime(2025, 3, 1)
        ws.cell(row=row, column=2).number_format = "yyyy-mm"

    facts, problems = _read(_edit(_good(tmp_path), as_date))
    assert problems == []
    assert {f["period"] for f in facts} == {"2025-03"}


def test_a_blank_cover_field_is_located_at_its_cell(tmp_path: Path) -> None:
    facts, problems = _read(_good(tmp_path, uscc=None))
    (found,) = problems
    assert found.code == "ZG-INGEST-036"
    assert (found.location.sheet, found.location.column, found.location.field) == (
        "封面",
        "B",
        "uscc",
    )
    assert found.location.row is not None and found.location.row > 1
    assert "统一社会信用代码" in found.message_zh
    assert {f["uscc"] for f in facts} == {None}


def test_formula_with_a_cached_result_is_used_with_a_warning(tmp_path: Path) -> None:
    cell = f"F{ROWS['current_assets']}"

    def formula(wb: Any) -> None:
        wb["快报"][cell] = "=SUM(F5:F10)"

    path = _edit(_good(tmp_path), formula)
    # what Excel writes after calculating: the formula and its cached result
    cached = rb"\g<1><v>4321.5</v>"
    _rewrite(path, DATA_PART, lambda x: re.sub(rb"(<f>SUM\(F5:F10\)</f>)<v\s*/>", cached, x))
    facts, problems = _read(path)
    (found,) = problems
    assert (found.code, found.severity) == ("ZG-INGEST-034", "warning")
    assert (found.location.row, found.location.column, found.location.field) == (
        ROWS["current_assets"],
        "F",
        "current_assets",
    )
    assert "=SUM(F5:F10)" in found.message_en and "4321.5" in found.message_en
    values = {(f["item_code"], f["caliber"]): f["value"] for f in facts}
    assert values[("current_assets", "closing")] == "4321.5"


def test_formula_without_a_result_is_an_error_and_no_fact(tmp_path: Path) -> None:
    cell = f"F{ROWS['current_assets']}"

    def formula(wb: Any) -> None:
        wb["快报"][cell] = "=SUM(F5:F10)"

    facts, problems = _read(_edit(_good(tmp_path), formula))
    (found,) = problems
    assert (found.code, found.severity) == ("ZG-INGEST-035", "error")
    assert f"{found.location.column}{found.location.row}" == cell
    assert ("current_assets", "closing") not in {(f["item_code"], f["caliber"]) for f in facts}
    assert len(facts) == len(VALUES) - 1


def test_an_error_cell_becomes_a_fact_with_its_error_text(tmp_path: Path) -> None:
    facts, problems = _read(_good(tmp_path, values={("cash", "closing"): "#DIV/0!"}))
    assert problems == []
    assert [(f["item_code"], f["value"]) for f in facts] == [("cash", "#DIV/0!")]


def test_merged_cells_over_numbers_are_an_error_at_the_top_left(tmp_path: Path) -> None:
    a, b = ROWS["total_revenue"], ROWS["operating_revenue"]

    def merge(wb: Any) -> None:
        wb["快报"].merge_cells(f"D{a}:D{b}")

    facts, problems = _read(_edit(_good(tmp_path), merge))
    (found,) = problems
    assert found.code == "ZG-INGEST-033"
    assert (found.location.row, found.location.column) == (a, "D")
    assert f"D{a}:D{b}" in found.message_en
    assert len(facts) == len(VALUES) - 1  # the merged-away figure is gone


def test_merged_cells_outside_the_values_are_fine(tmp_path: Path) -> None:
    def merge(wb: Any) -> None:
        wb["封面"].merge_cells("A1:C1")

    _facts, problems = _read(_edit(_good(tmp_path), merge))
    assert problems == []


def test_a_renamed_data_sheet_names_the_sheets_and_is_still_read(tmp_path: Path) -> None:
    def rename(wb: Any) -> None:
        wb["快报"].title = "Sheet1"

    facts, problems = _read(_edit(_good(tmp_path), rename))
    (found,) = problems
    assert found.code == "ZG-INGEST-024"
    assert "“封面”、“Sheet1”、“填报说明”" in found.message_zh
    assert "'Sheet1'" in found.message_en and "renamed" in found.message_en
    assert {f["_sheet"] for f in facts} == {"Sheet1"} and len(facts) == len(VALUES)


def test_a_missing_cover_is_an_error_and_facts_lack_the_entity(tmp_path: Path) -> None:
    def drop(wb: Any) -> None:
        wb.remove(wb["封面"])

    facts, problems = _read(_edit(_good(tmp_path), drop))
    assert [p.code for p in problems] == ["ZG-INGEST-024"]
    assert "封面" in problems[0].message_zh and "Cover" in problems[0].message_en
    assert {f["uscc"] for f in facts} == {None}


def test_an_empty_data_sheet(tmp_path: Path) -> None:
    def empty(wb: Any) -> None:
        wb.remove(wb["快报"])
        wb.create_sheet("快报", 1)

    facts, problems = _read(_edit(_good(tmp_path), empty))
    assert [(p.code, p.location.sheet) for p in problems] == [("ZG-INGEST-025", "快报")]
    assert facts == []


def test_a_header_only_sheet_has_no_values(tmp_path: Path) -> None:
    facts, problems = _read(_good(tmp_path, values={}))
    assert [p.code for p in problems] == ["ZG-INGEST-026"]
    assert facts == []


def test_no_header_row(tmp_path: Path) -> None:
    def behead(wb: Any) -> None:
        wb["快报"]["A1"] = "编号"

    _facts, problems = _read(_edit(_good(tmp_path), behead))
    assert [p.code for p in problems] == ["ZG-INGEST-027"]
    assert "项目编码 | 项目名称 | 本月" in problems[0].message_zh


def test_moved_and_extra_columns_are_errors_located_by_header(tmp_path: Path) -> None:
    def move(wb: Any) -> None:
        ws = wb["快报"]
        for row in ws.iter_rows():
            row[2].value, row[3].value = row[3].value, row[2].value
        ws["H1"] = "备注"
        ws[f"H{ROWS['cash']}"] = "含定期存款"

    facts, problems = _read(_edit(_good(tmp_path), move))
    found = {(p.code, p.location.column): p for p in problems}
    assert set(found) == {("ZG-INGEST-030", "C"), ("ZG-INGEST-030", "D"), ("ZG-INGEST-029", "H")}
    assert all(p.severity == "error" for p in problems)  # the template layout is the contract
    assert "expected in column D" in found[("ZG-INGEST-030", "C")].message_en
    assert "备注" in found[("ZG-INGEST-029", "H")].message_zh
    values = {(f["item_code"], f["caliber"]): (float(f["value"]), f["_column"]) for f in facts}
    assert values[("total_revenue", "month")] == (VALUES[("total_revenue", "month")], "D")
    assert values[("total_revenue", "ytd")] == (VALUES[("total_revenue", "ytd")], "C")
    assert len(facts) == len(VALUES)


def test_a_missing_value_column_is_an_error(tmp_path: Path) -> None:
    def drop(wb: Any) -> None:
        ws = wb["快报"]
        for row in ws.iter_rows():
            row[6].value = None

    facts, problems = _read(_edit(_good(tmp_path), drop))
    assert [(p.code, p.severity) for p in problems] == [("ZG-INGEST-028", "error")]
    assert "年初余额" in problems[0].message_zh and "Opening balance" in problems[0].message_en
    assert "opening" not in {f["caliber"] for f in facts}


def test_a_duplicated_header(tmp_path: Path) -> None:
    def dup(wb: Any) -> None:
        wb["快报"]["H1"] = "本月"

    _facts, problems = _read(_edit(_good(tmp_path), dup))
    assert [(p.code, p.location.column) for p in problems] == [("ZG-INGEST-012", "H")]


def test_values_under_a_blank_header_are_not_lost_silently(tmp_path: Path) -> None:
    def stray(wb: Any) -> None:
        wb["快报"][f"I{ROWS['cash']}"] = 5

    _facts, problems = _read(_edit(_good(tmp_path), stray))
    assert [(p.code, p.location.column, p.severity) for p in problems] == [
        ("ZG-INGEST-029", "I", "error")
    ]


def test_duplicated_item_rows_name_both_rows(tmp_path: Path) -> None:
    def dup(wb: Any) -> None:
        ws = wb["快报"]
        ws["A60"], ws["B60"], ws["F60"] = "cash", "货币资金", 1.0

    facts, problems = _read(_edit(_good(tmp_path), dup))
    (found,) = problems
    assert found.code == "ZG-INGEST-031"
    assert (found.location.row, found.location.column, found.location.field) == (60, "A", "cash")
    assert f"row {ROWS['cash']}" in found.message_en and "row 60" in found.message_en
    assert sum(f["item_code"] == "cash" and f["caliber"] == "closing" for f in facts) == 2


def test_a_row_with_figures_but_no_item(tmp_path: Path) -> None:
    def orphan(wb: Any) -> None:
        wb["快报"]["F60"] = 3.0

    _facts, problems = _read(_edit(_good(tmp_path), orphan))
    assert [(p.code, p.location.row, p.location.column) for p in problems] == [
        ("ZG-INGEST-032", 60, "A")
    ]


def test_unknown_codes_and_name_only_rows_pass_through(tmp_path: Path) -> None:
    def add(wb: Any) -> None:
        ws = wb["快报"]
        ws["A60"], ws["F60"] = "no_such_item", 7.0
        ws["B61"], ws["F61"] = "货币资金（补）", 8.0

    facts, problems = _read(_edit(_good(tmp_path, values={}), add))
    assert problems == []
    assert [(f["item_code"], f["value"], f["_row"]) for f in facts] == [
        ("no_such_item", "7", 60),
        ("货币资金（补）", "8", 61),
    ]


def test_a_sparse_cell_bomb_never_reaches_calamine(tmp_path: Path, no_calamine: None) -> None:
    # one far cell and an honest-looking dimension: calamine would try to allocate
    # 140 million cells (and abort the process when that fails)
    path = _rewrite(
        _good(tmp_path),
        DATA_PART,
        lambda x: x.replace(
            b"</sheetData>", b'<row r="200000"><c r="ZZ200000"><v>1</v></c></row></sheetData>'
        ),
    )
    facts, problems = _read(path)
    assert [(p.code, p.location.sheet) for p in problems] == [("ZG-INGEST-023", "快报")]
    assert "A1:ZZ200000" in problems[0].message_en
    assert facts == []


def test_a_declared_cell_bomb_is_stopped_by_the_guard(tmp_path: Path, no_calamine: None) -> None:
    path = _rewrite(
        _good(tmp_path),
        DATA_PART,
        lambda x: re.sub(rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:XFD1048576"/>', x),
    )
    facts, problems = _read(path)
    assert [p.code for p in problems] == ["ZG-INGEST-023"]
    assert facts == []


def test_files_the_guard_rejects_are_never_parsed(tmp_path: Path, no_calamine: None) -> None:
    html = tmp_path / "export.xlsx"
    html.write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    table, problems = read_flash_report_xlsx(html, file_label="export.xlsx")
    assert [p.code for p in problems] == ["ZG-INGEST-014"]
    assert table.num_rows == 0 and table.schema == RAW_SCHEMA


def test_a_damaged_sheet_is_reported_not_raised(tmp_path: Path) -> None:
    path = _good(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(DATA_PART)
    # flip bytes in the middle of the sheet's compressed data (local header is 30 + name)
    start = info.header_offset + 30 + len(info.filename.encode()) + info.compress_size // 2
    for i in range(start, start + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    facts, problems = _read(path)
    assert [p.code for p in problems] == ["ZG-INGEST-017"]
    assert facts == []


def test_the_guard_can_be_left_to_the_caller(tmp_path: Path) -> None:
    table, problems = read_flash_report_xlsx(_good(tmp_path), file_label="x", check=False)
    assert problems == [] and table.num_rows == len(VALUES)


def test_reading_stays_close_to_calamine_alone(tmp_path: Path) -> None:
    """A regression guard, generous for noisy machines: the XML scans and the guard must
    not make reading several times slower than calamine reading the same sheets."""
    path = _good(tmp_path)

    def calamine_alone() -> None:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            pa.table({"v": [str(v) for row in rows for v in row if v != ""]})

    def reader() -> None:
        read_flash_report_xlsx(path, file_label="x")

    best: dict[str, float] = {}
    for fn in (calamine_alone, reader) * 3:
        start = time.perf_counter()
        for _ in range(30):
            fn()
        best[fn.__name__] = min(best.get(fn.__name__, 1e9), time.perf_counter() - start)
    assert best["reader"] < 4 * best["calamine_alone"], best


def test_every_caliber_header_spelling_is_accepted(tmp_path: Path) -> None:
    def codes(wb: Any) -> None:
        ws = wb["快报"]
        ws["A1"], ws["B1"] = "item_code", "Item Name"
        for i, cal in enumerate(CALIBERS, start=3):
            ws.cell(row=1, column=i, value=cal.upper())

    facts, problems = _read(_edit(_good(tmp_path), codes))
    assert problems == []
    assert len(facts) == len(VALUES)
