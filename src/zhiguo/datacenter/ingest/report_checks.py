"""Checks over whole reports: duplicates, required items, audit rules (identities,
subtotals, reasonableness) and cross-period rules (YTD continuity, opening = last year-end
closing, unit magnitude against the previous month).

Why numpy and not SQL: every fact gets one integer *cell key* (report × caliber × item) and
each report a dense row of a value cube, so the checks are a sort, a scatter and a few
vectorised comparisons — tens of millions of facts per second, where a SQL group-by over
string keys managed a few million. A "report" is entity × period × report type × scope;
figures already in the lake are history, and this file's figures replace the lake's for
the same report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from zhiguo.datacenter.flashreport.items import (
    CALIBERS,
    REPORT_TYPES,
    SCOPES,
    all_items,
    items_for_year,
)
from zhiguo.datacenter.flashreport.rules import AuditRule, rules_for_year
from zhiguo.datacenter.ingest.wording import amount, caliber_fields, item_fields

if TYPE_CHECKING:
    from zhiguo.datacenter.ingest.validate import ValidationContext, _Findings

__all__ = ["run"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

_ITEMS = [i.code for i in all_items()]
_ITEM_IX = {c: n for n, c in enumerate(dict.fromkeys(_ITEMS))}
_N_ITEMS = len(_ITEM_IX)
_CALS = list(CALIBERS)
_CAL_IX = {c: n for n, c in enumerate(_CALS)}
_NAMES = {i.code: (i.name_zh, i.name_en) for i in all_items()}  # for rule formulas
_FLOW = np.array([any(i.code == c and i.kind == "flow" for i in all_items()) for c in _ITEM_IX])
_BASE_YEAR = 1900


def _codes(col: pa.ChunkedArray | pa.Array, values: list[str]) -> I64:
    """Position of each row's value in ``values`` (looked up once per distinct value)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    enc = pc.dictionary_encode(arr)
    per_word = pc.index_in(enc.dictionary, value_set=pa.array(values)).to_numpy(
        zero_copy_only=False
    )
    return np.asarray(per_word[enc.indices.to_numpy(zero_copy_only=False)], dtype=np.int64)


