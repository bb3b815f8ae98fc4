"""The demo flash reports pass the audit rules, repeat exactly, and show what was planted.

Every check re-reads the generated Arrow tables with pyarrow/numpy and the item dictionary;
none reuses the generator's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from zhiguo.core import InputError, Period, validate_uscc
from zhiguo.datacenter.flashreport import items_for_year
from zhiguo.demo.reports import FACT_SCHEMA, DemoReports, generate_flash_reports
from zhiguo.demo.world import AS_OF, World, generate_world
from zhiguo.registry import EnterpriseStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = 0.01 + 1e-6  # tolerance per term, plus float slack


@dataclass
class Wide:
    """One period's facts pivoted: a row per report, a column per (item, caliber)."""

    period: str
    keys: np.ndarray  # "uscc|report_type"
    uscc: np.ndarray
    report_type: np.ndarray
    values: dict[tuple[str, str], np.ndarray]

    def __call__(self, item: str, caliber: str) -> np.ndarray:
        return self.values[(item, caliber)]


def pivot(table: pa.Table, period: str) -> Wide:
    order = pc.sort_indices(
        table,
        sort_keys=[
            ("uscc", "ascending"),
            ("report_type", "ascending"),
            ("item_code", "ascending"),
            ("caliber", "ascending"),
        ],
    )
    t = table.take(order)
    uscc = t["uscc"].to_numpy(zero_copy_only=False)
    rtype = t["report_type"].to_numpy(zero_copy_only=False)
    items = t["item_code"].to_numpy(zero_copy_only=False)
    cals = t["caliber"].to_numpy(zero_copy_only=False)
    k = int(np.sum((uscc == uscc[0]) & (rtype == rtype[0])))
    assert len(uscc) % k == 0
    r = len(uscc) // k
    items, cals = items.reshape(r, k), cals.reshape(r, k)
    assert (items == items[0]).all() and (cals == cals[0]).all(), "reports differ in items"
    uscc, rtype = uscc.reshape(r, k), rtype.reshape(r, k)
    assert (uscc == uscc[:, :1]).all() and (rtype == rtype[:, :1]).all()
    values = t["value"].to_numpy().reshape(r, k)
    keys = np.char.add(np.char.add(uscc[:, 0].astype(str), "|"), rtype[:, 0].astype(str))
    assert len(set(keys)) == r, "a report appears twice"
    return Wide(
        period=period,
        keys=keys,
        uscc=uscc[:, 0],
        report_type=rtype[:, 0],
        values={
            (i, c): values[:, j] for j, (i, c) in enumerate(zip(items[0], cals[0], strict=True))
        },
    )


def aligned(a: Wide, b: Wide) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the reports present in both periods."""
    _, ia, ib = np.intersect1d(a.keys, b.keys, return_indices=True)
    return ia, ib


def column(w: Wide, caliber: str) -> Callable[[str], np.ndarray]:
    return lambda item: w(item, caliber)


def close(left: np.ndarray, right: np.ndarray, terms: int) -> bool:
    return bool(np.all(np.abs(left - right) <= CENT * terms))


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world("S")


@pytest.fixture(scope="module")
def reports(world: World) -> DemoReports:
    return generate_flash_reports(world)


@pytest.fixture(scope="module")
def wide(reports: DemoReports) -> dict[str, Wide]:
    return {p: pivot(t, p) for p, t in reports.iter_facts()}


@pytest.fixture(scope="module")
def members(world: World) -> dict[str, list[str]]:
    """Existing enterprises of each group's tree, from controlling edges on AS_OF."""
    parent = {
        e.child_uscc: e.parent_uscc
        for e in world.ownership
        if e.controlling and e.valid_from <= AS_OF and (e.valid_to is None or e.valid_to > AS_OF)
    }
    out: dict[str, list[str]] = {g: [] for g in world.groups}
    for e in world.enterprises:
        if e.status == EnterpriseStatus.DEREGISTERED:
            continue
        root = e.uscc
        while root in parent:
            root = parent[root]
        out[root].append(e.uscc)
    return out


def deadline(period: str) -> datetime:
    nxt = Period.parse(period).shift(1)
    return datetime(nxt.year, nxt.month, 15, 23, 59, 59, tzinfo=SHANGHAI)


