"""Validation of a submission's raw facts: every check vectorised over the whole file.

Why vectorised: a month's flash reports for a large group are millions of figures, and the
checks (types, items, units, scope, periods, duplicates, required items, identities,
cross-period continuity) must run at well over a million facts per second. Per-row work
happens only for the rare rows that need explaining, and each rule lists at most
``max_per_rule`` occurrences (then says how many more there are).

Input: the readers' raw facts (``facts.RAW_SCHEMA``). Output: the facts the lake accepts
(codes normalised, money in 元) and every :class:`Problem` with its exact location.
Errors block the whole submission; warnings pass with a note.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhiguo.core.errors import Location, Problem
from zhiguo.core.periods import Period
from zhiguo.core.uscc import validate_uscc
from zhiguo.datacenter.flashreport.items import (
    CALIBERS,
    KIND_CALIBERS,
    all_items,
    items_for_year,
    label_to_code,
)
from zhiguo.datacenter.ingest import report_checks
from zhiguo.datacenter.ingest.errors import RULES, problem
from zhiguo.datacenter.ingest.wording import amount, item_fields

__all__ = ["PLACEHOLDERS", "Validated", "ValidationContext", "validate_facts"]

PLACEHOLDERS = (
    "",
    "—",
    "——",
    "–",
    "-",
    "－",
    "N/A",
    "n/a",
    "NA",
    "na",
    "无",
    "/",
    "不适用",
    "null",
    "NULL",
    "None",
    "空",
)
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_MONEY_YUAN = 5e13  # 50 trillion 元: beyond any city portfolio; usually a unit mistake
_FACTOR = {"yuan": 1.0, "10k_yuan": 10_000.0}
_KEY = ("uscc", "period", "report_type", "item_code", "caliber", "scope")


@dataclass(frozen=True)
class ValidationContext:
    """What validation needs to know beyond the file itself.

    ``entities``: the registry as a table (uscc, enterprise_id, status); ``allowed_ids``: the
    submitter's scope (None = every enterprise); ``period_state(period)`` → open | closed |
    future; ``previous_facts(keys)`` → lake facts for (enterprise_id, period) keys, used by
    cross-period rules (None when there is no history to compare with).
    """

    file: str
    entities: pa.Table
    allowed_ids: frozenset[int] | None
    period_state: Callable[[str], str]
    previous_facts: Callable[[pa.Table], pa.Table] | None = None
    max_per_rule: int = 200


@dataclass
class Validated:
    """Accepted facts (lake columns, without batch columns) and the problems found."""

    facts: pa.Table
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Findings:
    """Collects problems, at most ``cap`` listed per rule (the rest counted)."""

    def __init__(self, file: str, cap: int) -> None:
        self.file, self.cap = file, cap
        self.items: list[Problem] = []
        self.counts: Counter[str] = Counter()
        self.severity: dict[str, str] = {}

    def add(self, rule: str, row: dict[str, Any] | None, severity: str = "error", **f: Any) -> None:
        self.counts[rule] += 1
        self.severity[rule] = severity
        if self.counts[rule] > self.cap:
            return
        loc = Location(file=self.file)
        if row is not None:
            loc = Location(
                file=self.file,
                sheet=row.get("_sheet"),
                row=row.get("_row"),
                column=row.get("_column"),
                field=row.get("item_code"),
            )
        self.items.append(problem(rule, loc, severity, **f))

    def rows(
        self,
        table: pa.Table,
        mask: pa.Array | pa.ChunkedArray,
        rule: str,
        severity: str = "error",
        **fixed: Any,
    ) -> int:
        """Add one problem per masked row (``fixed`` fields plus ``{column}`` from the row)."""
        hits = table.filter(pc.fill_null(mask, False))
        n = hits.num_rows
        if not n:
            return 0
        room = max(self.cap - self.counts[rule], 0)
        for row in hits.slice(0, room).to_pylist():
            fields = {**fixed, **item_fields(row.get("item_code"))}
            fields.setdefault("value", row.get("value"))
            fields = {k: (v(row) if callable(v) else v) for k, v in fields.items()}
            self.add(rule, row, severity, **fields)
        self.counts[rule] += n - min(n, room)
        self.severity[rule] = severity
        return int(n)

    def finish(self) -> list[Problem]:
        out = list(self.items)
        for rule, n in self.counts.items():
            if n > self.cap:
                out.append(
                    problem(
                        "problems.truncated",
                        Location(file=self.file),
                        self.severity[rule],
                        rule_name=f"{RULES[rule][0]} {rule}",
                        count=n - self.cap,
                    )
                )
        return out


# -- normalisation -------------------------------------------------------------------------
def _tidy(col: pa.ChunkedArray | pa.Array, upper: bool = False) -> pa.Array:
    """Whitespace-trimmed (and upper-cased) text, computed once per *distinct* value: a
    column of a million figures holds a few dozen item codes and periods."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr.cast(pa.string()))
    words = pc.utf8_trim_whitespace(arr.dictionary.cast(pa.string()))
    if upper:
        words = pc.utf8_upper(words)
    # stay dictionary-encoded (4 bytes a row, not a string), with a duplicate-free dictionary
    # so equal words share one index
    unique = pc.unique(words)
    remap = pc.index_in(words, value_set=unique)
    return pa.DictionaryArray.from_arrays(pc.take(remap, arr.indices), unique)