def _period_index(col: pa.ChunkedArray | pa.Array) -> I64:
    """Months since 1900-01 for each row, parsed once per distinct period."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    enc = pc.dictionary_encode(arr)
    words = enc.dictionary
    year = pc.cast(pc.utf8_slice_codeunits(words, 0, 4), pa.int64()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(words, 5, 7), pa.int64()).to_numpy()
    per_word = np.asarray((year - _BASE_YEAR) * 12 + month - 1, dtype=np.int64)
    return np.asarray(per_word[enc.indices.to_numpy(zero_copy_only=False)], dtype=np.int64)


def _report_keys(t: pa.Table) -> I64:
    """entity × period × report type × scope, packed in one int64."""
    ent = t["enterprise_id"].to_numpy().astype(np.int64)
    report_type = _codes(t["report_type"], list(REPORT_TYPES))
    key = ((ent * 4096 + _period_index(t["period"])) * 4 + report_type) * 4
    return np.asarray(key + _codes(t["scope"], list(SCOPES)), dtype=np.int64)


def _period_of(report_key: I64) -> I64:
    return (report_key // 16) % 4096


def _shift(report_key: I64, months: I64 | int) -> I64:
    return report_key + np.asarray(months, dtype=np.int64) * 16


class _Cube:
    """Values and source rows by (report, caliber, item) for the reports in one table."""

    def __init__(self, t: pa.Table, with_rows: bool) -> None:
        rkey = _report_keys(t)
        self.keys, inverse = np.unique(rkey, return_inverse=True)
        cal = _codes(t["caliber"], _CALS)
        words = pc.unique(t["item_code"]).to_pylist()
        item = np.array([_ITEM_IX.get(c, -1) for c in words])[_codes(t["item_code"], words)]
        shape = (len(self.keys), len(_CALS), _N_ITEMS)
        self.flat = np.ravel_multi_index((inverse, cal, item), shape)
        self.value = np.full(shape, np.nan)
        self.value[inverse, cal, item] = t["value"].to_numpy(zero_copy_only=False)
        self.row = np.full(shape, -1, dtype=np.int32)
        if with_rows:
            self.row[inverse, cal, item] = np.arange(t.num_rows)  # positions in ``t``
            self.factor = np.zeros(len(self.keys))
            tenk = pc.equal(t["unit_declared"], "10k_yuan").to_numpy(zero_copy_only=False)
            np.maximum.at(self.factor, inverse, np.where(tenk, 100.0, 0.01) * 1.0)
            self.tol = self.factor


def run(
    facts: pa.Table,
    present: pa.Table,
    ctx: ValidationContext,
    found: _Findings,
) -> None:
    """``facts``: rows with no problem so far; ``present``: every row whose place in a
    report is known (for duplicates and required items, whatever its value's fate)."""
    given = pc.invert(facts["_placeholder"])
    live = facts if pc.all(given).as_py() else facts.filter(given)
    shared = present is live  # nothing dropped: one cube serves every check
    if present.num_rows:
        cube_all = _Cube(present, with_rows=True)
        _duplicates(present, cube_all, found)
        _required(present, cube_all, found)
    if live.num_rows == 0:
        return
    cube = cube_all if shared else _Cube(live, with_rows=True)
    years = sorted({int(str(p)[:4]) for p in pc.unique(live["period"]).to_pylist() if p})
    _rules(live, cube, rules_for_year(years[-1]), found)
    _cross_period(live, cube, ctx, found)


def _row(t: pa.Table, i: int) -> dict[str, Any]:
    return dict(t.slice(i, 1).to_pylist()[0])


def _duplicates(t: pa.Table, cube: _Cube, found: _Findings) -> None:
    """Cells given more than once: a bincount over cell indices, rows only for the few."""
    counts = np.bincount(cube.flat, minlength=cube.value.size)
    rows = np.flatnonzero(counts[cube.flat] > 1)
    if not len(rows):
        return
    first_of: dict[int, int] = {}
    for pos in rows.tolist():  # rows come in file order: the first one of a cell is original
        cell = int(cube.flat[pos])
        if cell not in first_of:
            first_of[cell] = pos
            continue
        row = _row(t, pos)
        first = _row(t, first_of[cell])
        found.add(
            "row.duplicate",
            row,
            first_row=first.get("_row"),
            **item_fields(row["item_code"]),
            **caliber_fields(row["caliber"]),
        )


def _required(t: pa.Table, cube: _Cube, found: _Findings) -> None:
    """Every required item of every total-scope report, given at least as a row."""
    has = cube.row >= 0  # a row was given, whatever became of its value
    has[cube.keys % 4 != list(SCOPES).index("total")] = True  # only 合计 reports must be full
    total = t
    years = _BASE_YEAR + _period_of(cube.keys) // 12
    missing_any = []
    for year in np.unique(years).tolist():
        need = np.zeros((len(_CALS), _N_ITEMS), dtype=bool)
        for item in items_for_year(int(year)).values():
            if item.required and item.kind != "average":
                need[_CAL_IX["ytd" if item.kind == "flow" else "closing"], _ITEM_IX[item.code]] = (
                    True
                )
        rows = np.flatnonzero(years == year)
        gaps = need[None, :, :] & ~has[rows]
        for r, c, i in zip(*np.nonzero(gaps), strict=True):
            missing_any.append((int(rows[r]), int(c), int(i)))
    if not missing_any:
        return
    usccs = dict(zip(_report_keys(total).tolist(), total["uscc"].to_pylist(), strict=True))
    codes = list(_ITEM_IX)
    for r, c, i in sorted(missing_any):
        key = int(cube.keys[r])
        p = int(_period_of(cube.keys[r : r + 1])[0])
        found.add(
            "item.required_missing",
            {"item_code": codes[i]},
            entity=usccs[key],
            period=f"{_BASE_YEAR + p // 12}-{p % 12 + 1:02d}",
            **item_fields(codes[i]),
            **caliber_fields(_CALS[c]),
        )


def _rules(t: pa.Table, cube: _Cube, rules: tuple[AuditRule, ...], found: _Findings) -> None:
    names_zh = {c: zh for c, (zh, _) in _NAMES.items()}
    names_en = {c: en for c, (_, en) in _NAMES.items()}
    for rule in rules:
        lhs_i = _ITEM_IX[rule.lhs]
        for cal in rule.calibers:
            c = _CAL_IX[cal]
            lhs = cube.value[:, c, lhs_i]
            parts = np.stack([s * cube.value[:, c, _ITEM_IX[code]] for s, code in rule.rhs])
            rhs = np.nansum(parts, axis=0)
            n = len(rule.rhs) + 1
            with np.errstate(invalid="ignore"):
                if rule.op == "=":
                    complete = ~np.isnan(lhs) & ~np.isnan(parts).any(axis=0)
                    bad = complete & (np.abs(lhs - rhs) > cube.tol * n + 1e-9 * np.abs(lhs))
                elif rule.op == ">=":
                    bad = ~np.isnan(lhs) & (lhs < rhs - cube.tol * n)
                else:
                    scale = np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), 1.0)
                    bad = ~np.isnan(lhs) & (np.abs(lhs - rhs) > rule.tolerance_pct / 100 * scale)
            kind = {"=": "rule.identity", ">=": "rule.subtotal", "~": "rule.reasonable"}[rule.op]
            for r in np.flatnonzero(bad).tolist():
                row = _row(t, int(cube.row[r, c, lhs_i]))
                left, right = float(lhs[r]), float(rhs[r])
                pct = abs(left - right) / max(abs(left), abs(right), 1) * 100
                found.add(
                    kind,
                    row,
                    rule.severity,
                    formula=rule.formula(names_zh),
                    formula_en=rule.formula(names_en),
                    lhs=amount(left),
                    rhs=amount(right),
                    diff=amount(left - right),
                    pct=f"{pct:.1f}",
                    **caliber_fields(cal),
                )


