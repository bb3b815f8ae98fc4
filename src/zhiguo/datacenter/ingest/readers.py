"""Readers for long-format submissions: CSV (UTF-8 or GB18030/GBK, detected or declared),
JSON (an array, or ``{"facts": [...]}``), NDJSON and Parquet. The xlsx template has its own
reader (``xlsx_reader``) behind a structural guard (``xlsx_guard``).

Every reader returns raw facts (``facts.RAW_SCHEMA``) and problems about the file's *form*;
values are judged later, in one place (``validate``). CSV is read in streaming blocks, never
whole into Python objects.
"""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from zhiguo.core.errors import Location, Problem
from zhiguo.datacenter.ingest.errors import problem
from zhiguo.datacenter.ingest.facts import RAW_SCHEMA

__all__ = ["COLUMN_ALIASES", "LONG_SUFFIXES", "detect_encoding", "read_long"]

LONG_SUFFIXES = (".csv", ".json", ".ndjson", ".jsonl", ".parquet")
# column in any accepted spelling -> canonical name
COLUMN_ALIASES: dict[str, str] = {
    **{c: c for c in ("uscc", "period", "report_type", "unit", "item_code", "caliber", "scope")},
    "value": "value",
    "统一社会信用代码": "uscc",
    "期间": "period",
    "报表类型": "report_type",
    "金额单位": "unit",
    "单位": "unit",
    "项目编码": "item_code",
    "口径": "caliber",
    "范围": "scope",
    "数值": "value",
    "金额": "value",
}
IGNORED_COLUMNS = {"项目名称", "item_name", "企业名称", "name"}
REQUIRED = ("uscc", "period", "report_type", "unit", "item_code", "caliber", "value")
_SNIFF_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """``utf-8`` if the first MiB decodes as UTF-8, else ``gb18030`` (a superset of GBK)."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a cut multi-byte char at the end is fine
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _first_bad_line(path: Path, encoding: str) -> tuple[int, str]:
    """Where decoding as ``encoding`` first fails (line number, reason) — for the message."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                prefix = chunk[: exc.start]
                return line + prefix.count(b"\n"), exc.reason
            line += text.count("\n")
    return line, "unknown"


def _canonical(
    names: list[str], label: str, sheet: str | None = None
) -> tuple[dict[str, str], list[Problem]]:
    """Map the file's column names to canonical ones; unknown/duplicate/missing → problems."""
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name in names:
        key = name.strip().lstrip("\ufeff")
        canon = COLUMN_ALIASES.get(key) or COLUMN_ALIASES.get(key.lower())
        if canon is None:
            if key not in IGNORED_COLUMNS:
                problems.append(
                    problem(
                        "column.unknown",
                        Location(file=label, sheet=sheet, column=name),
                        column=name,
                    )
                )
            continue
        if canon in seen:
            problems.append(
                problem(
                    "column.duplicate",
                    Location(file=label, sheet=sheet, column=name),
                    column=f"{seen[canon]} / {name}",
                )
            )
            continue
        seen[canon] = name
        mapping[name] = canon
    for need in REQUIRED:
        if need not in seen:
            problems.append(
                problem("column.missing", Location(file=label, sheet=sheet), column=need)
            )
    return mapping, problems


def _to_raw(
    table: pa.Table, mapping: dict[str, str], first_row: int, column_label: str
) -> pa.Table:
    n = table.num_rows
    cols: dict[str, pa.ChunkedArray | pa.Array] = {}
    by_canon = {canon: name for name, canon in mapping.items()}
    for field in RAW_SCHEMA:
        if field.name in by_canon:
            col = table[by_canon[field.name]]
            if field.name == "value" and (
                pa.types.is_floating(col.type) or pa.types.is_integer(col.type)
            ):
                cols[field.name] = col  # typed sources keep their numbers
            elif pa.types.is_dictionary(col.type):
                cols[field.name] = col  # codes stay dictionary-encoded: 4 bytes a row
            else:
                cols[field.name] = col.cast(pa.string())
        elif field.name == "_row":
            cols[field.name] = pa.array(np.arange(first_row, first_row + n, dtype=np.int32))
        elif field.name == "_column":
            cols[field.name] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([column_label])
            )
        else:
            cols[field.name] = pa.nulls(n, field.type)
    return pa.table(cols)


def _header(path: Path, encoding: str) -> list[str]:
    """The column names (first line), read without parsing a block of data."""
    with path.open("rb") as fh:
        first = fh.readline(1 << 20)
    text = first.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    return next(csv.reader([text.rstrip("\r\n")]), [])


