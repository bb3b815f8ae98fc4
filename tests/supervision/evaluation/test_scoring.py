"""功效系数法 against hand calculations, renormalisation, grades, ranks and the scheme file."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiguo.supervision.evaluation import (
    BELOW_POOR,
    SchemeError,
    band_of,
    coefficient_of,
    grade_for,
    load_scheme,
    rank,
    renormalised_total,
)
from zhiguo.supervision.evaluation.scoring import Weighted

ROE = (20.0, 15.0, 10.0, 5.0, 0.0)  # higher is better
DEBT = (48.0, 55.0, 62.0, 72.0, 85.0)  # lower is better
W = 14.0


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (15.0, 0.8),  # exactly 良好
        (12.5, 0.7),  # halfway between 平均 and 良好
        (10.0, 0.6),  # exactly 平均
        (21.0, 1.0),  # above 优秀: capped at the full weight
        (20.0, 1.0),
        (0.0, 0.2),  # exactly 较差
        (2.5, 0.3),  # halfway between 较差 and 较低
        (-0.01, 0.0),  # below 较差
        (17.0, 0.88),  # 0.8 + 2/5 × 0.2
    ],
)
def test_higher_is_better(actual: float, expected: float) -> None:
    assert W * coefficient_of(actual, ROE, "higher") == pytest.approx(W * expected)


@pytest.mark.parametrize(
    ("actual", "expected", "band"),
    [
        (55.0, 0.8, "good"),
        (58.5, 0.7, "average"),  # halfway between 良好 55 and 平均 62
        (40.0, 1.0, "excellent"),
        (85.0, 0.2, "poor"),
        (90.0, 0.0, BELOW_POOR),
        (67.0, 0.5, "low"),  # halfway between 较低 72 and 平均 62
    ],
)
def test_lower_is_better(actual: float, expected: float, band: str) -> None:
    assert coefficient_of(actual, DEBT, "lower") == pytest.approx(expected)
    assert band_of(actual, DEBT, "lower") == band


def test_bands_for_higher_is_better() -> None:
    assert [band_of(v, ROE, "higher") for v in (25, 20, 19.9, 15, 10, 5, 0, -1)] == [
        "excellent", "excellent", "good", "good", "average", "low", "poor", BELOW_POOR,
    ]  # fmt: skip


def test_equal_neighbouring_levels_never_divide_by_zero() -> None:
    flat = (10.0, 10.0, 5.0, 5.0, 0.0)
    assert coefficient_of(10.0, flat, "higher") == 1.0
    assert coefficient_of(7.5, flat, "higher") == pytest.approx(0.6 + 0.5 * 0.2)
    assert coefficient_of(5.0, flat, "higher") == pytest.approx(0.6)


def test_configurable_coefficients_change_the_step() -> None:
    coefs = (1.0, 0.7, 0.5, 0.3, 0.1)
    # halfway between 平均 (0.5) and 良好 (0.7) → 0.6
    assert coefficient_of(12.5, ROE, "higher", coefs) == pytest.approx(0.6)


def test_excluded_indicators_are_renormalised() -> None:
    total, coverage = renormalised_total([Weighted(60, 0.8 * 60), Weighted(40, None)])
    assert total == pytest.approx(80.0) and coverage == pytest.approx(60.0)
    total, coverage = renormalised_total([Weighted(60, None), Weighted(40, None)])
    assert total is None and coverage == 0.0
    total, _ = renormalised_total([Weighted(60, 42.0), Weighted(40, 28.0)])
    assert total == pytest.approx(70.0)


def test_grades_from_the_scheme() -> None:
    grades = load_scheme().grades
    table = {85: "优", 84.99: "良", 70: "良", 69.9: "中", 50: "中", 40: "低", 39.99: "差", 0: "差"}
    for score, label in table.items():
        assert grade_for(score, grades).label_zh == label, score


def test_competition_ranks_and_unscored_left_out() -> None:
    assert rank({1: 80.0, 2: 90.0, 3: 80.0, 4: None, 5: 70.0}) == {2: 1, 1: 2, 3: 2, 5: 4}
    assert rank({}) == {}


def test_default_scheme_weights_sum_to_100_in_every_class() -> None:
    scheme = load_scheme()
    assert set(scheme.classes) == {"commercial_1", "commercial_2", "public_welfare"}
    for klass in scheme.classes.values():
        assert sum(klass.weights.values()) == pytest.approx(100.0)
        groups = {scheme.indicators[c].group for c in klass.weights}
        assert groups == {"profitability", "asset_quality", "debt_risk", "growth"}
    assert scheme.directions["debt_ratio"] == "lower"
    assert scheme.directions["roe"] == "higher"
    assert scheme.indicators["roe"].caliber == "sasac_avg_incl_minority"
    assert [lv.coefficient for lv in scheme.levels] == [1.0, 0.8, 0.6, 0.4, 0.2]


def test_size_thresholds_are_configurable_data() -> None:
    scheme = load_scheme()
    rule = scheme.size_rule("C3973")  # no override for manufacturing: the default
    assert rule.size_of(5e8) == "large" and rule.size_of(3e7) == "medium"
    assert rule.size_of(1e6) == "small" and rule.size_of(None) == "all"
    assert scheme.size_rule("E4710").size_of(5e8) == "medium"  # 建筑业 needs 8 亿


def test_a_scheme_whose_weights_do_not_sum_to_100_is_refused(
    small_scheme_path: Path, tmp_path: Path
) -> None:
    assert load_scheme(small_scheme_path).classes["commercial_1"].weights == {
        "roe": 60.0, "debt_ratio": 40.0,
    }  # fmt: skip
    bad = tmp_path / "bad.toml"
    bad.write_text(small_scheme_path.read_text("utf-8").replace("roe = 60", "roe = 59", 1), "utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(bad)
    assert "99" in caught.value.message_en and "commercial_1" in caught.value.message_zh
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(
        small_scheme_path.read_text("utf-8").replace("debt_ratio = 40", "debt_typo = 40", 1),
        "utf-8",
    )
    with pytest.raises(SchemeError):
        load_scheme(unknown)
    broken = tmp_path / "broken.toml"
    broken.write_text("levels = [", "utf-8")
    with pytest.raises(SchemeError):
        load_scheme(broken)


def test_evaluation_and_ledger_codes_are_unique_and_bilingual() -> None:
    import inspect

    from zhiguo.core.errors import ZhiguoError
    from zhiguo.supervision.evaluation import RULES
    from zhiguo.supervision.evaluation import errors as evaluation_errors
    from zhiguo.supervision.ledger import errors as ledger_errors

    classes = [
        obj
        for module in (evaluation_errors, ledger_errors)
        for _n, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, ZhiguoError) and obj.__module__ == module.__name__
    ]
    assert all(c.title_zh and c.title_en and c.title_zh != c.title_en for c in classes)
    codes = [c.code for c in classes] + [code for code, _zh, _en in RULES.values()]
    assert len(codes) == len(set(codes))
    assert all(c.startswith(("ZG-EVAL-", "ZG-LEDGER-")) for c in codes)
    assert all(zh != en for _c, zh, en in RULES.values())
