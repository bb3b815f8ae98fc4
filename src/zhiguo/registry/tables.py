"""Reading and writing the registry's tables (xlsx and CSV), header aliases included.

One column list serves both directions, so what ``registry export`` writes is exactly what
``registry import`` reads. Headers may be the Chinese label or the English key.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhiguo.core.errors import Location

from .errors import UnknownTableFile

__all__ = [
    "ENTERPRISE_COLUMNS",
    "OWNERSHIP_COLUMNS",
    "SHEET_ENTERPRISES",
    "SHEET_OWNERSHIP",
    "Table",
    "UnreadableFile",
    "ownership_csv_path",
    "read_tables",
    "write_report",
    "write_tables",
]

SHEET_ENTERPRISES = "企业"
SHEET_OWNERSHIP = "股权"

# (key, Chinese header)
ENTERPRISE_COLUMNS: list[tuple[str, str]] = [
    ("uscc", "统一社会信用代码"),
    ("name_zh", "企业名称"),
    ("name_en", "英文名称"),
    ("short_name", "简称"),
    ("industry_code", "行业代码"),
    ("industry_category", "行业大类"),
    ("region_code", "行政区划代码"),
    ("status", "状态"),
    ("is_listed", "是否上市"),
    ("supervision_class", "功能分类"),
    ("state_share_pct", "国有股权比例(%)"),
    ("level", "级次"),
]
OWNERSHIP_COLUMNS: list[tuple[str, str]] = [
    ("child_uscc", "被投资企业统一社会信用代码"),
    ("parent_uscc", "股东统一社会信用代码"),
    ("share_pct", "持股比例(%)"),
    ("controlling", "是否控股"),
    ("valid_from", "生效日期"),
    ("valid_to", "失效日期"),
]
_SHEET_ALIASES = {
    "enterprise": {SHEET_ENTERPRISES, "enterprises", "enterprise", "企业名录"},
    "ownership": {SHEET_OWNERSHIP, "ownership", "股权关系", "edges"},
}


def _aliases(columns: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, zh in columns:
        out[key] = key
        out[zh] = key
        out[zh.replace("(%)", "")] = key
    return out


@dataclass
class Table:
    """One sheet (or CSV file) of rows keyed by column key; ``rows[i][0]`` is the row number
    as a spreadsheet shows it (header = 1)."""

    kind: str  # "enterprise" | "ownership"
    file: str
    sheet: str | None
    header: dict[str, str]  # key -> header text as written in the file
    unknown: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def loc(self, row: int | None = None, key: str | None = None) -> Location:
        column = self.header.get(key, key) if key else None
        return Location(file=self.file, sheet=self.sheet, row=row, column=column, field=key)


def _classify(header: list[str], sheet: str | None) -> str | None:
    if sheet is not None:
        for kind, names in _SHEET_ALIASES.items():
            if sheet.strip().lower() in {n.lower() for n in names}:
                return kind
    keys = {_aliases(OWNERSHIP_COLUMNS).get(h) for h in header}
    if "child_uscc" in keys or "parent_uscc" in keys:
        return "ownership"
    if {_aliases(ENTERPRISE_COLUMNS).get(h) for h in header} - {None}:
        return "enterprise"  # even without a USCC column: then "column missing" says so
    return None


def _table(kind: str, file: str, sheet: str | None, raw: list[list[Any]]) -> Table:
    columns = ENTERPRISE_COLUMNS if kind == "enterprise" else OWNERSHIP_COLUMNS
    aliases = _aliases(columns)
    header_cells = [str(c).strip() if c is not None else "" for c in (raw[0] if raw else [])]
    mapping: dict[int, str] = {}
    table = Table(kind=kind, file=file, sheet=sheet, header={})
    for idx, text in enumerate(header_cells):
        if not text:
            continue
        key = aliases.get(text)
        if key is None:
            table.unknown.append(text)
            continue
        mapping[idx] = key
        table.header[key] = text
    for number, cells in enumerate(raw[1:], start=2):
        values = {key: cells[idx] if idx < len(cells) else None for idx, key in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        table.rows.append((number, values))
    return table


class UnreadableFile(ValueError):
    """The file is not a readable workbook; the message names the reader's error type only
    (never a server path)."""


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # Chinese government files are often GBK/GB18030


def ownership_csv_path(path: Path) -> Path:
    """``registry.csv`` keeps its ownership table beside it in ``registry.ownership.csv``."""
    return path.with_name(f"{path.stem}.ownership{path.suffix}")


def read_tables(path: Path) -> list[Table]:
    """All registry tables in an xlsx workbook or a CSV file (and its ownership sibling)."""
    suffix = path.suffix.lower()
    tables: list[Table] = []
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheets = [
                (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in workbook.sheet_names
            ]
        except Exception as exc:  # calamine raises its own types for broken or empty files
            raise UnreadableFile(type(exc).__name__) from exc
        for name, raw in sheets:
            header = [str(c).strip() for c in (raw[0] if raw else []) if c is not None]
            kind = _classify(header, name)
            if kind:
                tables.append(_table(kind, path.name, name, raw))
        return tables
    if suffix == ".csv":
        files = [path]
        sibling = ownership_csv_path(path)
        if sibling.is_file() and ".ownership" not in path.stem:
            files.append(sibling)
        for file in files:
            text_rows: list[list[Any]] = list(csv.reader(io.StringIO(_decode(file))))
            header = [str(c).strip() for c in (text_rows[0] if text_rows else [])]
            kind = _classify(header, None)
            if kind:
                tables.append(_table(kind, file.name, None, text_rows))
        return tables
    raise UnknownTableFile(location=Location(file=path.name))


def write_tables(
    path: Path, enterprises: list[list[Any]], ownership: list[list[Any]]
) -> list[Path]:
    """Write both tables with Chinese headers; returns the files written."""
    ent_header = [zh for _k, zh in ENTERPRISE_COLUMNS]
    own_header = [zh for _k, zh in OWNERSHIP_COLUMNS]
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = SHEET_ENTERPRISES
        for title, header, rows, sheet in (
            (SHEET_ENTERPRISES, ent_header, enterprises, ws),
            (SHEET_OWNERSHIP, own_header, ownership, wb.create_sheet(SHEET_OWNERSHIP)),
        ):
            sheet.title = title
            sheet.append(header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append(row)
            sheet.freeze_panes = "A2"
            for idx, _h in enumerate(header):
                letter = get_column_letter(idx + 1)
                sheet.column_dimensions[letter].width = 22
                for cell in sheet[letter][1:]:
                    if isinstance(cell.value, str):
                        cell.number_format = "@"  # keep codes as text
        wb.save(path)
        return [path]
    if suffix == ".csv":
        written = []
        for target, header, rows in (
            (path, ent_header, enterprises),
            (ownership_csv_path(path), own_header, ownership),
        ):
            with target.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(["" if v is None else v for v in row] for row in rows)
            written.append(target)
        return written
    raise UnknownTableFile(location=Location(file=path.name))


def write_report(path: Path, report: Any) -> Path:
    """The per-row import report (``ImportReport``) as .csv or .xlsx."""
    header = ["工作表 sheet", "行 row", "键 key", "结果 action", "说明 messages"]
    rows = [[r.sheet, r.row, r.key, r.action, "\n".join(r.messages)] for r in report.rows]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "report"
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
        return path
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
