"""Each rule family over hand-made indicator values: what fires, what stays quiet at the
boundary, and lines worked out by hand. Pure evaluation on DuckDB — no database."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.supervision.alerts import (
    CANDIDATE_SCHEMA,
    SUBMISSION_SCHEMA,
    Evaluation,
    RuleSet,
    evaluate,
    evaluate_rules,
)

ENGINE = DuckDBEngine()
P = "2026-03"

# ids 1-6: manufacturing (section C, industrial); 7: G (non-industrial); 8: K (non-industrial);
# 9: J (finance)
REG = [(i, "C3011", "industrial") for i in range(1, 7)] + [
    (7, "G5412", "non_industrial"),
    (8, "K7010", "non_industrial"),
    (9, "J6739", "finance"),
]

DEBT = """
[[rule]]
code = "debt"
version = "1"
valid_from = 2018
family = "threshold"
title_zh = "资产负债率超线"
title_en = "Debt ratio above line"
[rule.params]
indicator = "debt_ratio"
baseline = "{baseline}"
combine = "{combine}"
offsets = {{ orange = 5.0, red = 10.0 }}
[rule.params.fixed_lines]
industrial = {{ orange = 65.0, red = 70.0 }}
non_industrial = {{ orange = 70.0, red = 75.0 }}
research_tech = {{ orange = 60.0, red = 65.0 }}
"""


def run(kit: Any, rows: list[dict[str, Any]], rules: RuleSet, **kw: Any) -> Evaluation:
    return evaluate(
        engine=ENGINE,
        indicator_relation=kit.iv_table(rows),
        registry_table=kit.registry(REG),
        period=P,
        rules=rules,
        **kw,
    )


def by_enterprise(evaluation: Evaluation) -> dict[int, dict[str, Any]]:
    return {r["enterprise_id"]: r for r in evaluation.candidates.to_pylist()}


def debt_rows(kit: Any, current: dict[int, float]) -> list[dict[str, Any]]:
    # prior December, section C entities: 40, 50, 52, 60, 90 → median 52, mean 58.4
    prior = [
        kit.iv(i, "2025-12", "debt_ratio", v)
        for i, v in zip(range(1, 6), (40, 50, 52, 60, 90), strict=True)
    ]
    prior.append(kit.iv(7, "2025-12", "debt_ratio", 80.0))  # section G: one entity only
    return prior + [kit.iv(e, P, "debt_ratio", v) for e, v in current.items()]


def test_debt_lines_baseline_median_plus_offsets_stricter_than_the_fixed_lines(kit: Any) -> None:
    rules = kit.one_rule(DEBT.format(baseline="median", combine="stricter"))
    current = {1: 57.0, 2: 57.01, 3: 62.0, 4: 62.5, 5: 50.0, 7: 71.0, 8: 70.0, 9: 99.0}
    found = by_enterprise(run(kit, debt_rows(kit, current), rules))
    # section C: baseline 52 → 预警线 57, 重点监管线 62 (stricter than industrial 65 / 70)
    assert 1 not in found  # exactly at the line: not above it
    assert (found[2]["severity"], found[2]["threshold"]) == ("orange", 57.0)
    assert (found[3]["severity"], found[3]["threshold"]) == ("orange", 57.0)  # at the red line
    assert (found[4]["severity"], found[4]["threshold"]) == ("red", 62.0)
    assert 5 not in found
    details = json.loads(found[4]["details_json"])
    assert details["baseline"] == 52.0 and details["baseline_n"] == 5
    assert details["lines"] == {"orange": 57.0, "red": 62.0}
    assert details["line_sources"] == {"orange": "baseline", "red": "baseline"}
    assert details["industry"] == "C" and details["baseline_period"] == "2025-12"
    # section G has one entity (< baseline_min_n 3) → fixed non-industrial lines 70 / 75
    assert (found[7]["severity"], found[7]["threshold"]) == ("orange", 70.0)
    assert json.loads(found[7]["details_json"])["line_sources"]["orange"] == "fixed"
    # section K: no baseline at all → fixed lines; 70 is not above 70
    assert 8 not in found
    # finance: no fixed lines and no baseline → no line, no alert
    assert 9 not in found
    assert "62.50%" in found[4]["message_zh"] and "62.00%" in found[4]["message_en"]


def test_debt_lines_mean_baseline_and_fixed_override(kit: Any) -> None:
    current = {1: 63.4, 2: 63.41, 4: 62.5, 5: 68.5}
    mean = by_enterprise(
        run(
            kit,
            debt_rows(kit, current),
            kit.one_rule(DEBT.format(baseline="mean", combine="stricter")),
        )
    )
    # mean 58.4 → lines 63.4 / 68.4, still stricter than 65 / 70
    assert 1 not in mean and 4 not in mean
    assert mean[2]["severity"] == "orange" and mean[2]["threshold"] == pytest.approx(63.4)
    assert mean[5]["severity"] == "red" and mean[5]["threshold"] == pytest.approx(68.4)
    override = by_enterprise(
        run(
            kit,
            debt_rows(kit, current),
            kit.one_rule(DEBT.format(baseline="median", combine="override")),
        )
    )
    # the fixed industrial lines 65 / 70 replace the baseline's 57 / 62
    assert set(override) == {5}
    assert (override[5]["severity"], override[5]["threshold"]) == ("orange", 65.0)


def test_one_candidate_per_enterprise_the_gravest_level(kit: Any) -> None:
    rows = [*debt_rows(kit, {1: 58.0}), kit.iv(1, P, "debt_ratio", 75.0, level="group")]
    found = run(kit, rows, kit.one_rule(DEBT.format(baseline="median", combine="stricter")))
    assert found.candidates.num_rows == 1
    row = found.candidates.to_pylist()[0]
    assert (row["level"], row["severity"], row["value"]) == ("group", "red", 75.0)
    assert found.candidates.schema.equals(CANDIDATE_SCHEMA)


def test_a_line_below_current_ratio(kit: Any) -> None:
    rules = kit.one_rule(
        """
