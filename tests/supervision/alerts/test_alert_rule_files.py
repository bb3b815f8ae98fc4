"""Rule files: the built-in set, versions by year, a deployment's own file, and bad files
rejected whole with the file, line and field in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiguo.supervision.alerts import (
    FAMILIES,
    RuleFileRejected,
    builtin_rules,
    load_rules,
    parse_rules,
)

GOOD = """
[[rule]]
code = "x.loss"
version = "1"
valid_from = 2023
family = "loss"
title_zh = "亏损"
title_en = "Loss"
severity = "yellow"
[rule.params]
measure = "net_loss"
"""


def rejected(text: str, **kw: object) -> RuleFileRejected:
    with pytest.raises(RuleFileRejected) as caught:
        parse_rules(text, file="mine.toml", **kw)  # type: ignore[arg-type]
    return caught.value


def test_the_builtin_set_covers_every_family_and_switches_indicators_by_year() -> None:
    rules = builtin_rules()
    assert {r.family for r in rules} == set(FAMILIES)
    cash_2024 = rules.get("trend.cash_ratio", 2024)
    cash_2025 = rules.get("trend.cash_ratio", 2025)
    assert cash_2024 is not None and cash_2025 is not None
    assert (cash_2024.version, cash_2024.indicator) == ("2023.1", "operating_cash_ratio")
    assert (cash_2025.version, cash_2025.indicator) == ("2025.1", "cash_from_sales_ratio")
    debt = rules.get("debt_ratio.control_line", 2026)
    assert debt is not None
    assert debt.params["fixed_lines"]["industrial"] == {"orange": 65.0, "red": 70.0}
    assert debt.params["offsets"] == {"orange": 5.0, "red": 10.0}
    assert debt.severities() == ("orange", "red") and debt.escalate_after == 2
    assert rules.get("debt_ratio.control_line", 2017) is None  # before the 2018 guidance


def test_a_deployment_file_adds_a_rule_a_new_version_and_switches_one_off(tmp_path: Path) -> None:
    own = tmp_path / "city.toml"
    own.write_text(
        GOOD
        + """
[[rule]]
code = "debt_ratio.control_line"
version = "2027.1"
valid_from = 2027
family = "threshold"
title_zh = "资产负债率超过管控线（2027）"
title_en = "Debt ratio above its control line (2027)"
[rule.params]
indicator = "debt_ratio"
baseline = "none"
combine = "fixed"
fixed_lines = { all = { orange = 60.0, red = 65.0 } }
escalate_after = 3

