"""Standard values (企业绩效评价标准值): import from xlsx/CSV, list, and match to an enterprise.

A file holds one row per edition × industry × size class × indicator with the five levels
(优秀/良好/平均/较低/较差). Headers may be English keys or Chinese labels; a title row or ``#``
comment lines above the header are skipped. The import checks every row — indicator known,
industry a GB/T 4754-2017 code prefix (or ALL), size class, numbers, the five levels ordered
in the indicator's direction (reversed for "lower is better" indicators such as debt_ratio),
duplicates — and writes all or nothing: any error rejects the file with every problem located
(file, sheet, row, column) in zh and en. Re-importing an edition replaces it in the same
transaction.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from zhiguo.core.errors import ImportRejected, Location, Problem
from zhiguo.core.inbox import Received, keep_path, record_outcome
from zhiguo.datacenter.ingest import check_xlsx
from zhiguo.registry import normalise_industry_code
from zhiguo.supervision.models import BenchmarkValue

from .errors import UnknownBenchmarkFile, problem
from .schemas import BenchmarkImport, BenchmarkRecord, EditionSummary, StandardValues
from .scoring import LEVEL_CODES, is_monotonic

__all__ = [
    "ALL_INDUSTRIES",
    "BENCHMARK_COLUMNS",
    "INBOX_AREA",
    "StandardIndex",
    "choose_edition",
    "import_benchmarks",
    "list_benchmarks",
    "list_editions",
    "load_index",
]

ALL_INDUSTRIES = "ALL"
INBOX_AREA = "benchmarks"

# key → accepted header texts (the first Chinese one is what error messages show)
BENCHMARK_COLUMNS: dict[str, tuple[str, ...]] = {
    "edition": ("年度", "edition", "标准值年度", "版本", "year"),
    "industry_code": ("行业代码", "industry_code", "行业", "industry"),
    "size_class": ("规模", "size_class", "企业规模", "size"),
    "indicator_code": ("指标", "indicator_code", "指标代码", "indicator"),
    "excellent": ("优秀值", "excellent", "优秀"),
    "good": ("良好值", "good", "良好"),
    "average": ("平均值", "average", "平均"),
    "low": ("较低值", "low", "较低"),
    "poor": ("较差值", "poor", "较差"),
    "fictitious": ("示例数据", "fictitious", "虚构"),
}
_IGNORED = {
    "指标名称",
    "indicator_name",
    "行业名称",
    "industry_name",
    "备注",
    "note",
    "单位",
    "unit",
}
_REQUIRED = ("industry_code", "indicator_code", *LEVEL_CODES)
_ALIASES = {text.lower(): key for key, texts in BENCHMARK_COLUMNS.items() for text in texts}
_SIZE = {
    "all": "all", "全部": "all", "全行业": "all", "不分规模": "all", "": "all",
    "large": "large", "大型": "large", "大": "large",
    "medium": "medium", "中型": "medium", "中": "medium",
    "small": "small", "小型": "small", "小": "small", "小微型": "small", "小微": "small",
}  # fmt: skip
_ALL_TEXTS = {"all", "全行业", "全国", "全部", "全部行业"}
_TRUE = {"是", "true", "yes", "y", "1", "示例", "虚构"}
_DIRECTION_TEXT = {
    "higher": (
        "越高越好",
        "由高到低（不升）",
        "higher is better",
        "not increase from excellent to poor",
    ),
    "lower": (
        "越低越好",
        "由低到高（不降）",
        "lower is better",
        "not decrease from excellent to poor",
    ),
}
_HEADER_SEARCH_ROWS = 10
_SUFFIXES = {".xlsx", ".xlsm", ".csv"}


@dataclass
class _Table:
    file: str
    sheet: str | None
    header: dict[str, str] = field(default_factory=dict)  # key → header text in the file
    unknown: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def loc(self, row: int | None = None, key: str | None = None) -> Location:
        column = self.header.get(key, BENCHMARK_COLUMNS[key][0]) if key else None
        return Location(file=self.file, sheet=self.sheet, row=row, column=column, field=key)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_keys(cells: list[Any]) -> list[str | None]:
    return [_ALIASES.get(str(c).strip().lower()) if not _is_blank(c) else None for c in cells]


def _is_comment(cells: list[Any]) -> bool:
    return bool(cells) and str(cells[0] or "").lstrip().startswith("#")


def _header_row(raw: list[list[Any]]) -> int | None:
    """Index of the first row (among the first few) that looks like a standard-value header;
    ``#`` comment lines and title rows above it are skipped."""
    for index, cells in enumerate(raw[:_HEADER_SEARCH_ROWS]):
        if _is_comment(cells):
            continue  # a comment line (the demo file marks itself 示例数据 this way)
        keys = _header_keys(cells)
        if "indicator_code" in keys and "excellent" in keys:
            return index
    return None