[[rule]]
code = "liquidity"
version = "1"
valid_from = 2023
family = "threshold"
title_zh = "流动比率低"
title_en = "Current ratio low"
[rule.params]
indicator = "current_ratio"
direction = "below"
baseline = "none"
combine = "fixed"
fixed_lines = { all = { yellow = 100.0 } }
"""
    )
    rows = [kit.iv(1, P, "current_ratio", 100.0), kit.iv(2, P, "current_ratio", 99.99)]
    found = by_enterprise(run(kit, rows, rules))
    assert set(found) == {2} and found[2]["severity"] == "yellow"


TREND = """
[[rule]]
code = "trend"
version = "1"
valid_from = 2023
family = "trend"
title_zh = "连续下降"
title_en = "Falling"
severity = "yellow"
[rule.params]
indicator = "{indicator}"
n = 3
compare = "{compare}"
"""


def test_trend_three_consecutive_declines(kit: Any) -> None:
    months = ["2025-12", "2026-01", "2026-02", "2026-03"]
    series = {1: (10, 9, 8, 7), 2: (10, 9, 9, 8), 3: (None, 9, 8, 7), 4: (10, 11, 10, 9)}
    rows = [
        kit.iv(e, m, "cash_from_sales_ratio", v)
        for e, values in series.items()
        for m, v in zip(months, values, strict=True)
        if v is not None
    ]
    rules = kit.one_rule(TREND.format(indicator="cash_from_sales_ratio", compare="previous"))
    found = by_enterprise(run(kit, rows, rules))
    # 2 is flat once (9 → 9), 3 lacks December, 4 rose first: only 1 fell three times
    assert set(found) == {1}
    assert (found[1]["value"], found[1]["threshold"]) == (7.0, 8.0)
    assert "2026-01 至 2026-03" in found[1]["message_zh"]
    # April has no values at all: not evaluable, and says which period is missing
    april = evaluate(
        engine=ENGINE,
        indicator_relation=kit.iv_table(rows),
        registry_table=kit.registry(REG),
        period="2026-04",
        rules=rules,
    )
    assert april.candidates.num_rows == 0
    assert [n.rule_code for n in april.not_evaluable] == ["trend"]
    assert "2026-04" in april.not_evaluable[0].reason_en


def test_trend_against_the_same_month_last_year(kit: Any) -> None:
    rows = []
    for m, last, now2 in (("01", 100, 80), ("02", 200, 150), ("03", 300, 250)):
        rows += [
            kit.iv(1, f"2025-{m}", "total_profit", last),
            kit.iv(1, f"2026-{m}", "total_profit", now2),
        ]
    for m, last, now2 in (("01", 100, 80), ("02", 200, 210), ("03", 300, 250)):
        rows += [
            kit.iv(2, f"2025-{m}", "total_profit", last),
            kit.iv(2, f"2026-{m}", "total_profit", now2),
        ]
    rules = kit.one_rule(TREND.format(indicator="total_profit", compare="yoy"))
    found = by_enterprise(run(kit, rows, rules))
    assert set(found) == {1}
    assert (found[1]["value"], found[1]["threshold"]) == (250.0, 300.0)


YOY = """
[[rule]]
code = "yoy"
version = "1"
valid_from = 2023
family = "yoy"
title_zh = "同比"
title_en = "YoY"
severity = "orange"
[rule.params]
indicator = "{indicator}"
change = "{change}"
direction = "{direction}"
threshold = {threshold}
"""


def test_yoy_percent_drop_at_and_beyond_the_limit(kit: Any) -> None:
    rows = []
    for e, last, now in ((1, 100.0, 70.0), (2, 100.0, 69.9), (3, -100.0, -140.0), (4, 0.0, -5.0)):
        rows += [kit.iv(e, "2025-03", "total_profit", last), kit.iv(e, P, "total_profit", now)]
    rules = kit.one_rule(
        YOY.format(indicator="total_profit", change="pct", direction="drop", threshold=30)
    )
    found = by_enterprise(run(kit, rows, rules))
    # 1: exactly −30 % is not beyond; 3: a loss 40 % deeper (relative to |last year|);
    # 4: last year 0 has no percentage change
    assert set(found) == {2, 3}
    assert found[2]["threshold"] == pytest.approx(70.0)  # the value at which it would fire
    assert found[3]["threshold"] == pytest.approx(-130.0)
    assert json.loads(found[2]["details_json"])["change"] == pytest.approx(-30.1)


def test_yoy_percentage_point_rise(kit: Any) -> None:
    rows = []
    for e, last, now in ((1, 30.0, 35.0), (2, 30.0, 35.01), (3, 30.0, 20.0)):
        rows += [
            kit.iv(e, "2025-03", "two_funds_share", last),
            kit.iv(e, P, "two_funds_share", now),
        ]
    rules = kit.one_rule(
        YOY.format(indicator="two_funds_share", change="pp", direction="rise", threshold=5)
    )
    found = by_enterprise(run(kit, rows, rules))
    assert set(found) == {2} and found[2]["threshold"] == pytest.approx(35.0)


PEER = """
[[rule]]
code = "peer"
version = "1"
valid_from = 2023
family = "peer"
title_zh = "偏离同行"
title_en = "Off peers"
severity = "yellow"
[rule.params]
indicator = "debt_ratio"
k = {k}
direction = "{direction}"
min_peers = {min_peers}
"""


def test_peer_robust_z_score_by_hand(kit: Any) -> None:
    values = {1: 10.0, 2: 12.0, 3: 14.0, 4: 16.0, 5: 18.0, 6: 50.0}
    rows = [kit.iv(e, P, "debt_ratio", v) for e, v in values.items()]
    # median 15; |deviations| 5 3 1 1 3 35 → MAD 3; z(50) = 35 / (1.4826 × 3) ≈ 7.869
    z = 35 / (1.4826 * 3)
    high = by_enterprise(
        run(kit, rows, kit.one_rule(PEER.format(k=3.5, direction="high", min_peers=5)))
    )
    assert set(high) == {6}
    details = json.loads(high[6]["details_json"])
    assert details["z"] == pytest.approx(z, abs=1e-6)
    assert (details["median"], details["mad"], details["peers"]) == (15.0, 3.0, 6)
    assert high[6]["threshold"] == pytest.approx(15 + 3.5 * 1.4826 * 3)
    # the cut-off is strict, just below z fires and just above does not
    below = run(
        kit, rows, kit.one_rule(PEER.format(k=round(z - 0.001, 3), direction="both", min_peers=5))
    )
    above = run(
        kit, rows, kit.one_rule(PEER.format(k=round(z + 0.001, 3), direction="both", min_peers=5))
    )
    assert below.candidates.num_rows == 1 and above.candidates.num_rows == 0
    # z(10) = −5 / 4.4478 ≈ −1.12: nothing low; too few peers: nothing at all
    low = run(kit, rows, kit.one_rule(PEER.format(k=1.2, direction="low", min_peers=5)))
    assert low.candidates.num_rows == 0
    few = run(kit, rows, kit.one_rule(PEER.format(k=3.5, direction="high", min_peers=7)))
    assert few.candidates.num_rows == 0


GUARANTEE = """
[[rule]]
code = "guarantee"
version = "1"
valid_from = 2021
family = "guarantee"
title_zh = "担保超限"
title_en = "Guarantees above cap"
severity = "red"
[rule.params]
indicator = "guarantee_ratio"
caps = { group = 40.0, entity = 50.0 }
"""


def test_guarantee_caps_by_level_and_not_evaluable_without_values(kit: Any) -> None:
    rules = kit.one_rule(GUARANTEE)
    nothing = run(kit, [kit.iv(1, P, "debt_ratio", 50.0)], rules)
    assert nothing.candidates.num_rows == 0
    assert [(n.rule_code, n.family) for n in nothing.not_evaluable] == [("guarantee", "guarantee")]
    assert "guarantee_ratio" in nothing.not_evaluable[0].reason_zh
    rows = [
        kit.iv(1, P, "guarantee_ratio", 40.0, level="group"),
        kit.iv(2, P, "guarantee_ratio", 40.5, level="group"),
        kit.iv(3, P, "guarantee_ratio", 50.0),
        kit.iv(4, P, "guarantee_ratio", 50.1),
    ]
    found = by_enterprise(run(kit, rows, rules))
    assert {e: (r["severity"], r["threshold"]) for e, r in found.items()} == {
        2: ("red", 40.0),
        4: ("red", 50.0),
    }


def test_loss_net_loss_and_loss_share(kit: Any) -> None:
    rules = kit.one_rule(
        """
