"""Indicators computed from the demo world agree with hand calculations made independently
from the raw flash-report facts (plain Python over the Delta table, no SQL), for single
entities, a group's consolidated report, a subtree aggregate and the portfolio."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Scope, Workspace
from zhiguo.registry import Enterprise, subtree_ids, top_level_ids
from zhiguo.supervision.indicators import (
    ComputeResult,
    compute_indicators,
    read_indicator_values,
)
from zhiguo.supervision.models import ObjectiveFactor

Demo = tuple[Workspace, Callable[[], Session]]
Facts = dict[tuple[int, str, str], dict[tuple[str, str], float]]


@pytest.fixture(scope="module")
def facts(demo_indicators: Demo) -> Facts:
    ws, _ = demo_indicators
    table = DeltaTable(str(ws.lake / "flash_report")).to_pyarrow_table()
    out: Facts = defaultdict(dict)
    for row in table.filter(pc.equal(table["scope"], "total")).to_pylist():
        key = (row["enterprise_id"], row["period"], row["report_type"])
        out[key][(row["item_code"], row["caliber"])] = row["value"]
    return out


@pytest.fixture(scope="module")
def last_period(facts: Facts) -> str:
    return max(p for _e, p, _t in facts)


def _values(ws: Workspace, period: str, level: str) -> dict[tuple[int, str, str], float | None]:
    table = read_indicator_values(
        lake_root=ws.lake,
        engine_settings=ws.settings.engine,
        scope=Scope.everything(),
        period=period,
        level=level,
    )
    return {
        (r["enterprise_id"], r["indicator_code"], r["caliber"]): r["value"]
        for r in table.to_pylist()
    }


def _roe(f: dict[tuple[str, str], float]) -> dict[str, float]:
    return {
        "sasac_avg_incl_minority": f[("net_profit", "ytd")]
        / ((f[("total_equity", "opening")] + f[("total_equity", "closing")]) / 2)
        * 100,
        "fully_diluted_end": f[("net_profit_parent", "ytd")]
        / f[("equity_parent", "closing")]
        * 100,
        "csrc_weighted_attrib": f[("net_profit_parent", "ytd")]
        / (f[("equity_parent", "opening")] + f[("net_profit_parent", "ytd")] / 2)
        * 100,
    }


def test_single_entities_match_hand_calculations(
    demo_indicators: Demo, facts: Facts, last_period: str
) -> None:
    ws, _ = demo_indicators
    got = _values(ws, last_period, "entity")
    month = int(last_period[5:])
    singles = sorted(e for e, p, t in facts if p == last_period and t == "single")
    for eid in singles[:: max(1, len(singles) // 7)][:8]:
        f = facts[(eid, last_period, "single")]
        debt = f[("total_liabilities", "closing")] / f[("total_assets", "closing")] * 100
        assert got[(eid, "debt_ratio", "default")] == pytest.approx(debt, rel=1e-12)
        for caliber, value in _roe(f).items():
            assert got[(eid, "roe", caliber)] == pytest.approx(value, rel=1e-12), caliber
        lp = f[("labour_output", "ytd")] * 12 / month / f[("employees_avg", "ytd")] / 1e4
        assert got[(eid, "labour_productivity", "annualised")] == pytest.approx(lp, rel=1e-12)
        growth = (
            (f[("operating_revenue", "ytd")] - f[("operating_revenue", "ytd_prior_year")])
            / abs(f[("operating_revenue", "ytd_prior_year")])
            * 100
        )
        assert got[(eid, "revenue_growth", "default")] == pytest.approx(growth, rel=1e-12)
        loss = 100.0 if f[("net_profit", "ytd")] < 0 else 0.0
        assert got[(eid, "loss_share", "default")] == loss


def test_group_subtree_and_portfolio_are_ratios_of_sums(
    demo_indicators: Demo, facts: Facts, last_period: str
) -> None:
    ws, factory = demo_indicators
    end = date(int(last_period[:4]), int(last_period[5:]), 28)
    with factory() as session:
        tops = top_level_ids(session=session, scope=Scope.everything(), as_of=end)
        group = max(tops, key=lambda g: len(subtree_ids(session=session, root_id=g, as_of=end)))
        members = subtree_ids(session=session, root_id=group, as_of=end)
    # the group's own consolidated report
    cons = facts[(group, last_period, "consolidated")]
    groups = _values(ws, last_period, "group")
    debt = cons[("total_liabilities", "closing")] / cons[("total_assets", "closing")] * 100
    assert groups[(group, "debt_ratio", "default")] == pytest.approx(debt, rel=1e-12)
    # the subtree: sums of the members' single reports, then the ratio
    singles = [
        facts[(m, last_period, "single")] for m in members if (m, last_period, "single") in facts
    ]
    assert len(singles) > 3

    def total(item: str, caliber: str) -> float:
        return sum(f[(item, caliber)] for f in singles)

    subtree = _values(ws, last_period, "subtree")
    two_funds = total("accounts_receivable", "closing") + total("inventory", "closing")
    share = two_funds / total("current_assets", "closing") * 100
    assert subtree[(group, "two_funds_share", "default")] == pytest.approx(share, rel=1e-12)
    mean_of_ratios = (
        sum(
            (f[("accounts_receivable", "closing")] + f[("inventory", "closing")])
            / f[("current_assets", "closing")]
            for f in singles
        )
        / len(singles)
        * 100
    )
    assert subtree[(group, "two_funds_share", "default")] != pytest.approx(mean_of_ratios)
    losers = sum(1 for f in singles if f[("net_profit", "ytd")] < 0)
    assert subtree[(group, "loss_share", "default")] == pytest.approx(losers / len(singles) * 100)
    assert groups[(group, "loss_share", "default")] == pytest.approx(losers / len(singles) * 100)
    # the portfolio: the top-level groups' consolidated reports summed
    portfolio = _values(ws, last_period, "portfolio")
    reports = [
        facts[(g, last_period, "consolidated")]
        for g in tops
        if (g, last_period, "consolidated") in facts
    ]
    liabilities = sum(f[("total_liabilities", "closing")] for f in reports)
    assets = sum(f[("total_assets", "closing")] for f in reports)
    assert portfolio[(0, "debt_ratio", "default")] == pytest.approx(
        liabilities / assets * 100, rel=1e-12
    )
    profit = sum(f[("total_profit", "ytd")] for f in reports)
    assert portfolio[(0, "total_profit", "default")] == pytest.approx(profit, rel=1e-12)


def test_not_computable_is_null_with_a_reason_never_infinite(
    demo_indicators: Demo, last_period: str
) -> None:
    ws, _ = demo_indicators
    table = read_indicator_values(
        lake_root=ws.lake,
        engine_settings=ws.settings.engine,
        scope=Scope.everything(),
        period=last_period,
    )
    bad = table.filter(pc.equal(table["status"], "not_computable"))
    assert pc.all(pc.is_null(bad["value"])).as_py() in (True, None)
    reasons = {r.split(":")[0] for r in bad["reason"].to_pylist()}
    assert reasons <= {"missing_input", "division_by_zero"}
    ok = table.filter(pc.equal(table["status"], "ok"))
    assert pc.all(pc.is_finite(ok["value"])).as_py()


def test_scope_narrows_reads_and_hides_the_portfolio(
    demo_indicators: Demo, last_period: str
) -> None:
    ws, factory = demo_indicators
    with factory() as session:
        group = session.scalars(select(Enterprise.id).where(Enterprise.level == 1)).first()
        assert group is not None
        members = subtree_ids(session=session, root_id=group)
    table = read_indicator_values(
        lake_root=ws.lake,
        engine_settings=ws.settings.engine,
        scope=Scope.of(members),
        period=last_period,
    )
    assert table.num_rows > 0
    assert set(table["enterprise_id"].to_pylist()) <= members
    assert "portfolio" not in set(table["level"].to_pylist())


def _compute_with_factors(
    demo: Demo, eid: int, period: str, source_version: int | None
) -> ComputeResult:
    """Record two objective factors for ``eid`` (January increase, ``period`` decrease),
    compute ``period`` without publishing, and roll the factors back."""
    ws, factory = demo
    with factory() as session:
        for month, direction, kind, amount in (
            (f"{period[:4]}-01", "increase", "state_investment", 5_000_000.0),
            (period, "decrease", "dividends_paid", 1_000_000.0),
        ):
            session.add(
                ObjectiveFactor(
                    enterprise_id=eid,
                    period=month,
                    direction=direction,
                    factor_type=kind,
                    amount=amount,
                    entered_by="t",
                )
            )
        session.flush()
        result = compute_indicators(
            session=session,
            lake_root=ws.lake,
            engine_settings=ws.settings.engine,
            periods=[period],
            publish=False,
            source_version=source_version,
        )
        session.rollback()
    return result


def test_as_of_an_earlier_version_and_objective_factors(
    demo_indicators: Demo, facts: Facts, last_period: str
) -> None:
    eid = sorted(e for e, p, t in facts if p == last_period and t == "single")[0]
    f = facts[(eid, last_period, "single")]
    result = _compute_with_factors(demo_indicators, eid, last_period, source_version=1)
    assert result.source_version == 1 and result.published_version is None
    assert result.table is not None
    rows = result.table.filter(
        pc.and_(
            pc.equal(result.table["enterprise_id"], eid),
            pc.equal(result.table["indicator_code"], "capital_preservation_ratio"),
        )
    ).to_pylist()
    # version 1 holds only the first period: nothing for the last period as of then
    assert rows == []
    latest = _compute_with_factors(demo_indicators, eid, last_period, source_version=None)
    assert latest.table is not None
    got = latest.table.filter(
        pc.and_(
            pc.equal(latest.table["enterprise_id"], eid),
            pc.and_(
                pc.equal(latest.table["level"], "entity"),
                pc.equal(latest.table["indicator_code"], "capital_preservation_ratio"),
            ),
        )
    ).to_pylist()
    expected = (
        (f[("state_capital", "closing")] - 5_000_000.0 + 1_000_000.0)
        / f[("state_capital", "opening")]
        * 100
    )
    assert got[0]["value"] == pytest.approx(expected, rel=1e-12)
    assert got[0]["source_version"] == latest.source_version