def _per_value(arr: pa.Array | pa.ChunkedArray, fn: Any) -> pa.Array:
    """``fn`` applied to a dictionary column's distinct values, spread back to its rows."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        return fn(arr)
    return pc.take(fn(arr.dictionary), arr.indices)


def _map_codes(col: pa.Array, mapping: dict[str, str]) -> tuple[pa.Array, pa.Array]:
    """(codes, unknown-mask) for a tidy dimension column given in any accepted spelling."""
    keys = pa.array(list(mapping))
    values = pa.array(list(mapping.values()))
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    enc = pc.dictionary_encode(col)
    codes = pc.take(pc.take(values, pc.index_in(enc.dictionary, value_set=keys)), enc.indices)
    unknown = pc.and_(pc.is_valid(col), pc.is_null(codes))
    return codes, unknown


def _parse_text_number(text: str) -> tuple[float | None, str]:
    """A forgiving parse of one odd value: ('number', 'ok'|'normalised'|'nan'|'bad')."""
    s = unicodedata.normalize("NFKC", text).strip()
    negative = s.startswith("(") and s.endswith(")")  # accounting style (1,234) = −1,234
    s = s.strip("()")
    s = re.sub(r"[,，\s\u00a0]", "", s).removesuffix("元").removesuffix("万元")
    try:
        number = float(s)
    except ValueError:
        return None, "bad"
    if not math.isfinite(number):
        return None, "nan"
    return (-number if negative else number), "normalised"


def _values(t: pa.Table, found: _Findings) -> tuple[pa.Array, pa.Array]:
    """(value as float64 or null, placeholder-mask) with problems for the odd ones."""
    col = t["value"]
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        numbers = col.cast(pa.float64())
        finite = pc.is_finite(numbers)
        found.rows(t, pc.invert(pc.fill_null(finite, True)), "value.not_finite")
        numbers = pc.if_else(pc.fill_null(finite, True), numbers, None)
        return numbers.combine_chunks(), pc.is_null(col).combine_chunks()
    text = col.cast(pa.string()).combine_chunks()
    # fast path: plain numbers (nearly every cell); only the rest is trimmed and inspected
    clean = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    numbers = pc.cast(pc.if_else(clean, text, None), pa.float64())
    rest = pc.indices_nonzero(pc.invert(clean))
    placeholder = np.zeros(len(text), dtype=bool)
    if len(rest) == 0:
        return numbers, pa.array(placeholder)
    trimmed = pc.utf8_trim_whitespace(pc.take(text, rest))
    is_holder = pc.or_(
        pc.is_null(trimmed), pc.is_in(trimmed, value_set=pa.array(PLACEHOLDERS))
    ).to_numpy(zero_copy_only=False)
    rest_np = rest.to_numpy()
    placeholder[rest_np[is_holder]] = True
    odd_idx = rest_np[~is_holder].tolist()
    if odd_idx:
        fixed: dict[int, float] = {}
        for i in odd_idx:
            raw = text[i].as_py()
            number, how = _parse_text_number(raw)
            row = t.slice(i, 1).to_pylist()[0]
            fields = {**item_fields(row.get("item_code")), "value": raw}
            if number is not None:
                fixed[i] = number
                found.add("value.text_number", row, number=amount(number), **fields)
            else:
                found.add("value.not_finite" if how == "nan" else "value.not_number", row, **fields)
        values = numbers.to_numpy(zero_copy_only=False).copy()
        mask = np.isnan(values) if len(values) else np.zeros(0, dtype=bool)
        mask &= ~np.isin(np.arange(len(values)), list(fixed))
        for i, v in fixed.items():
            values[i] = v
        numbers = pa.array(values, mask=mask)
    return numbers, pa.array(placeholder)


def _periods(t: pa.Table, ctx: ValidationContext, found: _Findings) -> tuple[pa.Array, pa.Array]:
    """(canonical period or null, bad-mask) with problems for invalid/closed/future ones."""
    text = t["period"]
    distinct = pc.unique(text).to_pylist()
    canon: dict[str, str | None] = {}
    for raw in distinct:
        if raw is None:
            continue
        try:
            p = str(Period.parse(raw))
        except Exception:
            canon[raw] = None
            found.rows(t, pc.equal(text, raw), "period.invalid", value=raw)
            continue
        state = ctx.period_state(p)
        canon[raw] = p if state == "open" else None
        if state != "open":
            found.rows(t, pc.equal(text, raw), f"period.{state}", value=p)
    found.rows(t, pc.is_null(text), "dim.missing", column="期间 period")
    keys = pa.array(list(canon), pa.string())
    vals = pa.array(list(canon.values()), pa.string())
    mapped = _per_value(text, lambda words: pc.take(vals, pc.index_in(words, value_set=keys)))
    return mapped.combine_chunks() if isinstance(mapped, pa.ChunkedArray) else mapped, pc.is_null(
        mapped
    )


def _entities(t: pa.Table, ctx: ValidationContext, found: _Findings) -> tuple[pa.Array, pa.Array]:
    """(enterprise_id or null, bad-mask): unknown, out-of-scope and malformed USCCs — judged
    once per distinct code, then spread to the rows."""
    uscc = t["uscc"].combine_chunks()
    enc = pc.dictionary_encode(uscc)
    words = enc.dictionary.to_pylist()
    rows_ix = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
    at = pc.index_in(enc.dictionary, value_set=ctx.entities["uscc"].combine_chunks())
    word_ids = pc.take(ctx.entities["enterprise_id"].combine_chunks(), at).to_pylist()
    word_status = pc.take(ctx.entities["status"].combine_chunks(), at).to_pylist()
    found.rows(t, pc.is_null(uscc), "dim.missing", column="统一社会信用代码 uscc")
    bad_word = np.zeros(len(words) + 1, dtype=bool)
    bad_word[-1] = True  # a missing USCC (index −1 below)

    def first(k: int) -> dict[str, Any]:
        return dict(t.slice(int(np.argmax(rows_ix == k)), 1).to_pylist()[0])

    for k, (word, eid, status) in enumerate(zip(words, word_ids, word_status, strict=True)):
        if eid is None:
            bad_word[k] = True
            try:
                validate_uscc(word)
            except Exception as exc:  # malformed: say why (GB 32100 check character etc.)
                found.add("dim.unknown", first(k), column="统一社会信用代码 uscc", value=word,
                          allowed=str(exc)[:120])  # fmt: skip
                continue
            rule = "entity.unknown" if ctx.allowed_ids is None else "entity.out_of_scope"
            found.add(rule, first(k), value=word)
        elif ctx.allowed_ids is not None and eid not in ctx.allowed_ids:
            bad_word[k] = True
            found.add("entity.out_of_scope", first(k), value=word)
        elif status != "active":
            found.add("entity.inactive", first(k), "warning", value=word, status=status)
    ids = pc.take(pa.array(word_ids, pa.int64()), enc.indices)
    return ids, pa.array(bad_word[rows_ix])


def validate_facts(raw: pa.Table, ctx: ValidationContext) -> Validated:
    """Check ``raw`` (RAW_SCHEMA) completely; return the acceptable facts and the problems."""
    found = _Findings(ctx.file, ctx.max_per_rule)
    if raw.num_rows == 0:
        found.add("file.no_rows", None)
        return Validated(_empty_facts(), found.finish())
    t = raw.append_column("_i", pa.array(np.arange(raw.num_rows, dtype=np.int64)))
    for name in ("uscc", "period", "report_type", "unit", "item_code", "caliber", "scope"):
        t = t.set_column(t.schema.get_field_index(name), name, _tidy(t[name], name == "uscc"))

    # 1. dimensions in any accepted spelling -> codes
    spellings = label_to_code()
    dims: dict[str, pa.Array] = {}
    bad = pc.is_null(t["_i"])  # all False: rows are struck out as checks fail
    for col, zh in (
        ("caliber", "口径"),
        ("scope", "范围"),
        ("report_type", "报表类型"),
        ("unit", "金额单位"),
    ):
        codes, unknown = _map_codes(t[col], spellings[col])
        allowed = "、".join(sorted(set(spellings[col].values())))
        for value in pc.unique(pc.filter(t[col], unknown)).to_pylist():
            found.rows(
                t,
                pc.equal(t[col], value),
                "dim.unknown",
                column=f"{zh} {col}",
                value=value,
                allowed=allowed,
            )
        if col == "scope":
            codes = pc.fill_null(codes, "total")
        elif col != "unit":
            found.rows(
                t,
                pc.and_(pc.is_null(codes), pc.invert(unknown)),
                "dim.missing",
                column=f"{zh} {col}",
            )
        dims[col] = codes
        bad = pc.or_(bad, pc.is_null(codes) if col != "unit" else unknown)

    periods, bad_period = _periods(t, ctx, found)
    ids, bad_entity = _entities(t, ctx, found)
    bad = pc.or_(pc.or_(bad, bad_period), bad_entity)

    # 2. items (dictionary of the period's year), calibers allowed for the item's kind —
    # worked out per distinct item code, then spread to rows by dictionary index (numpy)
    years = _per_value(periods, lambda w: pc.cast(pc.utf8_slice_codeunits(w, 0, 4), pa.int32()))
    item_code = t["item_code"].combine_chunks()
    enc = pc.dictionary_encode(item_code)
    words = enc.dictionary.to_pylist()
    ix = pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    latest = {i.code: i for i in all_items()}
    known = [latest.get(w) for w in words] + [None]
    ix = np.where(pc.is_null(item_code).to_numpy(zero_copy_only=False), len(words), ix)
    kinds = list(KIND_CALIBERS)
    kind_ix = np.array([kinds.index(i.kind) if i else -1 for i in known])[ix]
    nonneg = pa.array(np.array([bool(i and i.nonneg) for i in known])[ix])
    money = pa.array(np.array([bool(i and i.unit_kind == "money") for i in known])[ix])
    required = pa.array(np.array([bool(i and i.required) for i in known])[ix])
    years_np = pc.fill_null(years, 0).to_numpy(zero_copy_only=False)
    invalid = kind_ix < 0
    for year in [y for y in pc.unique(years).to_pylist() if y is not None]:
        valid = items_for_year(year)
        out_of_year = np.array([w not in valid for w in words] + [True])
        invalid |= (years_np == year) & out_of_year[ix]
    invalid &= ~pc.fill_null(bad, True).to_numpy(zero_copy_only=False) | (kind_ix < 0)
    for year in [y for y in pc.unique(years).to_pylist() if y is not None]:
        found.rows(
            t,
            pa.array(invalid & (years_np == year)),
            "item.unknown",
            value=lambda r: r["item_code"],
            year=year,
        )
    bad = pc.or_(bad, pa.array(invalid))
    cal_codes = list(CALIBERS)
    fits = np.zeros((len(kinds) + 1, len(cal_codes) + 1), dtype=bool)
    for k, cals in KIND_CALIBERS.items():
        for c in cals:
            fits[kinds.index(k), cal_codes.index(c)] = True
    fits[-1, :] = True  # unknown items: reported already
    fits[:, -1] = True  # unknown calibers: reported already
    cal_ix = pc.fill_null(
        pc.index_in(dims["caliber"], value_set=pa.array(cal_codes)), len(cal_codes)
    ).to_numpy(zero_copy_only=False)
    caliber_ok = fits[kind_ix, cal_ix]
    wrong_caliber = pc.and_(pa.array(~caliber_ok), pc.invert(bad))
    kinds_of = {i.code: i.kind for i in all_items()}

    def _allowed(row: dict[str, Any], lang: str) -> str:
        cals = KIND_CALIBERS.get(kinds_of.get(row["item_code"], "flow"), ())
        return "、".join(CALIBERS[c][0 if lang == "zh" else 1] for c in cals)

    calibers_arr = dims["caliber"]
    t2 = t.append_column("_caliber", calibers_arr)
    found.rows(
        t2,
        wrong_caliber,
        "item.caliber_not_allowed",
        caliber=lambda r: CALIBERS.get(r["_caliber"], (r["_caliber"],))[0],
        caliber_en=lambda r: CALIBERS.get(r["_caliber"], ("", r["_caliber"]))[1],
        allowed=lambda r: _allowed(r, "zh"),
        allowed_en=lambda r: _allowed(r, "en"),
    )
    bad = pc.or_(bad, wrong_caliber)

    structural = bad  # rows whose place in a report is unknown; value problems come next
    # 3. values: numbers, placeholders, units, signs
    values, placeholder = _values(t, found)
    unit_missing = pc.and_(
        pc.and_(pc.fill_null(money, False), pc.is_null(dims["unit"])),
        pc.invert(pc.fill_null(pc.is_null(t["unit"]), False)),
    )
    unit_null = pc.and_(pc.fill_null(money, False), pc.is_null(t["unit"]))
    found.rows(t, pc.and_(unit_null, pc.invert(bad)), "dim.missing", column="金额单位 unit")
    bad = pc.or_(bad, pc.or_(unit_missing, unit_null))
    missing_required = pc.and_(pc.and_(placeholder, pc.fill_null(required, False)), pc.invert(bad))
    found.rows(t, missing_required, "value.required_missing")
    not_number = pc.and_(pc.is_null(values), pc.invert(placeholder))
    bad = pc.or_(bad, pc.or_(missing_required, not_number))
    factor = pc.if_else(
        pc.fill_null(money, False),
        pc.if_else(pc.equal(pc.fill_null(dims["unit"], "yuan"), "10k_yuan"), 10_000.0, 1.0),
        1.0,
    )
    scaled = pc.multiply(values, factor)
    scaled = pc.if_else(pc.fill_null(money, False), pc.round(scaled, 2), scaled)
    t3 = t.set_column(t.schema.get_field_index("value"), "value", scaled).append_column(
        "_submitted", values
    )
    live = pc.and_(pc.invert(bad), pc.invert(placeholder))
    negative = pc.and_(live, pc.and_(pc.fill_null(nonneg, False), pc.less(scaled, 0)))
    found.rows(t3, negative, "value.negative", value=lambda r: amount(r["_submitted"]))
    headcount = pc.and_(live, pc.invert(pc.fill_null(money, True)))
    fractional = pc.and_(headcount, pc.not_equal(pc.floor(scaled), scaled))
    found.rows(t3, fractional, "value.not_integer", value=lambda r: amount(r["value"]))
    huge = pc.and_(
        live, pc.and_(pc.fill_null(money, False), pc.greater(pc.abs(scaled), MAX_MONEY_YUAN))
    )
    found.rows(
        t3,
        huge,
        "value.implausible",
        value=lambda r: amount(r["value"]),
        limit=amount(MAX_MONEY_YUAN),
    )
    # an implausible figure stays in the report checks: the unit check explains it best
    bad = pc.or_(bad, pc.or_(negative, fractional))

    facts = pa.table(
        {
            "enterprise_id": ids,
            "uscc": t["uscc"],
            "period": periods,
            "report_type": dims["report_type"],
            "item_code": item_code,
            "caliber": dims["caliber"],
            "scope": dims["scope"],
            "value": scaled,
            "unit_declared": pc.fill_null(dims["unit"], "yuan"),
            "_sheet": t["_sheet"],
            "_row": t["_row"],
            "_column": t["_column"],
            "_i": t["_i"],
            "_placeholder": placeholder,
        }
    )
    present = _keep(facts, pc.fill_null(pc.invert(structural), False))
    facts = _keep(facts, pc.fill_null(pc.invert(bad), False))

    # 4. whole-report checks (duplicates, required items, identities, cross-period)
    report_checks.run(facts, present, ctx, found)
    accepted = _keep(facts, pc.invert(facts["_placeholder"])).drop_columns(
        ["_sheet", "_row", "_column", "_i", "_placeholder"]
    )
    return Validated(accepted, found.finish())


def _keep(table: pa.Table, mask: pa.Array | pa.ChunkedArray) -> pa.Table:
    """``table.filter(mask)``, without copying a million rows when every row is kept."""
    return table if pc.all(mask).as_py() else table.filter(mask)


def _empty_facts() -> pa.Table:
    return pa.table(
        {
            "enterprise_id": pa.array([], pa.int64()),
            **{c: pa.array([], pa.string()) for c in _KEY},
            "value": pa.array([], pa.float64()),
            "unit_declared": pa.array([], pa.string()),
        }
    )
