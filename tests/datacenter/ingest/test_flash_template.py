"""The flash-report template offers exactly the cells each year's items may carry, locks the
rest, validates input, and is byte-for-byte reproducible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zhiguo.datacenter.flashreport.items import CALIBERS, items_for_year
from zhiguo.datacenter.flashreport.template import (
    DATA_COLUMNS,
    SHEETS,
    template_rows,
    write_template,
    write_template_in,
)

LETTER = {"month": "C", "ytd": "D", "ytd_prior_year": "E", "closing": "F", "opening": "G"}
GREY = "FFD9D9D9"


@pytest.fixture(scope="module")
def book_2025(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = write_template(
        tmp_path_factory.mktemp("t") / "t.xlsx",
        year=2025,
        uscc="91440300MA5DEMO001",
        name="示例集团",
        period="2025-03",
    )
    return load_workbook(path)


def test_three_sheets_in_order(book_2025: Any) -> None:
    assert book_2025.sheetnames == ["封面", "快报", "填报说明"]


@pytest.mark.parametrize("year", [2017, 2025])
def test_every_item_of_the_year_in_report_order(tmp_path: Path, year: int) -> None:
    ws = load_workbook(write_template(tmp_path / "t.xlsx", year=year))["快报"]
    codes = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert [c for c in codes if c] == list(items_for_year(year))
    assert ("contract_assets" in codes) is (year >= 2018)
    assert ("rd_investment" in codes) is (year >= 2019)
    rows = template_rows(year)
    assert all(ws.cell(row=rows[c], column=1).value == c for c in rows)


def test_header_row_and_frozen_panes(book_2025: Any) -> None:
    ws = book_2025["快报"]
    assert [c.value for c in ws[1]] == [zh for _k, zh, _en in DATA_COLUMNS]
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["C"].width > 10


def test_only_the_calibers_an_item_takes_are_open(book_2025: Any) -> None:
    ws = book_2025["快报"]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # protection guides, it does not lock people out
    for code, row in template_rows(2025).items():
        item = items_for_year(2025)[code]
        assert ws.cell(row=row, column=1).protection.locked  # codes and labels are locked
        assert ws.cell(row=row, column=2).protection.locked
        for caliber in CALIBERS:
            cell = ws[f"{LETTER[caliber]}{row}"]
            if caliber in item.calibers:
                assert not cell.protection.locked, cell.coordinate
                assert cell.fill.fgColor.rgb != GREY
            else:
                assert cell.protection.locked, cell.coordinate
                assert cell.fill.fgColor.rgb == GREY, cell.coordinate


def test_value_cells_accept_numbers_only(book_2025: Any) -> None:
    ws = book_2025["快报"]
    rows = template_rows(2025)
    rules = ws.data_validations.dataValidation

    def rule_for(ref: str) -> Any:
        (found,) = [dv for dv in rules if ref in dv.sqref]
        return found

    cash = rule_for(f"F{rows['cash']}")  # non-negative money
    assert (cash.type, cash.operator, cash.formula1) == ("decimal", "greaterThanOrEqual", "0")
    profit = rule_for(f"C{rows['net_profit']}")  # may be a loss
    assert (profit.type, profit.operator) == ("decimal", "between")
    people = rule_for(f"F{rows['employees_end']}")
    assert people.type == "whole"
    assert ws[f"F{rows['employees_end']}"].number_format == "#,##0"
    assert ws[f"F{rows['cash']}"].number_format == "#,##0.00"
    assert not [dv for dv in rules if f"C{rows['cash']}" in dv.sqref]  # grey cells: no rule


def test_cover_lists_and_text_cells(book_2025: Any) -> None:
    ws = book_2025["封面"]
    labels = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    assert ws.cell(row=labels["统一社会信用代码"], column=2).value == "91440300MA5DEMO001"
    assert ws.cell(row=labels["企业名称"], column=2).value == "示例集团"
    period = ws.cell(row=labels["期间"], column=2)
    assert (period.value, period.number_format) == ("2025-03", "@")
    assert ws.cell(row=labels["报表类型"], column=2).value == "单户"
    assert ws.cell(row=labels["金额单位"], column=2).value == "万元"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists[f"B{labels['报表类型']}"] == '"单户,合并,汇总"'
    assert lists[f"B{labels['金额单位']}"] == '"元,万元"'
    assert not ws.cell(row=labels["期间"], column=2).protection.locked
    assert ws.protection.sheet is True


def test_sub_items_are_indented(book_2025: Any) -> None:
    ws = book_2025["快报"]
    rows = template_rows(2025)
    codes = ("total_assets", "current_assets", "cash")
    indent = {c: ws.cell(row=rows[c], column=2).alignment.indent for c in codes}
    assert indent == {"total_assets": 0, "current_assets": 2, "cash": 4}


def test_instructions_in_both_languages(book_2025: Any) -> None:
    text = "\n".join(str(c.value) for row in book_2025["填报说明"].iter_rows() for c in row)
    assert "灰色单元格" in text and "grey cells" in text and "2025" in text


def test_english_mode(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "en.xlsx", year=2025, lang="en", unit="yuan"))
    assert wb.sheetnames == [en for _zh, en in SHEETS.values()]
    assert [c.value for c in wb["Flash report"][1]] == [en for _k, _zh, en in DATA_COLUMNS]
    cover = {r[0].value: r[1].value for r in wb["Cover"].iter_rows(min_row=4)}
    assert cover["Report type"] == "Single entity" and cover["Amount unit"] == "yuan"
    assert wb["Flash report"]["B3"].value == "Total assets"


def test_values_prefill_their_cells(tmp_path: Path) -> None:
    values = {("cash", "closing"): 12.5, ("total_revenue", "month"): "1,234"}
    ws = load_workbook(write_template(tmp_path / "v.xlsx", year=2025, values=values))["快报"]
    rows = template_rows(2025)
    assert ws[f"F{rows['cash']}"].value == 12.5
    assert ws[f"C{rows['total_revenue']}"].value == "1,234"


@pytest.mark.parametrize(
    "key", [("cash", "month"), ("no_such_item", "closing"), ("rd_investment", "ytd")]
)
def test_values_without_an_open_cell_are_refused(tmp_path: Path, key: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="no template cell"):
        write_template(tmp_path / "x.xlsx", year=2018, values={key: 1.0})


def test_reproducible_bytes(tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"year": 2025, "uscc": "91440300MA5DEMO001", "period": "2025-03"}
    a = write_template(tmp_path / "a.xlsx", **kwargs, values={("cash", "closing"): 1.0})
    b = write_template(tmp_path / "b.xlsx", **kwargs, values={("cash", "closing"): 1.0})
    c = write_template(tmp_path / "c.xlsx", **kwargs, values={("cash", "closing"): 2.0})
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_write_template_in_names_the_file(tmp_path: Path) -> None:
    blank = write_template_in(tmp_path / "out", year=2025)
    assert blank.name == "财务快报模板_2025.xlsx" and blank.is_file()
    filled = write_template_in(tmp_path, year=2025, lang="en", period="2025-03", uscc="X1")
    assert filled.name == "flash-report-template_2025-03_X1.xlsx"