def _to_table(file: str, sheet: str | None, raw: list[list[Any]]) -> _Table | None:
    """The table below the header row, or None when the sheet has no such header."""
    index = _header_row(raw)
    if index is None:
        return None
    cells = raw[index]
    keys = _header_keys(cells)
    table = _Table(file=file, sheet=sheet)
    mapping: dict[int, str] = {}
    for position, (cell, key) in enumerate(zip(cells, keys, strict=True)):
        text = "" if _is_blank(cell) else str(cell).strip()
        if not text or text.lower() in _IGNORED:
            continue
        if key is None:
            table.unknown.append(text)
        elif key in table.header:
            table.duplicated.append(key)
        else:
            mapping[position] = key
            table.header[key] = text
    for number, row in enumerate(raw[index + 1 :], start=index + 2):
        if _is_comment(row):
            continue
        values = {key: row[pos] if pos < len(row) else None for pos, key in mapping.items()}
        if all(_is_blank(v) for v in values.values()):
            continue
        table.rows.append((number, values))
    return table


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # Chinese government files are often GBK/GB18030


def _read_tables(path: Path, label: str) -> list[_Table]:
    suffix = path.suffix.lower()
    raws: list[tuple[str | None, list[list[Any]]]] = []
    if suffix in {".xlsx", ".xlsm"}:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            raws = [
                (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in workbook.sheet_names
            ]
        except Exception as exc:  # calamine raises its own types for broken files
            raise _Unreadable(type(exc).__name__) from exc
    elif suffix == ".csv":
        raws = [(None, list(csv.reader(io.StringIO(_decode(path.read_bytes())))))]
    else:
        raise UnknownBenchmarkFile(location=Location(file=label))
    return [t for sheet, raw in raws if (t := _to_table(label, sheet, raw)) is not None]


class _Unreadable(ValueError):
    """The file cannot be parsed; the message names the reader's error type only."""


class _Bad(ValueError):
    def __init__(self, rule: str, key: str, **fields: Any) -> None:
        super().__init__(rule)
        self.rule, self.key, self.fields = rule, key, fields


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _number(value: Any, key: str) -> float:
    if _is_blank(value):
        raise _Bad("value.required", key)
    if isinstance(value, bool):
        raise _Bad("value.not_numeric", key, value=value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            raise _Bad("value.not_numeric", key, value=str(value).strip()[:40]) from None
    if not math.isfinite(number):
        raise _Bad("value.not_numeric", key, value=str(value)[:40])
    return number


def _edition(value: Any, given: int | None) -> int:
    text = _text(value)
    if not text:
        if given is None:
            raise _Bad("edition.missing", "edition")
        return given
    try:
        edition = int(text.removesuffix("年"))
    except ValueError:
        raise _Bad("edition.invalid", "edition", value=text[:20]) from None
    if not 2000 <= edition <= 2100:
        raise _Bad("edition.invalid", "edition", value=text[:20])
    if given is not None and edition != given:
        raise _Bad("edition.mismatch", "edition", value=edition, expected=given)
    return edition


def _industry(value: Any) -> str:
    text = _text(value)
    if not text:
        raise _Bad("value.required", "industry_code")
    if text.lower() in _ALL_TEXTS:
        return ALL_INDUSTRIES
    code = normalise_industry_code(text)
    if code is None:
        raise _Bad("industry.invalid", "industry_code", value=text[:20])
    return code


def _indicator(value: Any, known: Collection[str], aliases: Mapping[str, str]) -> str:
    text = _text(value)
    if not text:
        raise _Bad("value.required", "indicator_code")
    code = aliases.get(text, text)
    if code not in known:
        raise _Bad("indicator.unknown", "indicator_code", value=text[:60])
    return code


def _parse_row(
    values: dict[str, Any],
    edition: int | None,
    known: Collection[str],
    aliases: Mapping[str, str],
    directions: Mapping[str, str],
) -> tuple[BenchmarkRecord, bool]:
    """One row as a record (and its fictitious mark), or :class:`_Bad` for the first problem."""
    code = _indicator(values.get("indicator_code"), known, aliases)
    industry = _industry(values.get("industry_code"))
    size_text = _text(values.get("size_class")).lower()
    if size_text not in _SIZE:
        raise _Bad("size.invalid", "size_class", value=size_text[:20])
    levels = [_number(values.get(key), key) for key in LEVEL_CODES]
    direction = directions.get(code)
    ok = (
        is_monotonic(levels, direction)
        if direction in ("higher", "lower")
        else is_monotonic(levels, "higher") or is_monotonic(levels, "lower")
    )
    if not ok:
        direction = direction if direction in ("higher", "lower") else "higher"
        order = LEVEL_CODES[_first_break(levels, direction)]
        zh, order_zh, en, order_en = _DIRECTION_TEXT[direction]
        raise _Bad(
            "levels.not_monotonic",
            order,
            indicator=code,
            direction_zh=zh,
            order_zh=order_zh,
            direction_en=en,
            order_en=order_en,
            values=" / ".join(f"{v:g}" for v in levels),
        )
    record = BenchmarkRecord(
        edition=_edition(values.get("edition"), edition),
        industry_code=industry,
        size_class=_SIZE[size_text],
        indicator_code=code,
        **dict(zip(LEVEL_CODES, levels, strict=True)),
    )
    return record, _text(values.get("fictitious")).lower() in _TRUE


def _first_break(levels: list[float], direction: str) -> int:
    """Index of the first level that is better than the one above it."""
    for i in range(1, len(levels)):
        worse_or_same = (
            levels[i] <= levels[i - 1] if direction == "higher" else (levels[i] >= levels[i - 1])
        )
        if not worse_or_same:
            return i
    return len(levels) - 1


@dataclass
class _Parsed:
    records: list[tuple[BenchmarkRecord, bool]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _validate(
    tables: list[_Table],
    label: str,
    edition: int | None,
    known: Collection[str],
    aliases: Mapping[str, str],
    directions: Mapping[str, str],
) -> _Parsed:
    out = _Parsed()
    if not tables:
        out.problems.append(problem("file.no_table", Location(file=label)))
        return out
    first_row: dict[tuple[int, str, str, str], str] = {}
    for table in tables:
        for text in table.unknown:
            out.problems.append(
                problem("column.unknown", Location(file=label, sheet=table.sheet, column=text),
                        "warning", column=text)
            )  # fmt: skip
        for key in table.duplicated:
            out.problems.append(
                problem("column.duplicate", table.loc(key=key), column=table.header[key],
                        column_en=key)
            )  # fmt: skip
        required = list(_REQUIRED)
        if edition is None:
            required.insert(0, "edition")
        missing = [k for k in required if k not in table.header]
        for key in missing:
            rule = "edition.missing" if key == "edition" else "column.missing"
            out.problems.append(
                problem(rule, table.loc(key=key), column=BENCHMARK_COLUMNS[key][0], column_en=key)
            )
        if missing or table.duplicated:
            continue
        if not table.rows:
            out.problems.append(problem("file.no_rows", table.loc()))
        for number, values in table.rows:
            try:
                record, fictitious = _parse_row(values, edition, known, aliases, directions)
            except _Bad as bad:
                fields = {
                    "column": table.header.get(bad.key, BENCHMARK_COLUMNS[bad.key][0]),
                    "column_en": bad.key,
                    **bad.fields,
                }
                out.problems.append(problem(bad.rule, table.loc(number, bad.key), **fields))
                continue
            row_key = (
                record.edition, record.industry_code, record.size_class, record.indicator_code
            )  # fmt: skip
            where = f"{table.sheet} {number}" if table.sheet else str(number)
            if row_key in first_row:
                out.problems.append(
                    problem("row.duplicate", table.loc(number), first_row=first_row[row_key])
                )
                continue
            first_row[row_key] = where
            out.records.append((record, fictitious))
    return out


def import_benchmarks(
    *,
    session: Session,
    path: Path,
    known_indicators: Collection[str],
    directions: Mapping[str, str],
    actor: str,
    edition: int | None = None,
    fictitious: bool = False,
    inbox: Path | None = None,
    name: str | None = None,
    indicator_aliases: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> BenchmarkImport:
    """Validate the standard-value file ``path`` and replace the editions it holds.

    ``known_indicators`` are the indicator codes a row may name (``indicator_aliases`` maps
    other texts, e.g. Chinese names, to codes); ``directions`` gives each code's
    ``higher``/``lower`` (the levels' order is checked against it — a code without one may be
    ordered either way). ``edition`` fills rows without an edition and must agree with those
    that have one. ``fictitious`` marks every stored row as 示例数据 (a ``fictitious``/``示例数据``
    column marks single rows). With ``inbox``, the received file is kept there first
    (``inbox/benchmarks/<sha256>``) and the outcome noted beside it.

    Raises :class:`ImportRejected` listing every problem when anything is wrong; nothing is
    written then. Otherwise deletes the stored rows of the file's editions and inserts the
    file's rows in the caller's transaction (flushed, not committed).
    """
    label = name or path.name
    received: Received | None = None
    if inbox is not None:
        received = keep_path(inbox, INBOX_AREA, path, name=label, sender=actor)
    if path.suffix.lower() not in _SUFFIXES:
        if received is not None:
            record_outcome(received, {"result": "rejected", "reason": "unsupported file type"})
        raise UnknownBenchmarkFile(location=Location(file=label))
    problems: list[Problem] = []
    tables: list[_Table] = []
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        problems.extend(check_xlsx(path, file_label=label))  # bombs never reach calamine
    if not problems:
        try:
            tables = _read_tables(path, label)
        except (_Unreadable, OSError, UnicodeError) as exc:
            reason = str(exc) if isinstance(exc, _Unreadable) else type(exc).__name__
            problems.append(problem("file.unreadable", Location(file=label), detail=reason))
    parsed = (
        _validate(tables, label, edition, known_indicators, indicator_aliases or {}, directions)
        if not problems
        else _Parsed()
    )
    problems.extend(parsed.problems)
    if any(p.severity == "error" for p in problems):
        if received is not None:
            record_outcome(
                received, {"result": "rejected", "problems": [p.as_dict() for p in problems]}
            )
        raise ImportRejected(problems, file=label)
    editions = sorted({r.edition for r, _f in parsed.records})
    replaced = int(
        session.scalar(
            select(func.count(BenchmarkValue.id)).where(BenchmarkValue.edition.in_(editions))
        )
        or 0
    )
    result = BenchmarkImport(
        file=label,
        editions=editions,
        rows=len(parsed.records),
        replaced=replaced,
        fictitious=fictitious or any(f for _r, f in parsed.records),
        inbox_sha256=received.sha256 if received else None,
        problems=[p.as_dict() for p in problems],
    )
    if dry_run:
        return result
    source = f"{label} ({received.sha256[:12]})" if received else label
    session.execute(delete(BenchmarkValue).where(BenchmarkValue.edition.in_(editions)))
    session.execute(
        insert(BenchmarkValue),
        [
            {**r.model_dump(), "fictitious": fictitious or f, "source": source[:300],
             "imported_by": actor[:100]}
            for r, f in parsed.records
        ],
    )  # fmt: skip
    session.flush()
    if received is not None:
        record_outcome(received, {"result": "accepted", "editions": editions, "rows": result.rows})
    return result


def list_editions(*, session: Session) -> list[EditionSummary]:
    """Every imported edition, newest first, with row counts and whether it is 示例数据."""
    b = BenchmarkValue
    stmt = (
        select(
            b.edition,
            func.count(b.id),
            func.count(func.distinct(b.industry_code)),
            func.count(func.distinct(b.indicator_code)),
            func.max(cast(b.fictitious, Integer)),
            func.max(b.source),
            func.max(b.imported_by),
        )
        .group_by(b.edition)
        .order_by(b.edition.desc())
    )
    return [
        EditionSummary(
            edition=e, rows=n, industries=i, indicators=k, fictitious=bool(f), source=s or "",
            imported_by=by or "",
        )
        for e, n, i, k, f, s, by in session.execute(stmt).all()
    ]  # fmt: skip


def list_benchmarks(
    *,
    session: Session,
    edition: int,
    indicator_code: str | None = None,
    industry_code: str | None = None,
) -> list[BenchmarkValue]:
    """The stored rows of ``edition`` (optionally one indicator / industry prefix)."""
    stmt = select(BenchmarkValue).where(BenchmarkValue.edition == edition)
    if indicator_code:
        stmt = stmt.where(BenchmarkValue.indicator_code == indicator_code)
    if industry_code:
        stmt = stmt.where(BenchmarkValue.industry_code == industry_code)
    stmt = stmt.order_by(
        BenchmarkValue.indicator_code, BenchmarkValue.industry_code, BenchmarkValue.size_class
    )
    return list(session.scalars(stmt))


def choose_edition(*, session: Session, year: int, edition: int | None = None) -> int | None:
    """``edition`` when given; else the newest edition not later than ``year``, else the
    newest of all (None when no standard values are imported)."""
    if edition is not None:
        return edition
    editions = list(session.scalars(select(BenchmarkValue.edition).distinct()))
    if not editions:
        return None
    earlier = [e for e in editions if e <= year]
    return max(earlier) if earlier else max(editions)


@dataclass(frozen=True)
class StandardIndex:
    """One edition's standard values, indexed for matching enterprises.

    Matching: the longest GB/T 4754 prefix of the enterprise's industry code that has a row
    for the indicator (``D4610`` → ``D4610``, ``D461``, ``D46``, ``D``, then ``ALL``); within
    that industry the enterprise's size class, else ``all``. Industry specificity wins over
    size: ``D46``/all is preferred to ``ALL``/large.
    """

    edition: int | None
    rows: Mapping[tuple[str, str, str], StandardValues]

    def match(self, indicator: str, industry_code: str, size_class: str) -> StandardValues | None:
        for prefix in _prefixes(industry_code):
            for size in dict.fromkeys((size_class, "all")):
                found = self.rows.get((indicator, prefix, size))
                if found is not None:
                    return found
        return None

    def indicators(self) -> set[str]:
        return {key[0] for key in self.rows}


def _prefixes(industry_code: str) -> Iterator[str]:
    code = (industry_code or "").strip().upper()
    for end in range(len(code), 0, -1):
        if end == 2:
            continue  # a letter plus one digit is not a GB/T 4754 level
        yield code[:end]
    yield ALL_INDUSTRIES


def load_index(*, session: Session, edition: int | None) -> StandardIndex:
    """The standard values of ``edition`` as a :class:`StandardIndex` (empty for None)."""
    if edition is None:
        return StandardIndex(None, {})
    rows = {
        (b.indicator_code, b.industry_code, b.size_class): StandardValues(
            edition=b.edition,
            industry_code=b.industry_code,
            size_class=b.size_class,
            excellent=b.excellent,
            good=b.good,
            average=b.average,
            low=b.low,
            poor=b.poor,
            fictitious=b.fictitious,
        )
        for b in session.scalars(select(BenchmarkValue).where(BenchmarkValue.edition == edition))
    }
    return StandardIndex(edition, rows)