[[rule]]
code = "net_loss"
version = "1"
valid_from = 2023
family = "loss"
title_zh = "亏损"
title_en = "Loss"
severity = "yellow"
params = { measure = "net_loss" }

[[rule]]
code = "loss_share"
version = "1"
valid_from = 2023
family = "loss"
title_zh = "亏损面"
title_en = "Loss share"
severity = "orange"
params = { measure = "loss_share", max_pct = 30.0 }
"""
    )
    rows = [
        kit.iv(1, P, "net_profit", -1.0),
        kit.iv(2, P, "net_profit", 0.0),
        kit.iv(3, P, "loss_share", 30.0, level="group"),
        kit.iv(4, P, "loss_share", 30.1, level="group"),
        kit.iv(5, P, "loss_share", 90.0, level="entity"),  # not a level this rule reads
    ]
    found = {
        (r["rule_code"], r["enterprise_id"]): r
        for r in run(kit, rows, rules).candidates.to_pylist()
    }
    assert set(found) == {("net_loss", 1), ("loss_share", 4)}
    assert found[("net_loss", 1)]["severity"] == "yellow"
    assert found[("loss_share", 4)]["severity"] == "orange"


DQ = """
[[rule]]
code = "dq.{check}"
version = "1"
valid_from = 2023
family = "data_quality"
title_zh = "数据质量"
title_en = "Data quality"
severity = "{severity}"
params = {{ check = "{check}" }}
"""


def test_data_quality_from_submission_states(kit: Any) -> None:
    text = "".join(
        DQ.format(check=c, severity=s)
        for c, s in (("missing", "orange"), ("late", "yellow"), ("batch_warnings", "yellow"))
    )
    rules = kit.one_rule(text)
    subs = pa.table(
        {
            "enterprise_id": [1, 2, 3, 4],
            "status": ["missing", "late", "on_time", "pending"],
            "days_late": [6, 3, 0, 0],
            "batch_warnings": [0, 2, 0, 0],
            "warning_rules": ["", "reasonable.labour_output", "", ""],
        },
        schema=SUBMISSION_SCHEMA,
    )
    found = run(kit, [], rules, submissions=subs)
    got = {
        (r["rule_code"], r["enterprise_id"], r["severity"], r["value"])
        for r in found.candidates.to_pylist()
    }
    assert got == {
        ("dq.missing", 1, "orange", 6.0),
        ("dq.late", 2, "yellow", 3.0),
        ("dq.batch_warnings", 2, "yellow", 2.0),
    }
    # without submission states the family cannot be judged, and says so
    blind = run(kit, [], rules)
    assert {n.rule_code for n in blind.not_evaluable} == {
        "dq.missing",
        "dq.late",
        "dq.batch_warnings",
    }


def test_evaluate_rules_is_the_candidates_alone(kit: Any) -> None:
    rules = kit.one_rule(DEBT.format(baseline="median", combine="stricter"))
    rows = debt_rows(kit, {4: 62.5})
    table = evaluate_rules(
        engine=ENGINE,
        indicator_relation=kit.iv_table(rows),
        registry_table=kit.registry(REG),
        period=P,
        rules=rules,
    )
    assert table.equals(run(kit, rows, rules).candidates)


def test_rules_out_of_their_years_do_not_apply(kit: Any) -> None:
    rules = kit.one_rule(
        TREND.format(indicator="cash_from_sales_ratio", compare="previous").replace(
            "valid_from = 2023", "valid_from = 2027"
        )
    )
    assert run(kit, [], rules).rules == ()


def test_an_enterprise_the_registry_lacks_raises_nothing(kit: Any) -> None:
    rules = kit.one_rule(
        """
[[rule]]
code = "net_loss"
version = "1"
valid_from = 2023
family = "loss"
title_zh = "亏损"
title_en = "Loss"
severity = "yellow"
params = { measure = "net_loss" }
"""
    )
    rows = [kit.iv(1, P, "net_profit", -1.0), kit.iv(999, P, "net_profit", -1.0)]
    assert [r["enterprise_id"] for r in run(kit, rows, rules).candidates.to_pylist()] == [1]
