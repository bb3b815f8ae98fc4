"""The validation report as a workbook: every problem listed, and the submitted sheets copied
with the offending cells marked — so an enterprise's accountant fixes the file in Excel, cell
by cell, instead of matching messages to coordinates by hand.

Red fill marks an error, yellow a warning; each marked cell carries the messages (zh and en)
as a comment, and each listed problem links to its cell. The copy holds values only (no
formulas, styles or merges): it shows *where*, the original stays the thing to edit.

A source that is itself broken (not a zip, encrypted, a bomb, unreadable) never stops the
report: it then holds the problem list alone. The source passes the same guard as an upload
before anything parses it, and each sheet's real extent is checked before it is copied.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhiguo.core.errors import Problem
from zhiguo.datacenter.ingest.xlsx_guard import (
    column_index,
    extent_over,
    inspect_xlsx,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "ERROR_FILL",
    "MAX_COPY_CELLS",
    "PROBLEM_SHEET",
    "WARNING_FILL",
    "write_validation_report",
]

ERROR_FILL = "FFFFC7CE"  # light red: blocks the import
WARNING_FILL = "FFFFEB9C"  # light yellow: accepted, but check it
PROBLEM_SHEET = {"zh": "问题清单", "en": "Problems"}
MAX_COPY_CELLS = 1_000_000  # a report is for people: larger sheets are listed, not copied

_HEADERS = (
    ("严重程度", "Severity"),
    ("代码", "Code"),
    ("规则", "Rule"),
    ("文件", "File"),
    ("工作表", "Sheet"),
    ("行", "Row"),
    ("列", "Column"),
    ("项目编码", "Item code"),
    ("说明（中文）", "Message (Chinese)"),
    ("Message (English)", "Message (English)"),
)
_WIDTHS = (10, 16, 24, 24, 14, 7, 8, 28, 70, 70)
_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning")}
_LETTERS = re.compile(r"^[A-Z]{1,3}$")


def _zh(lang: str) -> bool:
    return lang.startswith("zh")


def _safe(value: Any) -> Any:
    """Submitted text as a cell value: control characters openpyxl refuses are dropped."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_validation_report(
    target: Path, problems: list[Problem], *, source: Path | None, lang: str = "zh"
) -> Path:
    """Write the report workbook to ``target`` and return it.

    Problems are listed errors first (stable otherwise). When ``source`` is a readable
    xlsx, its sheets follow, each problem's cell filled and commented; problems located at a
    row only mark that row's used cells.
    """
    from openpyxl import Workbook

    zh = _zh(lang)
    wb = Workbook()
    listing = wb.active
    assert listing is not None
    listing.title = PROBLEM_SHEET["zh" if zh else "en"]
    copied = _copy_source(wb, source, reserved=listing.title) if source is not None else {}
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    _write_listing(listing, ordered, copied, zh=zh)
    _mark(wb, ordered, copied, zh=zh)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def _write_listing(
    ws: Worksheet, problems: list[Problem], copied: dict[str, str], *, zh: bool
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    for col, (text_zh, text_en) in enumerate(_HEADERS, start=1):
        cell = ws.cell(row=1, column=col, value=text_zh if zh else text_en)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[col - 1]
    fills = {
        "error": PatternFill("solid", fgColor=ERROR_FILL),
        "warning": PatternFill("solid", fgColor=WARNING_FILL),
    }
    for row, p in enumerate(problems, start=2):
        loc = p.location
        severity = _SEVERITY.get(p.severity, (p.severity, p.severity))[0 if zh else 1]
        values: tuple[Any, ...] = (
            severity,
            p.code,
            p.rule,
            loc.file,
            loc.sheet,
            loc.row,
            loc.column,
            loc.field,
            p.message_zh,
            p.message_en,
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=_safe(value))
            cell.data_type = "s" if isinstance(value, str) else cell.data_type
            if col >= 9:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if p.severity in fills:
            ws.cell(row=row, column=1).fill = fills[p.severity]
        copy = copied.get(loc.sheet or "")
        if copy and loc.row:
            letter = loc.column if loc.column and _LETTERS.match(loc.column) else "A"
            anchor = ws.cell(row=row, column=6)
            anchor.hyperlink = Hyperlink(
                ref=anchor.coordinate, location=f"'{copy}'!{letter}{loc.row}"
            )
            anchor.font = Font(color="FF0563C1", underline="single")
    ws.freeze_panes = "A2"
    if problems:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(_HEADERS))}{len(problems) + 1}"


def _copy_source(wb: Any, source: Path, *, reserved: str) -> dict[str, str]:
    """Copy each readable sheet's values; source sheet name -> name of its copy.

    Anything wrong with the source — it is what was submitted, after all — leaves the
    report with the problem list only.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        data = source.read_bytes()
        inspection = inspect_xlsx(data, file_label=source.name)
        if inspection.problems or inspection.zf is None:
            return {}
        zf, parts = inspection.zf, inspection.parts
        grids: list[tuple[str, list[list[Any]]]] = []
        calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name, part in parts.items():
            if extent_over(zf.read(part), MAX_COPY_CELLS) is not None:
                continue  # listed in the problems; too large to copy for people
            grids.append((name, calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, zlib.error, CalamineError):
        return {}
    copied: dict[str, str] = {}
    for name, grid in grids:
        title = name if name != reserved else f"{name} (原表)"
        ws = wb.create_sheet(title[:31])
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=_safe(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # text that looks like a formula stays text
        copied[name] = ws.title
    return copied


def _mark(wb: Any, problems: list[Problem], copied: dict[str, str], *, zh: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fills = {
        "error": PatternFill("solid", fgColor=ERROR_FILL),
        "warning": PatternFill("solid", fgColor=WARNING_FILL),
    }
    notes: dict[tuple[str, int, int], list[Problem]] = defaultdict(list)
    for p in problems:
        loc = p.location
        copy = copied.get(loc.sheet or "")
        if not copy or not loc.row or loc.row < 1:
            continue
        if loc.column and _LETTERS.match(loc.column):
            notes[(copy, loc.row, column_index(loc.column))].append(p)
        elif not loc.column:  # a whole row: mark its used cells, comment the first
            ws = wb[copy]
            width = max(ws.max_column, 1)
            for col in range(1, width + 1):
                cell = ws.cell(row=loc.row, column=col)
                if p.severity == "error" or cell.fill.fgColor.rgb != ERROR_FILL:
                    cell.fill = fills.get(p.severity, fills["warning"])
            notes[(copy, loc.row, 1)].append(p)
    for (sheet, row, col), found in notes.items():
        cell = wb[sheet].cell(row=row, column=col)
        severity = "error" if any(p.severity == "error" for p in found) else "warning"
        cell.fill = fills[severity]
        lines = [f"[{p.code}] {p.message_zh if zh else p.message_en}" for p in found]
        lines += [f"[{p.code}] {p.message_en if zh else p.message_zh}" for p in found]
        comment = Comment("\n".join(lines), "zhiguo")
        comment.width = 420
        comment.height = min(60 + 40 * len(lines), 600)
        cell.comment = comment
