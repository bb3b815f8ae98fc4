"""The reader for the flash-report xlsx template: cover + data sheet -> raw facts, exact cells.

Why two passes over one file: calamine (Rust) reads cell values fast but hides what matters
for trust — a formula whose cached result is missing reads as a blank, an error cell such
as ``#DIV/0!`` reads as a blank, and merged cells silently drop all but one value. So the
sheet XML is scanned first with byte-level regular expressions (no DOM, no per-cell Python
objects unless a formula or error cell is present) for formulas, error cells and the real
extent of every sheet (a cell-count bomb must be refused *before* calamine allocates the
grid); calamine then supplies the values, and its merged ranges are checked against the
value cells.

The reader reports only the file's *structure* (sheets, header, rows, formulas, merges);
unknown item codes, odd values, entities and periods pass through as raw facts for the
validator. Headers and sheet names are accepted in Chinese or English (the template's two
modes), matched case- and space-insensitively.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

import pyarrow as pa
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from zhiguo.core.errors import Location, Problem
from zhiguo.datacenter.flashreport.items import CALIBERS, label_to_code
from zhiguo.datacenter.flashreport.template import COVER_FIELDS, DATA_COLUMNS, SHEETS
from zhiguo.datacenter.ingest.errors import problem
from zhiguo.datacenter.ingest.facts import RAW_COLUMNS, RAW_SCHEMA
from zhiguo.datacenter.ingest.xlsx_guard import (
    MAX_CELLS,
    GuardLimits,
    column_letter,
    corrupt_problem,
    extent_over,
    inspect_xlsx,
    sheet_parts,
)

__all__ = ["HEADER_SEARCH_ROWS", "read_flash_report_xlsx"]

HEADER_SEARCH_ROWS = 20
_REQUIRED_COVER = ("uscc", "period", "report_type", "unit")


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    """Header/label spelling for matching: spaces collapsed, case folded, marks dropped."""
    return " ".join(text.replace("\u3000", " ").split()).casefold().rstrip(":：*＊ ")


def _sheet_aliases() -> dict[str, str]:
    out = {_norm(name): role for role, names in SHEETS.items() for name in names}
    out.update({_norm("财务快报"): "data", "data": "data", "flash": "data"})
    return out


def _header_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, zh, en in DATA_COLUMNS:
        out[_norm(zh)] = out[_norm(en)] = out[_norm(key)] = key
    for spelling, code in label_to_code()["caliber"].items():
        out[_norm(spelling)] = code
    out.update({"code": "item_code", "项目代码": "item_code", "name": "item_name"})
    return out


def _cover_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, zh, en, *_rest in COVER_FIELDS:
        out[_norm(zh)] = out[_norm(en)] = out[_norm(key)] = key
    out.update(
        {
            "社会信用代码": "uscc",
            "报表期间": "period",
            "所属期间": "period",
            "reporting period": "period",
            "单位": "unit",
            "unit": "unit",
            "报表类别": "report_type",
        }
    )
    return out


_SHEET_ALIASES = _sheet_aliases()
_HEADER_ALIASES = _header_aliases()
_COVER_ALIASES = _cover_aliases()
_EXPECTED = tuple(key for key, _zh, _en in DATA_COLUMNS)
_EXPECTED_ZH = " | ".join(zh for _k, zh, _en in DATA_COLUMNS)
_EXPECTED_EN = " | ".join(en for _k, _zh, en in DATA_COLUMNS)
_COLUMN_NAMES = {key: (zh, en) for key, zh, en in DATA_COLUMNS}
_COVER_NAMES = {key: (zh, en) for key, zh, en, *_rest in COVER_FIELDS}

# byte-level scanning of sheet XML (namespace prefixes tolerated)
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_HAS_ERROR = re.compile(rb"\bt\s*=\s*[\"']e[\"']")
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,3})(\d+)[\"']")
_ATTR_T = re.compile(rb"\bt\s*=\s*[\"'](\w+)[\"']")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)


@dataclass
class _Scan:
    """What the sheet XML says that calamine's values do not."""

    formulas: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