def _history(live: pa.Table, cube: _Cube, ctx: ValidationContext) -> _Cube | None:
    """The lake's reports for the months before this file's (None without history)."""
    if ctx.previous_facts is None:
        return None
    ent = live["enterprise_id"]
    keys = (
        pa.table({"enterprise_id": ent, "period": live["period"]})
        .group_by(["enterprise_id", "period"])
        .aggregate([])
    )
    pidx = _period_index(keys["period"])
    prev = np.concatenate([pidx - 1, pidx - pidx % 12 - 1])  # last month, last December
    ents = np.concatenate([keys["enterprise_id"].to_numpy()] * 2)
    labels = [f"{_BASE_YEAR + p // 12}-{p % 12 + 1:02d}" for p in prev.tolist()]
    wanted = pa.table(
        {"enterprise_id": pa.array(ents, pa.int64()), "period": pa.array(labels, pa.string())}
    )
    got = ctx.previous_facts(wanted.group_by(["enterprise_id", "period"]).aggregate([]))
    if got.num_rows == 0:
        return None
    return _Cube(got, with_rows=False)


def _lookup(cube: _Cube, hist: _Cube | None, keys: I64) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Values (report × caliber × item) for ``keys``: this file first, then the lake."""
    out = np.full((len(keys), len(_CALS), _N_ITEMS), np.nan)
    found = np.zeros(len(keys), dtype=bool)
    for source in (hist, cube):  # the file overrides the lake
        if source is None or not len(source.keys):
            continue
        pos = np.clip(np.searchsorted(source.keys, keys), 0, len(source.keys) - 1)
        hit = source.keys[pos] == keys
        out[hit] = source.value[pos[hit]]
        found |= hit
    return out, found


def _cross_period(live: pa.Table, cube: _Cube, ctx: ValidationContext, found: _Findings) -> None:
    hist = _history(live, cube, ctx)
    month_of = _period_of(cube.keys) % 12  # 0 = January
    ytd, mon, clo, opn = (_CAL_IX[c] for c in ("ytd", "month", "closing", "opening"))
    prev, has_prev = _lookup(cube, hist, _shift(cube.keys, -1))
    # 元 vs 万元: total assets 2,000–50,000× last month's (or the reverse)
    ta = _ITEM_IX["total_assets"]
    now_ta, before_ta = cube.value[:, clo, ta], prev[:, clo, ta]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = now_ta / before_ta
        odd = (
            has_prev
            & (now_ta > 0)
            & (before_ta > 0)
            & (((ratio >= 2000) & (ratio <= 50000)) | ((ratio <= 1 / 2000) & (ratio >= 1 / 50000)))
        )
    skip = odd  # a unit mix-up breaks every cross-period sum: say that, once
    flows = np.flatnonzero(_FLOW)
    with np.errstate(invalid="ignore"):
        this_ytd, this_month = cube.value[:, ytd][:, flows], cube.value[:, mon][:, flows]
        jan = (month_of == 0)[:, None]
        expect = np.where(jan, this_month, prev[:, ytd][:, flows] + this_month)
        bad = (
            ~skip[:, None]
            & ~np.isnan(this_ytd)
            & ~np.isnan(expect)
            & (np.abs(this_ytd - expect) > cube.tol[:, None] * 3)
        )
    for r, j in zip(*np.nonzero(bad), strict=True):
        item = int(flows[j])
        row = _row(live, int(cube.row[r, ytd, item]))
        names = item_fields(row["item_code"])
        if month_of[r] == 0:
            found.add(
                "crossperiod.january",
                row,
                ytd=amount(this_ytd[r, j]),
                month=amount(this_month[r, j]),
                **names,
            )
        else:
            p = int(_period_of(cube.keys[r : r + 1])[0]) - 1
            found.add(
                "crossperiod.ytd",
                row,
                ytd=amount(this_ytd[r, j]),
                previous=amount(prev[r, ytd, item]),
                previous_period=f"{_BASE_YEAR + p // 12}-{p % 12 + 1:02d}",
                month=amount(this_month[r, j]),
                **names,
            )
    # opening balances = last December's closing (a warning: restatements happen)
    dec, _ = _lookup(cube, hist, _shift(cube.keys, -(month_of + 1)))
    with np.errstate(invalid="ignore"):
        diff = np.abs(cube.value[:, opn] - dec[:, clo])
        bad_open = ~skip[:, None] & ~np.isnan(diff) & (diff > cube.tol[:, None] * 2)
    for r, item in zip(*np.nonzero(bad_open), strict=True):
        row = _row(live, int(cube.row[r, opn, item]))
        p = int(_period_of(cube.keys[r : r + 1])[0]) - int(month_of[r]) - 1
        found.add(
            "crossperiod.opening",
            row,
            "warning",
            opening=amount(cube.value[r, opn, item]),
            previous=amount(dec[r, clo, item]),
            previous_period=f"{_BASE_YEAR + p // 12}-{p % 12 + 1:02d}",
            **item_fields(row["item_code"]),
        )
    for r in np.flatnonzero(odd).tolist():
        row = _row(live, int(cube.row[r, clo, ta]))
        q = float(ratio[r])
        found.add(
            "unit.magnitude",
            row,
            value=amount(now_ta[r]),
            previous=amount(before_ta[r]),
            ratio=f"{q:,.0f}" if q >= 1 else f"1/{1 / q:,.0f}",
            unit="万元" if row["unit_declared"] == "10k_yuan" else "元",
        )