def test_window_and_schema(reports: DemoReports) -> None:
    assert len(reports.periods) == 36
    assert reports.periods[0] == "2023-11" and reports.periods[-1] == "2026-10"
    total = 0
    for period, table in reports.iter_facts():
        assert table.schema.equals(FACT_SCHEMA)
        assert pc.all(pc.equal(table["period"], period)).as_py()
        assert pc.all(pc.equal(table["scope"], "total")).as_py()
        assert set(pc.unique(table["report_type"]).to_pylist()) == {"single", "consolidated"}
        assert table["value"].null_count == 0
        total += table.num_rows
    assert total == reports.fact_count
    assert 6_000_000 < total < 7_500_000


def test_same_seed_same_tables_other_seed_differs(world: World) -> None:
    a = generate_flash_reports(world, months=14)
    b = generate_flash_reports(world, months=14)
    c = generate_flash_reports(world, months=14, seed=7)
    assert a.periods == b.periods and a.planted == b.planted
    assert a.submissions.equals(b.submissions)
    for period in a.periods:
        assert a.facts(period).equals(b.facts(period))
    assert not a.facts(a.periods[0]).equals(c.facts(c.periods[0]))


def test_only_fictitious_existing_enterprises(reports: DemoReports, world: World) -> None:
    by_uscc = {e.uscc: e for e in world.enterprises}
    seen = set(reports.submissions["uscc"].to_pylist())
    for period, table in reports.iter_facts():
        if period in reports.periods[::12]:
            seen |= set(pc.unique(table["uscc"]).to_pylist())
    for uscc in seen:
        validate_uscc(uscc)
        assert by_uscc[uscc].name_zh.startswith("示例")
        assert by_uscc[uscc].status != EnterpriseStatus.DEREGISTERED
    active = {e.uscc for e in world.enterprises if e.status == EnterpriseStatus.ACTIVE}
    assert active <= set(reports.submissions["uscc"].to_pylist())
    consolidated = reports.submissions.filter(
        pc.equal(reports.submissions["report_type"], "consolidated")
    )
    assert set(consolidated["uscc"].to_pylist()) == set(world.groups)
    assert consolidated.num_rows == len(world.groups) * len(reports.periods)


def test_required_items_and_calibers_present(wide: dict[str, Wide]) -> None:
    for period, w in wide.items():
        items = items_for_year(Period.parse(period).year)
        expected = {(code, c) for code, item in items.items() for c in item.calibers}
        assert set(w.values) == expected
        assert all(
            (code, c) in w.values for code, i in items.items() if i.required for c in i.calibers
        )


def test_values_are_rounded_and_nonnegative_where_required(wide: dict[str, Wide]) -> None:
    for period, w in wide.items():
        items = items_for_year(Period.parse(period).year)
        for (code, caliber), v in w.values.items():
            item = items[code]
            assert np.isfinite(v).all()
            if item.unit_kind == "headcount":
                assert (v == np.round(v)).all(), (code, caliber)
            else:
                cents = v * 100
                assert np.all(np.abs(cents - np.round(cents)) < 1e-3), (code, caliber)
            if item.nonneg:
                assert (v >= 0).all(), (period, code, caliber, v.min())


@pytest.mark.parametrize("caliber", ["closing", "opening"])
def test_balance_sheet_identities(wide: dict[str, Wide], caliber: str) -> None:
    for w in wide.values():
        b = column(w, caliber)

        assert close(b("total_assets"), b("total_liabilities") + b("total_equity"), 3)
        assert close(b("total_equity"), b("equity_parent") + b("minority_interest"), 3)
        slack = CENT * 7
        parts = (
            b("cash")
            + b("accounts_receivable")
            + b("other_receivables")
            + b("prepayments")
            + b("inventory")
            + b("contract_assets")
        )
        assert np.all(b("current_assets") >= parts - slack)
        non_current = b("long_term_receivables") + b("fixed_assets") + b("construction_in_progress")
        assert np.all(b("total_assets") >= b("current_assets") + non_current - slack)
        debt = b("current_liabilities") + b("long_term_borrowings") + b("bonds_payable")
        assert np.all(b("total_liabilities") >= debt - slack)
        short = b("short_term_borrowings") + b("non_current_due_within_one_year")
        assert np.all(b("current_liabilities") >= short - slack)