def _scan(xml: bytes) -> _Scan:
    """Formulas (text, cached result or None) and error cells, by (row, column), 1-based."""
    scan = _Scan()
    # cheap byte tests first: a formula element always ends in "f>" somewhere (a shared
    # formula's master holds text), an error cell carries t="e"
    maybe_formula = b"f>" in xml and _HAS_FORMULA.search(xml) is not None
    maybe_error = (b'"e"' in xml or b"'e'" in xml) and _HAS_ERROR.search(xml) is not None
    if not (maybe_formula or maybe_error):
        return scan
    for m in _CELL.finditer(xml):
        body = m.group(2)
        if not body:
            continue
        ref = _ATTR_R.search(m.group(1))
        if ref is None:
            continue
        letters, digits = ref.group(1).decode(), int(ref.group(2))
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        kind = _ATTR_T.search(m.group(1))
        is_error = kind is not None and kind.group(1) == b"e"
        v = _V.search(body)
        cached = unescape(v.group(1).decode()) if v and v.group(1) else None
        f = _F.search(body)
        if f is not None:
            text = unescape(f.group(1).decode()) if f.group(1) else "…"
            scan.formulas[(digits, col)] = (text, cached)
        if is_error and cached:
            scan.errors[(digits, col)] = cached
    return scan


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    """A cell as text for labels, codes and the cover (numbers without a spurious ``.0``)."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_EXACT = 2.0**53  # integral floats below this print exactly without ".0"


def _value_text(value: Any) -> str:
    """A value cell as the raw fact's string: exact, never judged."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < _EXACT else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _period_text(value: Any) -> str | None:
    """Excel turns a typed ``2025-03`` into a date; read it back as the period it was."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    return _text(value)


class _Refused(Exception):
    """A sheet too large to hand to calamine: stop reading, report only this."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message_en)
        self.problem = found


@dataclass
class _Book:
    """One workbook being read: its archive, calamine handle, per-sheet caches, problems."""

    label: str
    zf: zipfile.ZipFile
    parts: dict[str, str]
    data: bytes
    max_cells: int
    workbook: CalamineWorkbook | None = None
    problems: list[Problem] = field(default_factory=list)
    _rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    _sheets: dict[str, CalamineSheet] = field(default_factory=dict)
    _xml: dict[str, bytes] = field(default_factory=dict)
    _checked: set[str] = field(default_factory=set)

    def loc(
        self,
        sheet: str | None = None,
        row: int | None = None,
        col: int | None = None,
        item: str | None = None,
    ) -> Location:
        return Location(
            file=self.label,
            sheet=sheet,
            row=row,
            column=column_letter(col) if col else None,
            field=item,
        )

    def add(self, rule: str, loc: Location, severity: str = "error", **fields: Any) -> None:
        self.problems.append(problem(rule, loc, severity, **fields))

    def xml(self, sheet: str) -> bytes:
        if sheet not in self._xml:
            self._xml[sheet] = self.zf.read(self.parts[sheet])
        return self._xml[sheet]

    def precheck(self, names: list[str | None]) -> None:
        """Refuse (raise) when any of these sheets is too large for calamine's dense grid."""
        for name in names:
            if name is None or name in self._checked:
                continue
            over = extent_over(self.xml(name), self.max_cells)
            if over is not None:
                rows, cols = over
                raise _Refused(
                    problem(
                        "xlsx.cell_bomb",
                        self.loc(name),
                        sheet=name,
                        ref=f"A1:{column_letter(cols)}{rows}",
                        cells=f"{rows * cols:,}",
                        limit=f"{self.max_cells:,}",
                    )
                )
            self._checked.add(name)

    def sheet(self, name: str) -> CalamineSheet:
        """The calamine sheet — only after its real extent passed the cell limit."""
        if name not in self._sheets:
            self.precheck([name])
            if self.workbook is None:
                self.workbook = CalamineWorkbook.from_filelike(io.BytesIO(self.data))
            self._sheets[name] = self.workbook.get_sheet_by_name(name)
        return self._sheets[name]

    def rows(self, name: str) -> list[list[Any]]:
        if name not in self._rows:
            self._rows[name] = self.sheet(name).to_python(skip_empty_area=False)
        return self._rows[name]


def _facts_table(columns: dict[str, Any]) -> pa.Table:
    """RAW_SCHEMA table from lists or ready arrays (constant columns are built by repeat)."""
    return pa.Table.from_arrays(
        [
            c if isinstance(c := columns[f.name], pa.Array) else pa.array(c, type=f.type)
            for f in RAW_SCHEMA
        ],
        schema=RAW_SCHEMA,
    )