def _csv_batches(
    path: Path,
    encoding: str,
    names: list[str],
    mapping: dict[str, str],
    value_col: str,
    value_type: pa.DataType,
) -> list[pa.Table]:
    # dimension columns repeat a handful of values: read them dictionary-encoded
    text = pa.dictionary(pa.int32(), pa.string())
    types = {name: (value_type if name == value_col else text) for name in names}
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=16 << 20),
        convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""]),
    )
    batches, row = [], 2
    for batch in reader:
        batches.append(_to_raw(pa.Table.from_batches([batch]), mapping, row, value_col))
        row += batch.num_rows
    return batches


def _read_csv(path: Path, label: str, encoding: str | None) -> tuple[pa.Table, list[Problem]]:
    declared = encoding
    enc = (encoding or detect_encoding(path)).lower().replace("gbk", "gb18030")
    try:
        names = _header(path, enc)
        mapping, problems = _canonical(names, label)
        if any(p.severity == "error" for p in problems):
            return pa.table({}), problems
        value_col = _value_col(mapping)
        try:  # plain numbers parse natively; any odd value sends us to the text path
            batches = _csv_batches(path, enc, names, mapping, value_col, pa.float64())
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc).lower():
                raise
            batches = _csv_batches(path, enc, names, mapping, value_col, pa.string())
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        text = str(exc)
        if "UTF8" in text or "UTF-8" in text or "decode" in text.lower():
            line, reason = _first_bad_line(path, enc)
            hint = "；该文件可能是 GBK/GB18030 编码" if enc == "utf-8" else ""
            hint_en = "; the file looks GBK/GB18030-encoded" if enc == "utf-8" else ""
            return pa.table({}), [
                problem(
                    "csv.encoding",
                    Location(file=label, row=line),
                    declared=(declared or enc).upper(),
                    line=line,
                    detail=f"{reason}{hint}",
                    detail_en=f"{reason}{hint_en}",
                )
            ]
        return pa.table({}), [problem("csv.unreadable", Location(file=label), detail=text[:300])]
    if not batches:
        return pa.table({}), [problem("file.no_rows", Location(file=label))]
    return pa.concat_tables(batches).unify_dictionaries().combine_chunks(), problems


def _value_col(mapping: dict[str, str]) -> str:
    return next((name for name, canon in mapping.items() if canon == "value"), "value")


def _read_json(path: Path, label: str, lines: bool) -> tuple[pa.Table, list[Problem]]:
    try:
        if lines:
            table = pajson.read_json(path)
            first = 1
        else:
            with path.open("rb") as fh:
                doc = json.load(fh)
            rows = doc.get("facts") if isinstance(doc, dict) else doc
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ValueError('expected an array of objects or {"facts": [...]}')
            names = list(dict.fromkeys(k for r in rows for k in r))
            table = pa.table({k: pa.array([_jsonable(r.get(k)) for r in rows]) for k in names})
            first = 1
    except (ValueError, pa.ArrowInvalid) as exc:
        return pa.table({}), [
            problem("json.unreadable", Location(file=label), detail=str(exc)[:300])
        ]
    mapping, problems = _canonical(table.column_names, label)
    if any(p.severity == "error" for p in problems):
        return pa.table({}), problems
    if table.num_rows == 0:
        return pa.table({}), [problem("file.no_rows", Location(file=label))]
    return _to_raw(table, mapping, first, _value_col(mapping)), problems


def _jsonable(value: object) -> object:
    """Keep numbers as numbers and everything else as text, so one column has one type."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    return str(value)


def _read_parquet(path: Path, label: str) -> tuple[pa.Table, list[Problem]]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        return pa.table({}), [
            problem("parquet.unreadable", Location(file=label), detail=str(exc)[:300])
        ]
    mapping, problems = _canonical(table.column_names, label)
    if any(p.severity == "error" for p in problems):
        return pa.table({}), problems
    if table.num_rows == 0:
        return pa.table({}), [problem("file.no_rows", Location(file=label))]
    for name, canon in mapping.items():
        col = table[name]
        if pa.types.is_dictionary(col.type):
            table = table.set_column(table.column_names.index(name), name, col.cast(pa.string()))
        elif canon == "value" and pa.types.is_decimal(col.type):
            table = table.set_column(
                table.column_names.index(name), name, pc.cast(col, pa.float64())
            )
    return _to_raw(table, mapping, 1, _value_col(mapping)), problems


def read_long(
    path: Path, *, label: str, encoding: str | None = None
) -> tuple[pa.Table, list[Problem]]:
    """Raw facts from a long-format file (one figure per row), by suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, label, encoding)
    if suffix in (".ndjson", ".jsonl"):
        return _read_json(path, label, lines=True)
    if suffix == ".json":
        return _read_json(path, label, lines=False)
    if suffix == ".parquet":
        return _read_parquet(path, label)
    return pa.table({}), [problem("file.unsupported", Location(file=label), suffix=suffix)]