@pytest.mark.parametrize("caliber", ["month", "ytd", "ytd_prior_year"])
def test_profit_identities(wide: dict[str, Wide], caliber: str) -> None:
    for w in wide.values():
        f = column(w, caliber)

        profit = f("operating_profit") + f("non_operating_income") - f("non_operating_expenses")
        assert close(f("total_profit"), profit, 4)
        assert close(f("net_profit"), f("total_profit") - f("income_tax"), 3)
        assert np.all(f("total_revenue") >= f("operating_revenue") - CENT)
        expenses = f("selling_expenses") + f("admin_expenses") + f("rd_expenses")
        assert np.all(f("total_costs") >= expenses - CENT * 4)
        gross = (
            f("net_profit")
            - f("investment_income")
            + f("employee_compensation")
            + f("taxes_payable")
            + f("depreciation")
        )
        assert np.all(np.abs(f("labour_output") - gross) <= 0.05 * np.abs(gross) + CENT * 6)


def test_year_to_date_accumulates_month_by_month(
    reports: DemoReports, wide: dict[str, Wide]
) -> None:
    flows = [c for c, i in items_for_year(2026).items() if i.kind == "flow"]
    checked = 0
    for prev, cur in zip(reports.periods, reports.periods[1:], strict=False):
        a, b = wide[prev], wide[cur]
        if Period.parse(cur).month == 1:
            for item in flows:
                assert close(b(item, "ytd"), b(item, "month"), 1), (cur, item)
            continue
        ia, ib = aligned(a, b)
        assert len(ib) > 0.9 * len(b.keys)
        for item in flows:
            assert close(b(item, "ytd")[ib], a(item, "ytd")[ia] + b(item, "month")[ib], 3)
        checked += 1
    assert checked >= 30


def test_prior_year_and_opening_balances(reports: DemoReports, wide: dict[str, Wide]) -> None:
    items = items_for_year(2026)
    flows = [c for c, i in items.items() if i.kind in ("flow", "average")]
    balances = [c for c, i in items.items() if i.kind == "balance"]
    pairs = 0
    for period in reports.periods:
        p = Period.parse(period)
        w = wide[period]
        earlier = wide.get(str(p.prior_year))
        if earlier is not None:
            ia, ib = aligned(earlier, w)
            for item in flows:
                assert close(w(item, "ytd_prior_year")[ib], earlier(item, "ytd")[ia], 1), item
            pairs += 1
        december = wide.get(str(Period(p.year - 1, 12)))
        if december is not None:
            ia, ib = aligned(december, w)
            for item in balances:
                assert close(w(item, "opening")[ib], december(item, "closing")[ia], 1), item
        if p.month > 1 and str(p.previous) in wide:
            ia, ib = aligned(wide[str(p.previous)], w)
            for item in balances:
                assert close(w(item, "opening")[ib], wide[str(p.previous)](item, "opening")[ia], 1)
    assert pairs == 24


def test_employees_average_is_an_average_not_a_sum(wide: dict[str, Wide]) -> None:
    w = wide["2026-06"]
    avg, end = w("employees_avg", "ytd"), w("employees_end", "closing")
    assert np.all(avg <= np.maximum(end, w("employees_end", "opening")) * 1.5 + 1)
    assert np.all(avg >= np.minimum(end, w("employees_end", "opening")) * 0.5 - 1)


def test_consolidated_is_the_sum_of_the_tree(
    reports: DemoReports, wide: dict[str, Wide], members: dict[str, list[str]]
) -> None:
    additive = [
        ("total_assets", "closing"),
        ("total_liabilities", "closing"),
        ("total_equity", "opening"),
        ("cash", "closing"),
        ("operating_revenue", "month"),
        ("net_profit", "ytd"),
        ("employees_end", "closing"),
    ]
    compared = 0
    for period in reports.periods[::5]:
        w = wide[period]
        row = {k: i for i, k in enumerate(w.keys)}
        for group, tree in members.items():
            singles = [row.get(f"{u}|single") for u in tree]
            if any(i is None for i in singles):
                continue  # a member's report is missing: nothing to compare
            cons = row[f"{group}|consolidated"]
            for item, caliber in additive:
                v = w(item, caliber)
                assert abs(v[cons] - v[singles].sum()) <= CENT * len(tree), (group, item)
            compared += 1
    assert compared > 50


def test_magnitudes_debt_ratios_and_seasons(reports: DemoReports, wide: dict[str, Wide]) -> None:
    w = wide["2026-06"]
    single = w.report_type == "single"
    cons = ~single
    assert np.all(w("total_assets", "closing")[cons] > 5e9)  # groups: billions of 元
    small = np.median(w("total_assets", "closing")[single])
    assert 5e6 < small < 5e8
    planted = set(reports.planted["rising_debt"])
    keep = single & ~np.isin(w.uscc, list(planted))
    ratio = w("total_liabilities", "closing")[keep] / w("total_assets", "closing")[keep]
    assert np.mean((ratio >= 0.40) & (ratio <= 0.65)) > 0.7
    revenue = {
        p: wide[p]("operating_revenue", "month")[wide[p].report_type == "consolidated"].sum()
        for p in ("2024-12", "2025-02", "2025-12")
    }
    # seasons: the year-end push beats the Spring Festival month by a wide margin
    assert revenue["2024-12"] > 1.3 * revenue["2025-02"]
    assert revenue["2025-12"] > 1.3 * revenue["2025-02"]