def _constant(value: Any, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _empty(problems: list[Problem]) -> tuple[pa.Table, list[Problem]]:
    return _facts_table({name: [] for name in RAW_COLUMNS}), problems


def read_flash_report_xlsx(
    path: Path, *, file_label: str, check: bool = True, max_cells: int = MAX_CELLS
) -> tuple[pa.Table, list[Problem]]:
    """Raw facts (``RAW_SCHEMA``) and structural problems of one filled-in template.

    The guard (:func:`~zhiguo.datacenter.ingest.xlsx_guard.inspect_xlsx`) runs first on the
    same bytes unless ``check`` is False (the caller ran ``check_xlsx`` already); a file it
    rejects is never parsed and yields no facts. Each sheet calamine is asked for is first
    checked for its real extent (``max_cells``). Each non-blank value cell becomes one fact
    located at its exact cell; a formula with a cached result is used (warning), one
    without is an error and no fact.
    """
    data = path.read_bytes()
    loc = Location(file=file_label)
    try:
        if check:
            inspection = inspect_xlsx(
                data, file_label=file_label, limits=GuardLimits(max_cells=max_cells)
            )
            if inspection.problems or inspection.zf is None:
                return _empty(inspection.problems)
            zf, parts = inspection.zf, inspection.parts
        else:
            zf = zipfile.ZipFile(io.BytesIO(data))
            parts = sheet_parts(zf)
        book = _Book(label=file_label, zf=zf, parts=parts, data=data, max_cells=max_cells)
        return _read(book)
    except _Refused as refused:
        return _empty([refused.problem])
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ET.ParseError) as exc:
        return _empty([corrupt_problem(exc, loc)])
    except (CalamineError, OSError, ValueError) as exc:  # calamine on a damaged part
        return _empty([corrupt_problem(exc, loc)])


def _find_sheets(book: _Book) -> tuple[str | None, str | None]:
    cover = data = None
    for name in book.parts:
        role = _SHEET_ALIASES.get(_norm(name))
        if role == "cover" and cover is None:
            cover = name
        elif role == "data" and data is None:
            data = name
    return cover, data


