"""Running the rules against a workspace: alerts and their events in the metadata DB —
idempotent reruns, escalation while a condition persists, a closed alert that comes back,
corrected data, scope when reading, and the data-quality rules fed by real submissions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import InputError
from zhiguo.datacenter.ingest import ingest_file
from zhiguo.registry import subtree_ids
from zhiguo.supervision.alerts import (
    AlertNotFound,
    RuleSet,
    RunNotAllowed,
    RunSummary,
    builtin_rules,
    get_alert,
    list_alerts,
    run_alerts,
)
from zhiguo.supervision.models import Alert, AlertEvent
from zhiguo.testing import SAMPLE
from zhiguo.testing.flash import flash_report_rows, write_csv

NET_LOSS = """
[[rule]]
code = "loss.net_loss"
version = "1"
valid_from = 2023
family = "loss"
title_zh = "本年累计净利润亏损"
title_en = "Net loss year to date"
severity = "yellow"
params = { measure = "net_loss", escalate_after = 2 }
"""


def run(world: Any, period: str, rules: RuleSet | None, **kw: Any) -> RunSummary:
    with world.factory() as session:
        summary = run_alerts(
            session=session,
            lake_root=world.lake,
            engine_settings=None,
            period=period,
            actor="analyst",
            scope=Scope.everything(),
            rules=rules,
            **kw,
        )
        session.commit()
    return summary


def alerts(session: Session) -> list[Alert]:
    return list(session.scalars(select(Alert).order_by(Alert.id)))


def events(session: Session, alert_id: int | None = None) -> list[tuple[str, str | None, str]]:
    query = select(AlertEvent).order_by(AlertEvent.id)
    if alert_id is not None:
        query = query.where(AlertEvent.alert_id == alert_id)
    return [(e.action, e.from_status, e.to_status) for e in session.scalars(query)]


def loss(world: Any, kit: Any, period: str, **values: float) -> None:
    world.commit_values([kit.iv(world.ids[k], period, "net_profit", v) for k, v in values.items()])


def test_a_run_raises_once_and_a_rerun_changes_nothing(alert_world: Any, kit: Any) -> None:
    loss(alert_world, kit, "2026-03", A1=-100.0, B1=50.0, B11=0.0)
    rules = kit.one_rule(NET_LOSS)
    first = run(alert_world, "2026-03", rules)
    assert first.rows() == [
        {
            "family": "loss",
            "severity": "yellow",
            "raised": 1,
            "escalated": 0,
            "refreshed": 0,
            "unchanged": 0,
        }
    ]
    with alert_world.factory() as session:
        (alert,) = alerts(session)
        assert (alert.enterprise_id, alert.rule_code, alert.rule_version) == (
            alert_world.ids["A1"],
            "loss.net_loss",
            "1",
        )
        assert (alert.period, alert.last_period, alert.periods_seen) == ("2026-03", "2026-03", 1)
        assert (alert.severity, alert.status, alert.level, alert.value) == (
            "yellow",
            "raised",
            "entity",
            -100.0,
        )
        assert alert.indicator_code == "net_profit" and alert.threshold == 0.0
        assert "-100.00 元" in alert.message_zh and "a loss" in alert.message_en
        assert events(session) == [("raise", None, "raised")]
        first_id = alert.id
    again = run(alert_world, "2026-03", rules)
    assert (again.total("raised"), again.total("unchanged")) == (0, 1)
    with alert_world.factory() as session:
        assert [a.id for a in alerts(session)] == [first_id]
        assert len(events(session)) == 1


def test_a_persisting_condition_updates_one_alert_and_escalates_every_two_periods(
    alert_world: Any, kit: Any
) -> None:
    rules = kit.one_rule(NET_LOSS)
    outcomes = []
    for month, value in (("01", -10.0), ("02", -20.0), ("03", -30.0), ("04", -40.0), ("05", -50.0)):
        loss(alert_world, kit, f"2026-{month}", A1=value)
        summary = run(alert_world, f"2026-{month}", rules)
        outcomes.append({o for o in ("raised", "escalated", "refreshed") if summary.total(o)})
        with alert_world.factory() as session:
            (alert,) = alerts(session)
            outcomes[-1] |= {alert.severity}
    assert outcomes == [
        {"raised", "yellow"},
        {"escalated", "orange"},
        {"refreshed", "orange"},
        {"escalated", "red"},
        {"refreshed", "red"},  # red is as far as it goes
    ]
    with alert_world.factory() as session:
        (alert,) = alerts(session)
        assert (alert.period, alert.last_period, alert.periods_seen) == ("2026-01", "2026-05", 5)
        assert alert.value == -50.0
        assert [e[0] for e in events(session)] == [
            "raise",
            "escalate",
            "refresh",
            "escalate",
            "refresh",
        ]
    # re-running a period the alert already covers is still idempotent
    assert run(alert_world, "2026-03", rules).total("unchanged") == 1
    with alert_world.factory() as session:
        assert len(events(session)) == 5


def test_a_closed_alert_whose_condition_comes_back_is_a_new_alert(
    alert_world: Any, kit: Any
) -> None:
    rules = kit.one_rule(NET_LOSS)
    loss(alert_world, kit, "2026-01", A1=-10.0)
    run(alert_world, "2026-01", rules)
    with alert_world.factory() as session:
        (first,) = alerts(session)
        first.status = "closed"  # the rectification loop's job; here set directly
        session.commit()
    loss(alert_world, kit, "2026-02", A1=-5.0)
    assert run(alert_world, "2026-02", rules).total("raised") == 1
    with alert_world.factory() as session:
        old, new = alerts(session)
        assert (old.status, old.period, old.last_period) == ("closed", "2026-01", "2026-01")
        assert (new.status, new.period, new.periods_seen, new.severity) == (
            "raised",
            "2026-02",
            1,
            "yellow",
        )
    # the closed alert still covers January: re-running it raises nothing
    assert run(alert_world, "2026-01", rules).total("unchanged") == 1
    with alert_world.factory() as session:
        assert len(alerts(session)) == 2


def test_corrected_data_for_the_same_period_refresh_the_alert(alert_world: Any, kit: Any) -> None:
    rules = kit.one_rule(NET_LOSS)
    loss(alert_world, kit, "2026-03", A1=-100.0)
    run(alert_world, "2026-03", rules)
    loss(alert_world, kit, "2026-03", A1=-500.0)  # a resubmission: a new lake version
    summary = run(alert_world, "2026-03", rules)
    assert summary.total("refreshed") == 1 and summary.indicator_version == 2
    with alert_world.factory() as session:
        (alert,) = alerts(session)
        assert (alert.value, alert.periods_seen, alert.severity) == (-500.0, 1, "yellow")
        assert '"indicator_values_version": 2' in alert.details_json
        assert [e[0] for e in events(session)] == ["raise", "refresh"]


def test_scope_decides_which_alerts_a_caller_sees(alert_world: Any, kit: Any) -> None:
    ids = alert_world.ids
    loss(alert_world, kit, "2026-03", A1=-1.0, A11=-2.0, B11=-3.0)
    run(alert_world, "2026-03", kit.one_rule(NET_LOSS))
    with alert_world.factory() as session:
        everything, total = list_alerts(session=session, scope=Scope.everything())
        assert total == 3 and {a.enterprise_id for a in everything} == {
            ids["A1"],
            ids["A11"],
            ids["B11"],
        }
        g2 = Scope.of(subtree_ids(session=session, root_id=ids["G2"]))
        mine, total = list_alerts(session=session, scope=g2)
        assert total == 1 and [a.enterprise_id for a in mine] == [ids["B11"]]
        a1 = Scope.of(subtree_ids(session=session, root_id=ids["A1"]))
        assert list_alerts(session=session, scope=a1)[1] == 2
        assert list_alerts(session=session, scope=Scope.nothing()) == ([], 0)
        outside = next(a for a in everything if a.enterprise_id == ids["A1"])
        with pytest.raises(AlertNotFound) as caught:
            get_alert(session=session, scope=g2, alert_id=outside.id)
        assert caught.value.code == "ZG-ALERT-404" and caught.value.http_status == 404
        assert get_alert(session=session, scope=a1, alert_id=outside.id).id == outside.id
        # filters
        assert list_alerts(session=session, scope=Scope.everything(), period="2026-04")[1] == 0
        assert list_alerts(session=session, scope=Scope.everything(), period="2026-03")[1] == 3
        assert list_alerts(session=session, scope=Scope.everything(), severity="red")[1] == 0
        assert list_alerts(session=session, scope=Scope.everything(), status="raised")[1] == 3
        page, total = list_alerts(session=session, scope=Scope.everything(), limit=2, offset=2)
        assert total == 3 and len(page) == 1
        with pytest.raises(InputError) as bad:
            list_alerts(session=session, scope=Scope.everything(), severity="purple")
        assert "purple" in bad.value.message_zh and "purple" in bad.value.message_en


def test_only_the_whole_portfolio_may_run_the_rules(alert_world: Any, kit: Any) -> None:
    loss(alert_world, kit, "2026-03", A1=-1.0)
    with alert_world.factory() as session, pytest.raises(RunNotAllowed):
        run_alerts(
            session=session,
            lake_root=alert_world.lake,
            engine_settings=None,
            period="2026-03",
            actor="officer",
            scope=Scope.of([alert_world.ids["A1"]]),
            rules=kit.one_rule(NET_LOSS),
        )
    with alert_world.factory() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0


def _ingest(world: Any, path: Path, now: datetime) -> None:
    with world.factory() as session:
        result = ingest_file(
            session=session,
            settings=world.ws.settings,
            path=path,
            dataset="flash_report",
            submitter="tester",
            scope=Scope.everything(),
            now=now,
        )
        session.commit()
    assert result.status == "accepted", result.problems


def test_builtin_rules_with_real_submissions(alert_world: Any, kit: Any, tmp_path: Path) -> None:
    ids = alert_world.ids
    # A1 submits January late (deadline 2026-02-15); B11 on time but with a reasonableness
    # warning (劳动生产总值 far from its components); everyone else never submits
    _ingest(
        alert_world,
        write_csv(tmp_path / "a1.csv", flash_report_rows(SAMPLE["A1"], "2026-01")),
        datetime(2026, 2, 20, tzinfo=UTC),
    )
    rows = flash_report_rows(SAMPLE["B11"], "2026-01")
    for item, value in (
        ("labour_output", 1.0),
        ("employee_compensation", 1000.0),
        ("taxes_payable", 100.0),
        ("depreciation", 100.0),
        ("investment_income", 0.0),
    ):
        for caliber in ("本月", "本年累计"):
            rows.append({**rows[-1], "item_code": item, "caliber": caliber, "value": value})
    _ingest(alert_world, write_csv(tmp_path / "b11.csv", rows), datetime(2026, 2, 10, tzinfo=UTC))
    # indicator values: G1's group debt ratio over the industrial fixed red line (no baseline)
    alert_world.commit_values([kit.iv(ids["G1"], "2026-01", "debt_ratio", 72.0, level="group")])
    summary = run(alert_world, "2026-01", None, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert set(summary.rules_applied) == {r.code for r in builtin_rules().in_force(2026)}
    not_evaluable = {n.rule_code for n in summary.not_evaluable}
    assert "guarantee.cap" in not_evaluable and "loss.net_loss" in not_evaluable
    assert "debt_ratio.control_line" not in not_evaluable
    with alert_world.factory() as session:
        got = {(a.rule_code, a.enterprise_id, a.severity) for a in alerts(session)}
    missing = {ids[k] for k in ("G1", "A11", "A12", "A2", "G2", "B1")}
    assert got == {
        ("debt_ratio.control_line", ids["G1"], "red"),
        ("dq.late", ids["A1"], "yellow"),
        ("dq.batch_warnings", ids["B11"], "yellow"),
        *{("dq.missing", e, "orange") for e in missing},
    }
    assert summary.rows() == [
        {
            "family": "data_quality",
            "severity": "orange",
            "raised": 6,
            "escalated": 0,
            "refreshed": 0,
            "unchanged": 0,
        },
        {
            "family": "data_quality",
            "severity": "yellow",
            "raised": 2,
            "escalated": 0,
            "refreshed": 0,
            "unchanged": 0,
        },
        {
            "family": "threshold",
            "severity": "red",
            "raised": 1,
            "escalated": 0,
            "refreshed": 0,
            "unchanged": 0,
        },
    ]
    with alert_world.factory() as session:
        warned = session.scalar(select(Alert).where(Alert.rule_code == "dq.batch_warnings"))
        assert warned is not None and "rule.reasonable" in warned.message_zh
        late = session.scalar(select(Alert).where(Alert.rule_code == "dq.late"))
        assert late is not None and late.value == 5.0 and "5 day(s) late" in late.message_en


def test_an_alert_the_caller_holds_shows_the_run_s_changes(alert_world: Any, kit: Any) -> None:
    rules = kit.one_rule(NET_LOSS)
    loss(alert_world, kit, "2026-01", A1=-10.0)
    run(alert_world, "2026-01", rules)
    loss(alert_world, kit, "2026-02", A1=-20.0)
    with alert_world.factory() as session:
        (held,) = alerts(session)
        assert held.periods_seen == 1
        run_alerts(
            session=session,
            lake_root=alert_world.lake,
            engine_settings=None,
            period="2026-02",
            actor="analyst",
            scope=Scope.everything(),
            rules=rules,
        )
        assert (held.periods_seen, held.last_period, held.severity) == (2, "2026-02", "orange")
        session.rollback()  # nothing written until the caller commits
    with alert_world.factory() as session:
        (again,) = alerts(session)
        assert again.periods_seen == 1 and events(session) == [("raise", None, "raised")]
