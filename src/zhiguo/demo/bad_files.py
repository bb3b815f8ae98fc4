"""Realistic bad flash-report submissions (示例错误文件), for demos, tours and tests.

Why: the import path is only as good as what it says about the files people really send —
an HTML "Excel export", a truncated upload, a password-protected workbook, a renamed sheet,
merged cells, formulas never calculated, 元 declared as 万元, a GBK CSV. Each file here is
made from the real template (or from its bytes) with one thing wrong, so a demo can show
every message and a test can assert each is caught at the right cell.

Deterministic: the same arguments give the same files byte for byte — except the encrypted
workbook, whose ECMA-376 salts and keys are random by design (its decrypted content is
deterministic).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from zhiguo.datacenter.flashreport.items import CALIBERS, Item, items_for_year
from zhiguo.datacenter.flashreport.template import (
    DATA_COLUMNS,
    SHEETS,
    CellValue,
    save_workbook,
    template_rows,
    write_template,
)

__all__ = ["PASSWORD", "write_bad_files"]

PASSWORD = "demo"
_ZIP_STAMP = (2020, 1, 1, 0, 0, 0)
_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
_CAL_COLUMN = {key: i for i, (key, _zh, _en) in enumerate(DATA_COLUMNS, start=1)}


def _letter(caliber: str) -> str:
    return chr(ord("A") + _CAL_COLUMN[caliber] - 1)


def _rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """Copy a zip, passing each member through ``change`` (None drops it); fixed stamps."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = change(info.filename, src.read(info.filename))
            if content is not None:
                entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
                entry.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(entry, content)
    return out.getvalue()