def series(
    reports: DemoReports, wide: dict[str, Wide], uscc: str, rtype: str, item: str, caliber: str
) -> list[float]:
    out = []
    for period in reports.periods:
        w = wide[period]
        hit = np.nonzero(w.keys == f"{uscc}|{rtype}")[0]
        if len(hit):
            out.append(float(w(item, caliber)[hit[0]]))
    return out


def test_rising_debt_crosses_the_lines_late(
    reports: DemoReports, wide: dict[str, Wide], world: World
) -> None:
    assert 3 <= len(reports.planted["rising_debt"]) <= 4
    assert any(u in world.groups for u in reports.planted["rising_debt"])
    for uscc in reports.planted["rising_debt"]:
        rtype = "consolidated" if uscc in world.groups else "single"
        liab = series(reports, wide, uscc, rtype, "total_liabilities", "closing")
        assets = series(reports, wide, uscc, rtype, "total_assets", "closing")
        ratio = np.array(liab) / np.array(assets)
        assert len(ratio) == 36
        assert np.all(np.diff(ratio) > 0)
        assert ratio[0] < 0.65 and ratio[-1] > 0.75
        assert np.argmax(ratio > 0.70) >= 18  # crosses 70 % in the second half


def test_falling_cash_and_loss_makers(reports: DemoReports, wide: dict[str, Wide]) -> None:
    assert len(reports.planted["falling_cash"]) >= 3
    for uscc in reports.planted["falling_cash"]:
        cash = series(reports, wide, uscc, "single", "cash", "closing")
        assert len(cash) == 36 and np.all(np.diff(cash) < 0)
        assert cash[-1] < 0.25 * cash[0]
    assert len(reports.planted["loss_making"]) >= 3
    for uscc in reports.planted["loss_making"]:
        month = series(reports, wide, uscc, "single", "net_profit", "month")
        assert np.all(np.array(month[-6:]) < 0)
        assert series(reports, wide, uscc, "single", "net_profit", "ytd")[-1] < 0
        assert series(reports, wide, uscc, "single", "net_profit", "ytd_prior_year")[0] > 0


def test_submissions_late_and_missing_as_planted(reports: DemoReports) -> None:
    rows = reports.submissions.to_pylist()
    cutoff = datetime.combine(AS_OF, datetime.min.time(), tzinfo=SHANGHAI)
    late, missing, on_time_days = set(), [], []
    for row in rows:
        at = row["submitted_at"]
        if at is None:
            missing.append(row)
            continue
        assert at.tzinfo is not None and at <= cutoff
        if at > deadline(row["period"]):
            late.add(row["uscc"])
        else:
            on_time_days.append(at.astimezone(SHANGHAI).day)
    assert late == set(reports.planted["late"]) and len(late) >= 5
    assert {r["uscc"] for r in missing} == set(reports.planted["missing"])
    recent = sum(r["period"] in reports.periods[-2:] for r in missing)
    assert recent > len(missing) / 2 and recent < len(missing)  # a few scattered earlier
    assert np.mean([5 <= d <= 14 for d in on_time_days]) > 0.95


def test_no_facts_for_missing_reports_and_facts_for_the_rest(reports: DemoReports) -> None:
    sub = reports.submissions
    for period in (reports.periods[-1], reports.periods[-2], reports.periods[10]):
        rows = sub.filter(pc.equal(sub["period"], period))
        got = rows.filter(pc.is_valid(rows["submitted_at"]))
        want = {
            f"{u}|{t}"
            for u, t in zip(got["uscc"].to_pylist(), got["report_type"].to_pylist(), strict=True)
        }
        facts = reports.facts(period)
        keys = pc.binary_join_element_wise(facts["uscc"], facts["report_type"], "|")
        assert set(pc.unique(keys).to_pylist()) == want


def test_unknown_period_is_refused(reports: DemoReports) -> None:
    with pytest.raises(InputError):
        reports.facts("2030-01")
    with pytest.raises(InputError):
        generate_flash_reports(generate_world("S"), months=0)
