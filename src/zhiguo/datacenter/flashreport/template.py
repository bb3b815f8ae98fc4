"""The flash-report xlsx template (财务快报填报模板): what enterprises download, fill and upload.

Why a generated template: the item list changes by year (``items.csv``), and a template that
only offers the cells an item may carry (flows: 本月/本年累计/上年同期累计; balances: 期末余额/
年初余额) prevents most errors before they are made — the grey cells are locked, value cells
accept numbers only, 报表类型 and 金额单位 are picked from lists. The layout constants here are
the one definition the xlsx reader (``ingest.xlsx_reader``) recognises, in Chinese or English.

Files are byte-for-byte deterministic (fixed zip timestamps and document properties), so a
template, a demo file or a test fixture written twice is the same file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zhiguo.datacenter.flashreport.items import (
    CALIBERS,
    REPORT_TYPES,
    UNIT_LABELS,
    Item,
    items_for_year,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "BLOCKS",
    "COVER_FIELDS",
    "DATA_COLUMNS",
    "DATA_HEADER_ROW",
    "SHEETS",
    "CellValue",
    "save_workbook",
    "template_rows",
    "write_template",
    "write_template_in",
]

CellValue = float | int | str | None

# sheet role -> (zh name, en name)
SHEETS: dict[str, tuple[str, str]] = {
    "cover": ("封面", "Cover"),
    "data": ("快报", "Flash report"),
    "guide": ("填报说明", "Instructions"),
}
# data sheet columns in template order: (key, zh header, en header); calibers keep CALIBERS order
DATA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("item_code", "项目编码", "Item code"),
    ("item_name", "项目名称", "Item name"),
    *((code, zh, en) for code, (zh, en) in CALIBERS.items()),
)
DATA_HEADER_ROW = 1
# cover rows: (key, zh label, en label, required by the reader, zh note, en note)
COVER_FIELDS: tuple[tuple[str, str, str, bool, str, str], ...] = (
    ("uscc", "统一社会信用代码", "Unified social credit code", True,
     "18 位，GB 32100-2015", "18 characters, GB 32100-2015"),
    ("name", "企业名称", "Enterprise name", False,
     "与营业执照一致", "as on the business licence"),
    ("period", "期间", "Period", True,
     "格式 YYYY-MM，如 2025-03", "format YYYY-MM, e.g. 2025-03"),
    ("report_type", "报表类型", "Report type", True,
     "单户 / 合并 / 汇总", "single / consolidated / aggregated"),
    ("unit", "金额单位", "Amount unit", True,
     "元 / 万元（人数以“人”计）", "yuan / 10k yuan (headcounts in persons)"),
    ("head", "单位负责人", "Head of the entity", False, "", ""),
    ("cfo", "主管会计工作负责人", "Chief accountant", False, "", ""),
    ("accounting_head", "会计机构负责人", "Head of accounting", False, "", ""),
    ("preparer", "填表人", "Prepared by", False, "", ""),
    ("phone", "联系电话", "Telephone", False, "", ""),
)  # fmt: skip
BLOCKS: dict[str, tuple[str, str]] = {
    "assets": ("一、资产", "1. Assets"),
    "liabilities_equity": ("二、负债和所有者权益", "2. Liabilities and equity"),
    "income": ("三、利润", "3. Profit"),
    "cash": ("四、现金流量", "4. Cash flow"),
    "taxes": ("五、税费", "5. Taxes"),
    "labour": ("六、人工", "6. Labour"),
}

_STAMP = datetime(2020, 1, 1)
_ZIP_STAMP = (2020, 1, 1, 0, 0, 0)
_GREY, _INPUT, _HEAD, _BLOCK = "FFD9D9D9", "FFFFFFF0", "FFDDEBF7", "FFF2F2F2"
_FIRST_VALUE_COL = 3  # C
_COVER_FIRST_ROW = 4


def _zh(lang: str) -> bool:
    return lang.startswith("zh")


def _layout(year: int) -> list[tuple[str, Item | None]]:
    """Rows of the data sheet after the header: (block, None) headings then (block, item)."""
    rows: list[tuple[str, Item | None]] = []
    block = None
    for item in items_for_year(year).values():
        if item.block != block:
            block = item.block
            rows.append((block, None))
        rows.append((block, item))
    return rows


def template_rows(year: int) -> dict[str, int]:
    """Item code -> the row (as Excel shows it) the template gives it in ``year``."""
    return {
        item.code: DATA_HEADER_ROW + 1 + i
        for i, (_block, item) in enumerate(_layout(year))
        if item is not None
    }


def _depth(item: Item, items: Mapping[str, Item]) -> int:
    depth, parent = 0, item.parent
    while parent and parent in items and depth < 10:
        depth, parent = depth + 1, items[parent].parent
    return depth


def save_workbook(workbook: Workbook, path: Path) -> Path:
    """Save ``workbook`` byte-for-byte reproducibly: fixed document dates and zip timestamps.

    openpyxl stamps "now" into ``docProps/core.xml`` and every zip entry; demo files and
    test fixtures must not change from one run to the next.
    """
    workbook.properties.creator = "zhiguo"
    workbook.properties.created = _STAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))
    return path


def _reproducible_zip(data: bytes) -> bytes:
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()


def write_template(
    path: Path,
    *,
    year: int,
    lang: str = "zh",
    uscc: str | None = None,
    name: str | None = None,
    period: str | None = None,
    report_type: str = "single",
    unit: str = "10k_yuan",
    values: Mapping[tuple[str, str], CellValue] | None = None,
) -> Path:
    """Write the flash-report template for ``year`` to ``path`` and return ``path``.

    ``values`` pre-fills value cells, keyed ``(item_code, caliber)``; a key the template has
    no open cell for (an item not valid in ``year``, a caliber its kind does not take) is a
    ``ValueError`` — a template never hides a figure in a grey cell. Strings are written as
    text (the demo uses this to make realistic bad files).
    """
    from openpyxl import Workbook

    items = items_for_year(year)
    values = dict(values or {})
    for code, caliber in values:
        if code not in items or caliber not in items[code].calibers:
            allowed = ", ".join(items[code].calibers) if code in items else "-"
            raise ValueError(
                f"no template cell for ({code!r}, {caliber!r}) in {year}: "
                f"item valid: {code in items}, calibers allowed: {allowed}"
            )
    if report_type not in REPORT_TYPES or unit not in UNIT_LABELS:
        raise ValueError(f"unknown report_type {report_type!r} or unit {unit!r}")
    zh = _zh(lang)
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    _write_cover(
        cover,
        year=year,
        zh=zh,
        given={
            "uscc": uscc,
            "name": name,
            "period": period,
            "report_type": REPORT_TYPES[report_type][0 if zh else 1],
            "unit": UNIT_LABELS[unit][0 if zh else 1],
        },
    )
    _write_data(wb.create_sheet(SHEETS["data"][0 if zh else 1]), year=year, zh=zh, values=values)
    _write_guide(wb.create_sheet(SHEETS["guide"][0 if zh else 1]), year=year, zh=zh)
    return save_workbook(wb, path)


def write_template_in(
    folder: Path,
    *,
    year: int,
    lang: str = "zh",
    uscc: str | None = None,
    name: str | None = None,
    period: str | None = None,
    report_type: str = "single",
    unit: str = "10k_yuan",
) -> Path:
    """Write a blank (or cover-filled) template into ``folder`` under a standard file name,
    e.g. ``财务快报模板_2025.xlsx`` or ``flash-report_2025-03_<uscc>.xlsx``; for the CLI."""
    if _zh(lang):
        stem = f"财务快报模板_{period or year}"
    else:
        stem = f"flash-report-template_{period or year}"
    if uscc:
        stem += f"_{uscc}"
    folder.mkdir(parents=True, exist_ok=True)
    return write_template(
        folder / f"{stem}.xlsx",
        year=year,
        lang=lang,
        uscc=uscc,
        name=name,
        period=period,
        report_type=report_type,
        unit=unit,
    )


def _style_header(cell: Cell) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=_HEAD)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _write_cover(ws: Worksheet, *, year: int, zh: bool, given: dict[str, str | None]) -> None:
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = SHEETS["cover"][0 if zh else 1]
    ws["A1"] = "财务快报" if zh else "Monthly financial flash report"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"模板适用年度：{year}" if zh else f"Template for the year {year}"
    for col, (text_zh, text_en) in enumerate(
        (("项目", "Field"), ("填写内容", "Value"), ("说明", "Notes")), start=1
    ):
        _style_header(
            ws.cell(row=_COVER_FIRST_ROW - 1, column=col, value=text_zh if zh else text_en)
        )
    lists = {
        "report_type": [label[0 if zh else 1] for label in REPORT_TYPES.values()],
        "unit": [label[0 if zh else 1] for label in UNIT_LABELS.values()],
    }
    for i, (key, label_zh, label_en, required, note_zh, note_en) in enumerate(COVER_FIELDS):
        row = _COVER_FIRST_ROW + i
        ws.cell(row=row, column=1, value=label_zh if zh else label_en).font = Font(bold=required)
        value = ws.cell(row=row, column=2, value=given.get(key))
        value.number_format = "@"  # text: Excel would turn 2025-03 into a date
        value.protection = Protection(locked=False)
        value.fill = PatternFill("solid", fgColor=_INPUT)
        note = (note_zh if zh else note_en) + (
            (" （必填）" if zh else " (required)") if required else ""
        )
        ws.cell(row=row, column=3, value=note.strip())
        if key in lists:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(lists[key]) + '"',
                allow_blank=False,
                showErrorMessage=True,
                errorTitle="请从列表中选择" if zh else "Pick from the list",
                error=("只能选择：" if zh else "Allowed: ") + " / ".join(lists[key]),
            )
            dv.add(value.coordinate)
            ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 44
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_data(
    ws: Worksheet, *, year: int, zh: bool, values: Mapping[tuple[str, str], CellValue]
) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (_key, text_zh, text_en) in enumerate(DATA_COLUMNS, start=1):
        cell = ws.cell(row=DATA_HEADER_ROW, column=col, value=text_zh if zh else text_en)
        _style_header(cell)
        cell.border = border

    def rule(whole: bool, low: str, high: str | None, msg: tuple[str, str]) -> DataValidation:
        dv = DataValidation(
            type="whole" if whole else "decimal",
            operator="between" if high is not None else "greaterThanOrEqual",
            formula1=low,
            formula2=high,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="数值无效" if zh else "Invalid number",
            error=msg[0] if zh else msg[1],
        )
        ws.add_data_validation(dv)
        return dv

    dv_nonneg = rule(
        False,
        "0",
        None,
        (
            "请输入不小于 0 的数字（不要输入文字、“—”或千分位文本）",
            "Enter a number not below 0 (no text, dashes or separators)",
        ),
    )
    dv_signed = rule(
        False,
        "-1E+15",
        "1E+15",
        (
            "请输入数字（可为负数；不要输入文字或“—”）",
            "Enter a number (may be negative; no text or dashes)",
        ),
    )
    dv_people = rule(
        True, "0", None, ("人数请输入不小于 0 的整数", "Headcounts are whole numbers not below 0")
    )
    items = items_for_year(year)
    calibers = list(CALIBERS)
    grey = PatternFill("solid", fgColor=_GREY)
    block_fill = PatternFill("solid", fgColor=_BLOCK)
    row = DATA_HEADER_ROW
    for block, item in _layout(year):
        row += 1
        if item is None:
            ws.cell(row=row, column=2, value=BLOCKS[block][0 if zh else 1]).font = Font(bold=True)
            for col in range(1, len(DATA_COLUMNS) + 1):
                ws.cell(row=row, column=col).fill = block_fill
                ws.cell(row=row, column=col).border = border
            continue
        ws.cell(row=row, column=1, value=item.code).border = border
        label = item.name_zh if zh else item.name_en
        if item.unit_kind == "headcount":
            label += "（人）" if zh else " (persons)"
        name_cell = ws.cell(row=row, column=2, value=label)
        name_cell.alignment = Alignment(indent=2 * _depth(item, items))
        name_cell.border = border
        for offset, caliber in enumerate(calibers):
            target = ws.cell(row=row, column=_FIRST_VALUE_COL + offset)
            target.border = border
            if caliber not in item.calibers:
                target.fill = grey
                continue
            target.protection = Protection(locked=False)
            if item.unit_kind == "headcount":
                target.number_format = "#,##0"
                dv_people.add(target.coordinate)
            else:
                target.number_format = "#,##0.00"
                (dv_nonneg if item.nonneg else dv_signed).add(target.coordinate)
            value = values.get((item.code, caliber))
            if value is not None:
                target.value = value
    ws.freeze_panes = ws.cell(row=DATA_HEADER_ROW + 1, column=_FIRST_VALUE_COL).coordinate
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 46
    for offset in range(len(calibers)):
        ws.column_dimensions[get_column_letter(_FIRST_VALUE_COL + offset)].width = 18
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


_GUIDE: tuple[tuple[str, str], ...] = (
    ("填报说明", "Instructions"),
    (
        "1. 在“封面”填写统一社会信用代码、期间（YYYY-MM，如 2025-03）、报表类型和金额单位；"
        "报表类型和金额单位请从下拉列表选择。",
        "1. On the cover, fill in the unified social credit code, the period (YYYY-MM, e.g. "
        "2025-03), the report type and the amount unit; pick the last two from the lists.",
    ),
    (
        "2. 在“快报”中只填写白色单元格；灰色单元格不适用于该项目（流量项目填本月/本年累计/"
        "上年同期累计，余额项目填期末余额/年初余额），已锁定。",
        "2. On the data sheet fill only the white cells; grey cells do not apply to the item "
        "(flows take this month / YTD / same period last year, balances take closing / "
        "opening) and are locked.",
    ),
    (
        "3. 金额按封面声明的单位填写（元或万元），全表统一；人数以“人”为单位，填整数。",
        "3. Amounts are in the unit declared on the cover (yuan or 10k yuan), the same for the "
        "whole sheet; headcounts are whole persons.",
    ),
    (
        "4. 只填数字：不要输入“—”“N/A”、千分位文本或全角数字；没有发生额的填 0。",
        "4. Numbers only: no dashes, 'N/A', text with separators or full-width digits; enter 0 "
        "where there is nothing.",
    ),
    (
        "5. 不要合并单元格、不要使用公式、不要插入、删除或移动行列，也不要修改工作表名称。",
        "5. Do not merge cells, use formulas, insert, delete or move rows and columns, or rename "
        "the sheets.",
    ),
    (
        "6. 每个项目只出现一次；“其中”项目是上一级项目的组成部分，不另行相加。",
        "6. Each item appears once; 'of which' items are part of the item above, not added to it.",
    ),
    (
        "7. 本月数据请于次月初报送；已关账期间不再接收，如需更正请联系国资委。",
        "7. Submit a month's figures early in the following month; closed periods accept no "
        "data — ask the regulator to reopen one.",
    ),
    (
        "8. 上传后平台会逐格校验，并可下载带有标注（红色为错误、黄色为警告）的问题清单。",
        "8. After upload every cell is checked; a problem list with the cells marked (red = "
        "error, yellow = warning) can be downloaded.",
    ),
)


def _write_guide(ws: Worksheet, *, year: int, zh: bool) -> None:
    """Both languages, the workbook's language first."""
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 110
    row = 0
    order = (0, 1) if zh else (1, 0)
    for lang_index in order:
        for i, pair in enumerate(_GUIDE):
            row += 1
            cell = ws.cell(row=row, column=1, value=pair[lang_index])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if i == 0:
                cell.font = Font(bold=True, size=13)
        row += 1
    ws.cell(row=row + 1, column=1, value=f"模板年度 Template year: {year}")
