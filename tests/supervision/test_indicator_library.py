"""The indicator library is data that is checked before it runs: every way an analyst's
definition can be wrong is refused with the definition named, in Chinese and English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from zhiguo.supervision.indicators import (
    FormulaError,
    IndicatorSpec,
    LibraryError,
    add_definitions,
    builtin_library,
    load_definitions_file,
    load_library,
    parse_definitions,
)


def _spec(
    code: str = "custom_x", formula: str = "net_profit.ytd", unit: str = "元"
) -> IndicatorSpec:
    return IndicatorSpec(code=code, name_zh="测试", name_en="Test", unit=unit, formula=formula)


def _check(*specs: IndicatorSpec) -> None:
    builtin_library().with_specs(specs, source="test")


def test_builtin_library_holds_the_yili_wulv_editions_and_evaluation_groups() -> None:
    lib = builtin_library()
    assert lib.set_for_year("yili_wulv", 2024)[-1] == "operating_cash_ratio"
    assert lib.set_for_year("yili_wulv", 2025)[-1] == "cash_from_sales_ratio"
    assert set(lib.specs["roe"].calibers) == {
        "sasac_avg_incl_minority",
        "fully_diluted_end",
        "csrc_weighted_attrib",
    }
    assert lib.specs["roe"].default_caliber == "sasac_avg_incl_minority"
    groups = {s.group for s in lib.specs.values()}
    assert {"profitability", "asset_quality", "debt_risk", "growth", "supplementary"} <= groups
    assert all(len(c.digest) == 12 for c in lib.indicators.values())


def test_percent_indicators_scale_and_guard_every_division() -> None:
    debt = builtin_library().indicators[("debt_ratio", "default")]
    assert "NULLIF(total_assets__closing, 0)" in debt.value_sql
    assert debt.value_sql.endswith("* 100.0)")
    assert "THEN 2" in debt.status_sql


@pytest.mark.parametrize(
    ("formula", "unit", "needle_zh", "needle_en"),
    [
        ("net_profit.closing", "元", "没有口径 closing", "has no caliber closing"),
        ("no_such_item.ytd / total_assets.closing", "%", "未知", "unknown"),
        ("net_profit", "元", "需指明口径", "needs a caliber"),
        ("net_profit.ytd + employees_avg.ytd", "元", "单位不一致", "unit mismatch"),
        ("net_profit.ytd / total_assets.closing", "元", "量纲", "dimension"),
        ("avg(net_profit)", "元", "avg()", "balance items only"),
        ("median(net_profit.ytd)", "元", "未知函数", "unknown function"),
        ("net_profit.ytd / 0", "元", "常数 0", "constant 0"),
        ("net_profit.ytd ** 2", "元", "不支持", "unsupported"),
        ("net_profit.ytd +", "元", "语法错误", "syntax error"),
        ("'text'", "元", "不支持", "unsupported"),
        ("debt_ratio.nope", "%", "没有口径 nope", "has no caliber nope"),
    ],
)
def test_bad_formulas_are_refused_with_the_definition_named(
    formula: str, unit: str, needle_zh: str, needle_en: str
) -> None:
    with pytest.raises(FormulaError) as info:
        _check(_spec(formula=formula, unit=unit))
    assert needle_zh in info.value.message("zh"), info.value.message("zh")
    assert needle_en in info.value.message("en"), info.value.message("en")
    assert "custom_x" in info.value.message("en")


def test_circular_references_are_refused_with_the_cycle_spelled_out() -> None:
    a = _spec("cyc_a", "cyc_b + net_profit.ytd")
    b = _spec("cyc_b", "cyc_a - net_profit.ytd")
    with pytest.raises(FormulaError) as info:
        _check(a, b)
    assert "cyc_a.default → cyc_b.default → cyc_a.default" in info.value.message("en") or (
        "cyc_b.default → cyc_a.default → cyc_b.default" in info.value.message("en")
    )
    with pytest.raises(FormulaError, match="circular"):
        _check(_spec("selfish", "selfish * 2"))


def test_referenced_indicators_are_inlined_unscaled() -> None:
    lib = builtin_library().with_specs(
        [_spec("debt_gap", "debt_ratio - 0.6", unit="%")], source="test"
    )
    compiled = lib.indicators[("debt_gap", "default")]
    # debt_ratio contributes its ratio (not ×100); the result is scaled once
    assert compiled.value_sql.count("* 100.0") == 1


def test_unknown_fields_and_bad_units_in_a_file_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "ind.toml"
    bad.write_text(
        '[indicators.x1]\nname_zh = "甲"\nname_en = "A"\nunit = "%"\nfromula = "1"\n',
        encoding="utf-8",
    )
    with pytest.raises(LibraryError) as info:
        load_definitions_file(bad)
    assert "fromula" in info.value.message("en") and "ind.toml" in info.value.message("en")
    with pytest.raises(LibraryError, match="unit"):
        parse_definitions(
            [
                {
                    "code": "x2",
                    "name_zh": "乙",
                    "name_en": "B",
                    "unit": "kg",
                    "formula": "net_profit.ytd",
                }
            ]
        )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(LibraryError, match="cannot parse"):
        load_definitions_file(broken)


def test_analyst_definitions_are_versioned_and_win_over_the_builtin(session: Session) -> None:
    changed = _spec("debt_ratio", "total_liabilities.closing / total_assets.closing", "%")
    changed = changed.model_copy(update={"name_zh": "资产负债率（修订）", "direction": "lower"})
    first = add_definitions(session=session, specs=[changed], source="api", actor="analyst")
    again = add_definitions(session=session, specs=[changed], source="file", actor="analyst")
    assert [r.version for r in first + again] == [1, 2]
    lib = load_library(session)
    assert lib.specs["debt_ratio"].name_zh == "资产负债率（修订）"
    assert lib.sources["debt_ratio"] == "file v2"
    # a definition that would break a dependant (two_funds_share reads two_funds) is refused
    with pytest.raises(FormulaError):
        add_definitions(
            session=session,
            specs=[_spec("two_funds", "employees_end.closing", unit="人")],
            source="api",
            actor="analyst",
        )
    assert load_library(session).specs["two_funds"].unit == "元"


def test_definitions_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {
                "indicators": [
                    {
                        "code": "cash_cover",
                        "name_zh": "现金短债比",
                        "name_en": "Cash to short-term debt",
                        "group": "debt_risk",
                        "unit": "倍",
                        "formula": "cash.closing / short_term_borrowings.closing",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    specs = load_definitions_file(path)
    lib = builtin_library().with_specs(specs, source="file")
    assert ("cash_cover", "default") in lib.indicators