def _header_index(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for cell in row:
            text = _text(cell)
            if text and _HEADER_ALIASES.get(_norm(text)) == "item_code":
                return i
    return None


def _read(book: _Book) -> tuple[pa.Table, list[Problem]]:
    cover, data = _find_sheets(book)
    book.precheck([cover, data])  # before calamine opens the workbook at all
    found = "、".join(f"“{n}”" for n in book.parts) or "（无）"
    found_en = ", ".join(f"'{n}'" for n in book.parts) or "(none)"
    if data is None:
        lookalike = next(
            (n for n in book.parts if n != cover and _header_index(book.rows(n)) is not None),
            None,
        )
        hint = hint_en = ""
        if lookalike is not None:
            hint = f"；工作表“{lookalike}”含有快报表头，疑似被改名，已按其内容读取"
            hint_en = f"; sheet '{lookalike}' has the report header and was probably renamed"
            hint_en += "; its content was read"
        book.add(
            "xlsx.sheet_missing",
            book.loc(),
            expected=SHEETS["data"][0],
            expected_en=SHEETS["data"][1],
            found=found,
            found_en=found_en,
            detail=hint,
            detail_en=hint_en,
        )
        data = lookalike
    meta = _read_cover(book, cover, found, found_en)
    columns: dict[str, list[Any]] = {name: [] for name in RAW_COLUMNS}
    if data is not None:
        _read_data(book, data, meta, columns)
    return _facts_table(columns), book.problems


def _read_cover(book: _Book, cover: str | None, found: str, found_en: str) -> dict[str, Any]:
    meta: dict[str, Any] = dict.fromkeys(_REQUIRED_COVER)
    if cover is None:
        book.add(
            "xlsx.sheet_missing",
            book.loc(),
            expected=SHEETS["cover"][0],
            expected_en=SHEETS["cover"][1],
            found=found,
            found_en=found_en,
            detail="",
        )
        return meta
    rows = book.rows(cover)
    where: dict[str, tuple[int, int]] = {}
    for i, row in enumerate(rows, start=1):
        for c, cell in enumerate(row, start=1):
            key = _COVER_ALIASES.get(_norm(cell)) if isinstance(cell, str) and cell else None
            if key is None or key in where:
                continue
            # the value sits in the cell right of its label (template: A label, B value)
            raw = row[c] if c < len(row) else None
            meta[key] = _period_text(raw) if key == "period" else _text(raw)
            where[key] = (i, c + 1)
            break
    if not where and not any(not _blank(cell) for row in rows for cell in row):
        book.add("xlsx.sheet_empty", book.loc(cover), sheet=cover)
    for key in _REQUIRED_COVER:
        if meta.get(key) is not None:
            continue
        zh, en = _COVER_NAMES[key]
        spot = where.get(key)
        if spot is None:
            detail = f"（工作表“{cover}”中没有“{zh}”这一行）"
            detail_en = f" (sheet '{cover}' has no '{en}' row)"
        else:
            detail, detail_en = "（该行的值为空）", " (the value is blank)"
        book.add(
            "xlsx.cover_field_missing",
            book.loc(cover, spot[0] if spot else None, spot[1] if spot else None, item=key),
            field=zh,
            field_en=en,
            detail=detail,
            detail_en=detail_en,
        )
    return meta


def _map_header(book: _Book, sheet: str, header_row: int, header: list[Any]) -> dict[str, int]:
    """Template column key -> 0-based column index, with problems for what does not fit."""
    expected = {"expected": _EXPECTED_ZH, "expected_en": _EXPECTED_EN}
    mapping: dict[str, int] = {}
    for idx, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = _HEADER_ALIASES.get(_norm(text))
        loc = book.loc(sheet, header_row, idx + 1)
        if key is None:
            letter = column_letter(idx + 1)
            book.add("xlsx.column_extra", loc, "error", letter=letter, column=text, **expected)
        elif key in mapping:
            book.add("column.duplicate", loc, column=text)
        else:
            mapping[key] = idx
    for key in _EXPECTED:
        if key not in mapping:
            zh, en = _COLUMN_NAMES[key]
            severity = "warning" if key == "item_name" else "error"
            book.add(
                "xlsx.column_missing",
                book.loc(sheet, header_row),
                severity,
                column=zh,
                column_en=en,
                **expected,
            )
    in_file = sorted(mapping, key=mapping.__getitem__)
    in_template = [k for k in _EXPECTED if k in mapping]
    for got, want in zip(in_file, in_template, strict=True):
        if got != want:
            zh, en = _COLUMN_NAMES[got]
            book.add(
                "xlsx.column_moved",
                book.loc(sheet, header_row, mapping[got] + 1),
                "error",  # the template's layout is the contract; a moved column blocks
                column=zh,
                column_en=en,
                letter=column_letter(mapping[got] + 1),
                expected_letter=column_letter(_EXPECTED.index(got) + 1),
                **expected,
            )
    return mapping


def _read_data(book: _Book, sheet: str, meta: dict[str, Any], out: dict[str, Any]) -> None:
    rows = book.rows(sheet)
    scan = _scan(book.xml(sheet))
    h = _header_index(rows)
    if h is None:
        if scan.errors or any(not _blank(cell) for row in rows for cell in row):
            book.add(
                "xlsx.header_missing",
                book.loc(sheet),
                sheet=sheet,
                rows=HEADER_SEARCH_ROWS,
                expected=_EXPECTED_ZH,
                expected_en=_EXPECTED_EN,
            )
        else:
            book.add("xlsx.sheet_empty", book.loc(sheet), sheet=sheet)
        return
    header_row = h + 1
    mapping = _map_header(book, sheet, header_row, rows[h])
    value_cols = [
        (code, mapping[code], column_letter(mapping[code] + 1))
        for code in CALIBERS
        if code in mapping
    ]
    _check_unlabelled(book, sheet, rows, h, set(mapping.values()))
    _check_merges(book, sheet, header_row, [c for _k, c, _l in value_cols])
    code_col, name_col = mapping.get("item_code"), mapping.get("item_name")
    code_letter = (code_col if code_col is not None else 0) + 1
    special_rows = {r for r, _c in scan.formulas} | {r for r, _c in scan.errors}
    seen: dict[str, int] = {}
    items: list[str] = []
    calibers: list[str] = []
    values: list[str] = []
    row_numbers: list[int] = []
    letters: list[str] = []
    for r in range(h + 1, len(rows)):
        row, excel_row = rows[r], r + 1
        width = len(row)
        if excel_row in special_rows:
            cells = [
                (cal, c, letter, row[c] if c < width else "")
                for cal, c, letter in value_cols
                if (c < width and not _blank(row[c]))
                or (excel_row, c + 1) in scan.formulas
                or (excel_row, c + 1) in scan.errors
            ]
        else:  # the common case: plain values only
            cells = [
                (cal, c, letter, v)
                for cal, c, letter in value_cols
                if c < width and (v := row[c]) != "" and (v.__class__ is not str or not v.isspace())
            ]
        if not cells:
            continue
        item = _text(row[code_col]) if code_col is not None and code_col < width else None
        if item is None and name_col is not None and name_col < width:
            item = _text(row[name_col])  # no code: the name, for the validator to resolve
        if item is None:
            book.add("xlsx.row_no_item", book.loc(sheet, excel_row, code_letter), row=excel_row)
            continue
        if item in seen:
            book.add(
                "xlsx.item_duplicate",
                book.loc(sheet, excel_row, code_letter, item=item),
                code=item,
                first_row=seen[item],
                row=excel_row,
            )
        else:
            seen[item] = excel_row
        for caliber, c, letter, value in cells:
            text: str | None
            if excel_row in special_rows:
                text = _special_cell(book, scan, sheet, excel_row, c + 1, item, value)
                if text is None:
                    continue
            elif value.__class__ is float:
                text = (
                    str(int(value))
                    if value.is_integer() and -_EXACT < value < _EXACT
                    else repr(value)
                )
            else:
                text = _value_text(value)
            items.append(item)
            calibers.append(caliber)
            values.append(text)
            row_numbers.append(excel_row)
            letters.append(letter)
    n = len(items)
    for key in _REQUIRED_COVER:
        out[key] = _constant(meta.get(key), n)
    out["item_code"], out["caliber"], out["value"] = items, calibers, values
    out["scope"], out["_sheet"] = _constant("total", n), _constant(sheet, n)
    out["_row"], out["_column"] = row_numbers, letters
    if n == 0 and not any(p.severity == "error" for p in book.problems):
        book.add("xlsx.no_values", book.loc(sheet), sheet=sheet)


def _special_cell(
    book: _Book, scan: _Scan, sheet: str, row: int, col: int, item: str, value: Any
) -> str | None:
    """The fact text of a cell holding a formula or an error value (None: no fact)."""
    pos = (row, col)
    if pos not in scan.formulas:
        return scan.errors[pos] if pos in scan.errors else _value_text(value)
    formula, cached = scan.formulas[pos]
    cell_ref = f"{column_letter(col)}{row}"
    loc = book.loc(sheet, row, col, item=item)
    if cached is None:
        book.add("xlsx.formula_no_value", loc, cell=cell_ref, formula=formula)
        return None
    if pos in scan.errors:
        text = scan.errors[pos]
    else:
        text = cached if _blank(value) else _value_text(value)
    book.add("xlsx.formula_cached", loc, "warning", cell=cell_ref, formula=formula, value=text)
    return text


def _check_unlabelled(
    book: _Book, sheet: str, rows: list[list[Any]], h: int, known: set[int]
) -> None:
    """Values under a column with a blank header would be silently lost: say so."""
    header = rows[h]
    width = max((len(r) for r in rows[h + 1 :]), default=0)
    for c in range(width):
        if c in known or (c < len(header) and not _blank(header[c])):
            continue
        if all(c >= len(row) or _blank(row[c]) for row in rows[h + 1 :]):
            continue
        letter = column_letter(c + 1)
        book.add(
            "xlsx.column_extra",
            book.loc(sheet, h + 1, c + 1),
            "error",
            letter=letter,
            column="（空表头）",
            expected=_EXPECTED_ZH,
            expected_en=_EXPECTED_EN,
        )


def _check_merges(book: _Book, sheet: str, header_row: int, value_cols: list[int]) -> None:
    ranges = book.sheet(sheet).merged_cell_ranges or []
    for (r0, c0), (r1, c1) in ranges:
        # 0-based corners; does the range cover any value cell below the header?
        if r1 + 1 <= header_row or not any(c0 <= c <= c1 for c in value_cols):
            continue
        top_left = f"{column_letter(c0 + 1)}{r0 + 1}"
        ref = f"{top_left}:{column_letter(c1 + 1)}{r1 + 1}"
        book.add(
            "xlsx.merged_values",
            book.loc(sheet, r0 + 1, c0 + 1),
            ref=ref,
            cell=top_left,
        )