[[rule]]
code = "peer.roe"
version = "2026.1"
valid_from = 2026
enabled = false
family = "peer"
title_zh = "净资产收益率显著低于同行业"
title_en = "ROE far below industry peers"
severity = "yellow"
params = { indicator = "roe", caliber = "sasac_avg_incl_minority" }
""",
        encoding="utf-8",
    )
    rules = load_rules([own])
    assert len(rules) == len(builtin_rules()) + 3
    codes_2026 = {r.code for r in rules.in_force(2026)}
    assert "x.loss" in codes_2026 and "peer.roe" not in codes_2026
    assert "peer.roe" in {r.code for r in rules.in_force(2025)}
    debt_2027 = rules.get("debt_ratio.control_line", 2027)
    assert debt_2027 is not None and debt_2027.version == "2027.1"
    assert debt_2027.escalate_after == 3 and debt_2027.source == "city.toml"
    debt_2026 = rules.get("debt_ratio.control_line", 2026)
    assert debt_2026 is not None and debt_2026.version == "2018.1"


def test_unknown_family_is_located_in_both_languages() -> None:
    error = rejected(GOOD.replace('family = "loss"', 'family = "weather"'))
    (p,) = error.problems
    assert p.code == "ZG-ALERT-013"
    assert (p.location.file, p.location.row, p.location.field) == ("mine.toml", 6, "rule[1].family")
    assert "weather" in p.message_zh and "x.loss" in p.message_zh and "类别" in p.message_zh
    assert "family 'weather' is not recognised" in p.message_en
    assert error.code == "ZG-ALERT-100"
    assert "mine.toml" in error.message("zh") and "第 6 行" in error.message("zh")
    assert "line" not in error.message("zh")


def test_unknown_indicator_needs_the_library_to_know() -> None:
    text = GOOD.replace('measure = "net_loss"', 'measure = "net_loss"\nindicator = "net_proft"')
    assert parse_rules(text, file="mine.toml")[0].indicator == "net_proft"  # no library: unknown
    error = rejected(text, known_indicators={"net_profit", "debt_ratio"})
    (p,) = error.problems
    assert p.code == "ZG-ALERT-023" and p.location.row == 12
    assert p.location.field == "rule[1].params.indicator"
    assert "net_proft" in p.message_zh and "net_proft" in p.message_en


def test_missing_parameter_bad_severity_and_unknown_parameter_are_all_listed() -> None:
    text = GOOD.replace('severity = "yellow"', 'severity = "purple"').replace(
        'measure = "net_loss"', 'measure = "loss_share"\nmax_pc = 30'
    )
    error = rejected(text)
    got = {(p.code, p.location.row, p.location.field) for p in error.problems}
    assert got == {
        ("ZG-ALERT-014", 9, "rule[1].severity"),
        ("ZG-ALERT-021", 12, "rule[1].params.max_pc"),
        ("ZG-ALERT-020", 10, "rule[1].params.max_pct"),  # not written: the params header
    }
    messages = {p.code: (p.message_zh, p.message_en) for p in error.problems}
    assert "purple" in messages["ZG-ALERT-014"][0]
    assert "max_pct" in messages["ZG-ALERT-020"][1]
    assert "max_pc" in messages["ZG-ALERT-021"][0] and "measure" in messages["ZG-ALERT-021"][1]


def test_required_fields_types_and_years() -> None:
    text = """
[[rule]]
code = "Bad Code"
version = "1"
valid_from = 2025
valid_to = 2024
family = "yoy"
title_zh = "同比"
severity = "red"
[rule.params]
indicator = "total_profit"
direction = "sideways"
threshold = "thirty"
"""
    got = {(p.code, p.location.field) for p in rejected(text).problems}
    assert got == {
        ("ZG-ALERT-011", "rule[1].code"),
        ("ZG-ALERT-015", "rule[1].valid_to"),
        ("ZG-ALERT-010", "rule[1].title_en"),
        ("ZG-ALERT-022", "rule[1].params.direction"),
        ("ZG-ALERT-022", "rule[1].params.threshold"),
    }


def test_syntax_errors_and_empty_files() -> None:
    (p,) = rejected('[[rule]]\ncode = "a"\nversion = \n').problems
    assert p.code == "ZG-ALERT-002" and p.location.row == 3
    (q,) = rejected("# nothing here\n").problems
    assert q.code == "ZG-ALERT-003"


def test_a_file_clashing_with_the_builtin_set_is_rejected(tmp_path: Path) -> None:
    own = tmp_path / "dup.toml"
    own.write_text(
        GOOD.replace('code = "x.loss"', 'code = "loss.net_loss"').replace(
            'version = "1"', 'version = "2023.1"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileRejected) as caught:
        load_rules([own])
    (p,) = caught.value.problems
    assert p.code == "ZG-ALERT-016" and p.location.file == "dup.toml" and p.location.row == 2
    assert "rules.toml" in p.message_zh
    same_year = tmp_path / "same.toml"
    same_year.write_text(
        GOOD.replace('code = "x.loss"', 'code = "loss.net_loss"').replace(
            'version = "1"', 'version = "9"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileRejected) as caught:
        load_rules([same_year])
    assert [p.code for p in caught.value.problems] == ["ZG-ALERT-017"]


def test_the_builtin_set_checks_against_a_library() -> None:
    codes = {r.indicator for r in builtin_rules() if r.indicator}
    load_rules(known_indicators=codes)  # passes with every code the set uses
    with pytest.raises(RuleFileRejected) as caught:
        load_rules(known_indicators=codes - {"guarantee_ratio"})
    assert {p.code for p in caught.value.problems} == {"ZG-ALERT-023"}