def _add_members(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO(_rewrite_zip(data, lambda _n, c: c))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst:
        for name, content in extra.items():
            entry = zipfile.ZipInfo(name, date_time=_ZIP_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()


class _Maker:
    """Shared state for one batch: the folder, the good figures, where each item sits."""

    def __init__(
        self,
        folder: Path,
        *,
        good_values: Mapping[tuple[str, str], float],
        uscc: str,
        period: str,
        year: int,
    ) -> None:
        self.folder = folder
        self.items = items_for_year(year)
        self.values = {k: v for k, v in good_values.items() if self._fits(k)}
        self.uscc, self.period, self.year = uscc, period, year
        self.rows = template_rows(year)
        self.out: list[tuple[Path, str]] = []

    def _fits(self, key: tuple[str, str]) -> bool:
        code, caliber = key
        return code in self.items and caliber in self.items[code].calibers

    def pick(self, want: Callable[[Item, str], bool], n: int = 1) -> list[tuple[str, str]]:
        """The first ``n`` filled (item, caliber) cells, in report order, matching ``want``."""
        found = [
            (code, cal)
            for code, item in self.items.items()
            for cal in CALIBERS
            if (code, cal) in self.values and want(item, cal)
        ]
        if len(found) < n:
            raise ValueError(f"good_values has fewer than {n} cells fit for this bad file")
        return found[:n]

    def cell(self, key: tuple[str, str]) -> str:
        return f"{_letter(key[1])}{self.rows[key[0]]}"

    def path(self, name: str) -> Path:
        return self.folder / name

    def add(self, path: Path, zh: str, en: str) -> None:
        self.out.append((path, f"{zh} / {en}"))

    def template(
        self,
        name: str,
        values: Mapping[tuple[str, str], CellValue] | None = None,
        **cover: Any,
    ) -> Path:
        args: dict[str, Any] = {"uscc": self.uscc, "period": self.period, **cover}
        return write_template(
            self.path(name),
            year=self.year,
            values=self.values if values is None else values,
            **args,
        )

    def good_bytes(self) -> bytes:
        buffer_path = self.path(".good.tmp.xlsx")
        try:
            return self.template(buffer_path.name).read_bytes()
        finally:
            buffer_path.unlink(missing_ok=True)

    def edit(self, name: str, change: Callable[[Any], None]) -> Path:
        """The good template, changed with openpyxl, saved reproducibly."""
        from openpyxl import load_workbook

        path = self.template(name)
        wb = load_workbook(path)
        change(wb)
        return save_workbook(wb, path)


def _long_rows(m: _Maker) -> list[list[str]]:
    rows = [["uscc", "period", "report_type", "unit", "item_code", "caliber", "scope", "value"]]
    for code, item in m.items.items():
        for cal in item.calibers:
            if (code, cal) in m.values:
                value = m.values[(code, cal)]
                rows.append(
                    [m.uscc, m.period, "单户", "万元", code, CALIBERS[cal][0], "合计", repr(value)]
                )
    return rows


def write_bad_files(
    folder: Path,
    *,
    good_values: Mapping[tuple[str, str], float],
    uscc: str,
    other_uscc: str,
    period: str,
    closed_period: str,
    year: int,
) -> list[tuple[Path, str]]:
    """Write the bad submissions into ``folder``; (path, "what is wrong: zh / en") each.

    ``good_values`` are a correct report's figures keyed ``(item_code, caliber)`` in 万元
    (headcounts in persons), as the template declares by default; keys the ``year``'s
    template has no cell for are ignored. ``other_uscc`` must be outside the submitter's
    scope and ``closed_period`` a closed period, so the content checks have something to
    refuse.
    """
    folder.mkdir(parents=True, exist_ok=True)
    m = _Maker(folder, good_values=good_values, uscc=uscc, period=period, year=year)
    good = m.good_bytes()
    data_sheet = SHEETS["data"][0]

    # -- the file itself ---------------------------------------------------------------------
    html = ["<html><head><meta charset='utf-8'><title>财务快报导出</title></head><body><table>"]
    html += [f"<tr><td>{'</td><td>'.join(r)}</td></tr>" for r in _long_rows(m)]
    html.append("</table></body></html>")
    p = m.path("01_html_export_named_xlsx.xlsx")
    p.write_text("\n".join(html), encoding="utf-8")
    m.add(
        p,
        "业务系统导出的网页（HTML）被命名为 .xlsx",
        "a web page (HTML) from a business system's export, named .xlsx",
    )

    p = m.path("02_truncated.xlsx")
    p.write_bytes(good[: len(good) * 3 // 5])
    m.add(
        p,
        "上传中断，工作簿只有前 60%（ZIP 目录缺失）",
        "upload cut off: 60% of the workbook, no zip directory",
    )

    p = m.path("03_password_protected.xlsx")
    p.write_bytes(_encrypt(good, PASSWORD))
    m.add(
        p, f"工作簿设置了打开密码（{PASSWORD}）", f"workbook protected by a password ({PASSWORD})"
    )

    def dimension_bomb(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet2.xml":
            head, _sep, tail = content.partition(b"<dimension ref=")
            rest = tail.split(b"/>", 1)[1] if tail else b""
            return head + b'<dimension ref="A1:XFD1048576"/>' + rest
        return content

    p = m.path("04_cell_count_bomb.xlsx")
    p.write_bytes(_rewrite_zip(good, dimension_bomb))
    m.add(
        p,
        "快报工作表声明范围 A1:XFD1048576（170 亿个单元格的单元格数量炸弹）",
        "the data sheet declares A1:XFD1048576 (a 17-billion-cell cell-count bomb)",
    )

    p = m.path("05_shared_strings_bomb.xlsx")
    p.write_bytes(_shared_strings_bomb(good, 1_048_576))
    m.add(
        p,
        "共享字符串表含 1,048,576 个字符串（共享字符串炸弹）",
        "a shared-strings table of 1,048,576 strings (shared-strings explosion)",
    )

    # -- the template's structure ------------------------------------------------------------
    def empty_data(wb: Any) -> None:
        index = wb.sheetnames.index(data_sheet)
        wb.remove(wb[data_sheet])
        wb.create_sheet(data_sheet, index)

    m.add(
        m.edit("06_empty_data_sheet.xlsx", empty_data),
        "快报工作表是空的",
        "the data sheet is empty",
    )

    def rename(wb: Any) -> None:
        wb[data_sheet].title = "Sheet1"

    m.add(
        m.edit("07_data_sheet_renamed.xlsx", rename),
        "快报工作表被改名为 Sheet1",
        "the data sheet was renamed to Sheet1",
    )

    def move_columns(wb: Any) -> None:
        ws = wb[data_sheet]
        c, d = _CAL_COLUMN["month"], _CAL_COLUMN["ytd"]
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            row[c - 1].value, row[d - 1].value = row[d - 1].value, row[c - 1].value
        extra = len(DATA_COLUMNS) + 1
        ws.cell(row=1, column=extra, value="备注")
        for code, note in zip(m.rows, ("已审计", "含子公司", "暂估"), strict=False):
            ws.cell(row=m.rows[code], column=extra, value=note)

    m.add(
        m.edit("08_columns_moved_extra.xlsx", move_columns),
        "“本月”与“本年累计”两列互换位置，并多了一列“备注”",
        "columns 'This month' and 'Year to date' swapped, and an extra column 'Notes'",
    )

    flows = m.pick(lambda item, cal: cal == "ytd" and item.kind == "flow", 2)

    def merge(wb: Any) -> None:
        ws = wb[data_sheet]
        first, second = sorted(m.rows[code] for code, _cal in flows)
        letter = _letter("ytd")
        ws.merge_cells(f"{letter}{first}:{letter}{second}")

    m.add(
        m.edit("09_merged_value_cells.xlsx", merge),
        "两个项目的“本年累计”单元格被合并，第二个数值丢失",
        "two items' year-to-date cells merged; the second figure is lost",
    )

    parents = {i.parent for i in m.items.values() if i.parent}
    balances = m.pick(lambda item, cal: cal == "closing" and item.code in parents, 2)

    def formulas(wb: Any) -> None:
        ws = wb[data_sheet]
        for code, cal in balances:
            parts = [k for k, i in m.items.items() if i.parent == code and (k, cal) in m.values]
            refs = [f"{_letter(cal)}{m.rows[k]}" for k in parts] or [f"{_letter(cal)}2"]
            ws[m.cell((code, cal))] = f"=SUM({','.join(refs)})"

    m.add(
        m.edit("10_formulas_without_results.xlsx", formulas),
        "单元格是公式且没有计算结果（程序生成，未在 Excel 中重新计算）",
        "cells hold formulas without computed results (written by a program, never recalculated)",
    )

    # -- the values ----------------------------------------------------------------------------
    # separators only show from 1,000 up: prefer such figures, as people type them there
    def money(item: Item, cal: str) -> bool:
        return item.unit_kind == "money"

    try:
        text_cells = m.pick(lambda i, c: money(i, c) and abs(m.values[(i.code, c)]) >= 1000, 4)
    except ValueError:
        text_cells = m.pick(money, 4)
    as_text: dict[tuple[str, str], CellValue] = dict(m.values)
    for i, key in enumerate(text_cells):
        number = m.values[key]
        as_text[key] = f"{number:,.2f}" if i % 2 == 0 else f"{number:.2f}".translate(_FULL_WIDTH)
    m.template("11_numbers_as_text.xlsx", as_text)
    m.add(
        m.path("11_numbers_as_text.xlsx"),
        "数字以文本填写：带千分位（1,234.50）和全角数字（１２３）",
        "numbers entered as text: with thousands separators (1,234.50) and full-width digits",
    )

    required = m.pick(lambda item, _cal: item.required, 3)
    placeholders: dict[tuple[str, str], CellValue] = dict(m.values)
    for key, mark in zip(required, ("—", "N/A", None), strict=True):
        placeholders[key] = mark
    m.template("12_placeholders_in_required.xlsx", placeholders)
    m.add(
        m.path("12_placeholders_in_required.xlsx"),
        "必填项目填了“—”“N/A”或留空",
        "required items given as '—', 'N/A' or left blank",
    )

    (neg,) = m.pick(
        lambda item, _cal: item.nonneg and item.unit_kind == "money" and item.code not in parents
    )
    negative: dict[tuple[str, str], CellValue] = dict(m.values)
    negative[neg] = -abs(m.values[neg]) or -1.0
    m.template("13_negative_not_allowed.xlsx", negative)
    m.add(
        m.path("13_negative_not_allowed.xlsx"),
        f"不能为负的项目 {m.items[neg[0]].name_zh} 填了负数",
        f"{m.items[neg[0]].name_en} must not be negative but is",
    )

    odd = m.pick(lambda item, _cal: item.unit_kind == "money", 3)
    not_finite: dict[tuple[str, str], CellValue] = dict(m.values)
    for key, mark in zip(odd, ("NaN", "inf", "#DIV/0!"), strict=True):
        not_finite[key] = mark
    m.template("14_nan_inf_error_values.xlsx", not_finite)
    m.add(
        m.path("14_nan_inf_error_values.xlsx"),
        "数值为 NaN、inf 或 Excel 错误值 #DIV/0!",
        "values are NaN, inf or the Excel error #DIV/0!",
    )

    in_yuan: dict[tuple[str, str], CellValue] = {
        k: v * 10_000 if m.items[k[0]].unit_kind == "money" else v for k, v in m.values.items()
    }
    m.template("15_yuan_declared_as_10k.xlsx", in_yuan, unit="10k_yuan")
    m.add(
        m.path("15_yuan_declared_as_10k.xlsx"),
        "按元填写却声明为万元（金额大了 10,000 倍）",
        "figures in yuan but declared as 10k yuan (10,000 times too big)",
    )

    (dup,) = m.pick(lambda item, cal: item.kind == "balance" and cal == "closing")

    def duplicate(wb: Any) -> None:
        ws = wb[data_sheet]
        source = m.rows[dup[0]]
        target = ws.max_row + 1
        for col in range(1, len(DATA_COLUMNS) + 1):
            ws.cell(row=target, column=col, value=ws.cell(row=source, column=col).value)
        col = _CAL_COLUMN[dup[1]]
        ws.cell(row=target, column=col, value=round(m.values[dup] * 1.1, 2))

    m.add(
        m.edit("16_duplicate_item_rows.xlsx", duplicate),
        f"项目 {dup[0]} 在表末又出现一次，数值不同",
        f"item {dup[0]} appears again at the end with a different figure",
    )

    m.template("17_entity_out_of_scope.xlsx", uscc=other_uscc)
    m.add(
        m.path("17_entity_out_of_scope.xlsx"),
        f"封面的统一社会信用代码 {other_uscc} 不在报送范围内",
        f"the cover's USCC {other_uscc} is outside the submitter's scope",
    )

    m.template("18_closed_period.xlsx", period=closed_period)
    m.add(
        m.path("18_closed_period.xlsx"),
        f"期间 {closed_period} 已关账",
        f"period {closed_period} is closed",
    )

    # -- long-format CSV -------------------------------------------------------------------------
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(_long_rows(m))
    p = m.path("19_long_format_gbk.csv")
    p.write_bytes(text.getvalue().encode("gbk"))
    m.add(
        p, "长表 CSV 使用 GBK 编码（中文标签）", "a long-format CSV encoded in GBK (Chinese labels)"
    )
    p = m.path("20_long_format_utf8_ok.csv")
    p.write_bytes(text.getvalue().encode("utf-8"))
    m.add(p, "正确的 UTF-8 长表 CSV（对照）", "a correct UTF-8 long-format CSV (for comparison)")
    return m.out


def _encrypt(data: bytes, password: str) -> bytes:
    """ECMA-376 agile encryption, as Excel's "Encrypt with Password" writes it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def _shared_strings_bomb(good: bytes, count: int) -> bytes:
    """The good workbook plus a declared-and-real shared-strings table of ``count`` entries
    (a few hundred KB zipped, tens of MB unpacked)."""
    sst = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
        + b"<si><t>\xe7\xa4\xba</t></si>" * count
        + b"</sst>"
    )

    def register(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml" and b"sharedStrings" not in content:
            override = (
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            )
            return content.replace(b"</Types>", override + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in content:
            rel = (
                b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            )
            return content.replace(b"</Relationships>", rel + b"</Relationships>")
        return content

    return _add_members(_rewrite_zip(good, register), {"xl/sharedStrings.xml": sst})
