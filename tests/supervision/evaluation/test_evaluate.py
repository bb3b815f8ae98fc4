"""evaluate() and place_on_scale() over a small lake: hand-checked scores, grades, ranks per
supervision class, the caller's scope, size classes from revenue, as-of versions.

Standard values used (edition 2026, the small scheme: roe 60 + debt_ratio 40 per class)::

    roe        ALL/all (20, 15, 10, 5, 0)      D46/all (10, 8, 6, 4, 2)
    debt_ratio ALL/all (40, 50, 60, 70, 80)    ALL/large (30, 40, 50, 60, 70)   lower is better
    quick_ratio ALL/all (150, 120, 100, 80, 60)  (not weighted: shown on the scale only)
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from zhiguo.core import NotFound, Scope, Workspace
from zhiguo.demo.standard_values import load_demo_standard_values
from zhiguo.supervision.evaluation import (
    NoIndicatorValues,
    Scheme,
    choose_edition,
    evaluate,
    import_benchmarks,
    load_index,
    load_scheme,
    place_on_scale,
)

Factory = tuple[Workspace, Callable[[], Session]]
ROE_CAL = "sasac_avg_incl_minority"
STANDARDS = [
    ["ALL", "all", "roe", 20, 15, 10, 5, 0],
    ["D46", "all", "roe", 10, 8, 6, 4, 2],
    ["ALL", "all", "debt_ratio", 40, 50, 60, 70, 80],
    ["ALL", "large", "debt_ratio", 30, 40, 50, 60, 70],
    ["ALL", "all", "quick_ratio", 150, 120, 100, 80, 60],
]


@pytest.fixture
def scheme(small_scheme_path: Path) -> Scheme:
    return load_scheme(small_scheme_path)


@pytest.fixture
def standards(eval_ws: Factory, tmp_path: Path, scheme: Scheme) -> None:
    _ws, factory = eval_ws
    path = tmp_path / "sv.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["industry_code", "size_class", "indicator_code",
                         "excellent", "good", "average", "low", "poor"])  # fmt: skip
        writer.writerows(STANDARDS)
    with factory() as session:
        import_benchmarks(session=session, path=path, known_indicators=set(scheme.indicators),
                          directions=scheme.directions, actor="t", edition=2026)  # fmt: skip
        session.commit()


def _run(eval_ws: Factory, scheme: Scheme, scope: Scope | None = None, **kw: Any) -> list[Any]:
    ws, factory = eval_ws
    kw.setdefault("period", "2026-12")
    with factory() as session:
        return evaluate(
            session=session, lake_root=ws.lake, engine_settings=ws.settings.engine,
            scope=scope or Scope.everything(), scheme=scheme, **kw,
        )  # fmt: skip


def _v(eid: int, code: str, value: float | None, **kw: Any) -> dict[str, Any]:
    caliber = ROE_CAL if code == "roe" else "default"
    return {"enterprise_id": eid, "period": "2026-12", "indicator_code": code,
            "caliber": caliber, "value": value, **kw}  # fmt: skip


@pytest.mark.usefixtures("standards")
def test_group_scores_match_hand_calculations(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int], commit_values: Any
) -> None:
    g1, g2 = ids["G1"], ids["G2"]
    commit_values([
        _v(g1, "roe", 7.0),  # D4610 → D46 standards: halfway 平均 6 → 良好 8: 0.7 × 60 = 42
        _v(g1, "roe", 99.0, caliber="default"),  # another caliber: must not be read
        _v(g1, "debt_ratio", 55.0),  # ALL: halfway 良好 50 → 平均 60: 0.7 × 40 = 28
        _v(g2, "roe", 15.0),  # ALL 良好: 0.8 × 60 = 48
        _v(g2, "debt_ratio", None),  # not computable: excluded, weights renormalised
        _v(0, "roe", 12.0, level="portfolio"),  # the portfolio row is never evaluated
    ])  # fmt: skip
    results = {r.enterprise_id: r for r in _run(eval_ws, scheme)}
    assert set(results) == {g1, g2}
    one, two = results[g1], results[g2]
    assert one.supervision_class == "public_welfare" and one.class_source == "own"
    assert one.total_score == pytest.approx(70.0) and one.grade_zh == "良"
    roe, debt = one.indicators
    assert (roe.code, roe.score, roe.band, roe.value) == ("roe", pytest.approx(42.0), "average", 7)
    assert roe.standard is not None and roe.standard.industry_code == "D46"
    assert (debt.score, debt.band) == (pytest.approx(28.0), "average")
    assert debt.standard is not None and debt.standard.industry_code == "ALL"
    assert [(g.code, g.score) for g in one.groups] == [
        ("profitability", pytest.approx(42.0)), ("debt_risk", pytest.approx(28.0)),
    ]  # fmt: skip
    assert two.supervision_class == "commercial_2"
    assert two.total_score == pytest.approx(80.0) and two.coverage_pct == pytest.approx(60.0)
    excluded = two.indicators[1]
    assert excluded.excluded and excluded.score is None
    assert "无法计算" in (excluded.reason_zh or "") and "not computable" in (
        excluded.reason_en or ""
    )
    assert (one.rank, one.ranked_in_class, two.rank, two.ranked_in_class) == (1, 1, 1, 1)


@pytest.fixture
def entity_values(ids: dict[str, int], commit_values: Any) -> None:
    rows = []
    for key, roe, debt in [
        ("A1", 8.0, 50.0),  # D4620 → D46 良好 48 + 32 = 80
        ("A11", 10.0, 60.0),  # ALL 平均 36 + 24 = 60
        ("A12", 15.0, 50.0),  # ALL 良好 48 + 32 = 80 (tie with A1)
        ("B1", 20.0, 40.0),  # 60 + 40 = 100
        ("B11", 5.0, 70.0),  # 24 + 16 = 40
    ]:
        rows += [_v(ids[key], "roe", roe, level="entity"),
                 _v(ids[key], "debt_ratio", debt, level="entity")]  # fmt: skip
    commit_values(rows)


@pytest.mark.usefixtures("standards", "entity_values")
def test_entities_are_ranked_within_their_inherited_class(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int]
) -> None:
    results = _run(eval_ws, scheme, level="entity")
    got = [(r.supervision_class, r.enterprise_id, r.total_score, r.rank, r.grade_zh)
           for r in results]  # fmt: skip
    # commercial_2 is listed before public_welfare (the scheme's class order)
    assert got == [
        ("commercial_2", ids["B1"], pytest.approx(100.0), 1, "优"),
        ("commercial_2", ids["B11"], pytest.approx(40.0), 2, "低"),
        ("public_welfare", ids["A1"], pytest.approx(80.0), 1, "良"),
        ("public_welfare", ids["A12"], pytest.approx(80.0), 1, "良"),
        ("public_welfare", ids["A11"], pytest.approx(60.0), 3, "中"),
    ]
    assert {r.class_source for r in results} == {"inherited"}
    assert {r.ranked_in_class for r in results if r.supervision_class == "public_welfare"} == {3}
    only = _run(eval_ws, scheme, level="entity", supervision_class="commercial_2")
    assert [r.enterprise_id for r in only] == [ids["B1"], ids["B11"]]


@pytest.mark.usefixtures("standards", "entity_values")
def test_an_enterprise_scope_only_sees_and_ranks_its_own(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int]
) -> None:
    mine = Scope.of({ids["B1"], ids["B11"]})
    results = _run(eval_ws, scheme, scope=mine, level="entity")
    assert [(r.enterprise_id, r.rank, r.ranked_in_class) for r in results] == [
        (ids["B1"], 1, 2), (ids["B11"], 2, 2),
    ]  # fmt: skip
    alone = _run(eval_ws, scheme, scope=Scope.of({ids["A11"]}), level="entity")
    assert [(r.enterprise_id, r.rank, r.ranked_in_class) for r in alone] == [(ids["A11"], 1, 1)]
    assert _run(eval_ws, scheme, scope=Scope.nothing(), level="entity") == []


@pytest.mark.usefixtures("standards")
def test_too_little_weight_left_means_no_total(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int], commit_values: Any
) -> None:
    commit_values([_v(ids["G2"], "debt_ratio", 50.0)])  # 40 % of the weight: below 50 %
    (result,) = _run(eval_ws, scheme)
    assert result.total_score is None and result.grade is None and result.rank is None
    assert result.coverage_pct == pytest.approx(40.0)
    assert "40%" in (result.reason_zh or "") and "40%" in (result.reason_en or "")
    assert result.indicators[0].reason_en == "no value for this period"


@pytest.mark.usefixtures("standards")
def test_size_class_from_annualised_revenue_and_annualised_roe(
    eval_ws: Factory,
    scheme: Scheme,
    ids: dict[str, int],
    commit_values: Any,
    commit_revenue: Any,
) -> None:
    g1 = ids["G1"]
    commit_revenue(g1, "2026-06", "consolidated", 600_000.0)  # × 12/6 = 1.2 m ≥ 1 m: large
    commit_values([
        {**_v(g1, "roe", 3.5), "period": "2026-06"},  # YTD 3.5 → 7.0 annualised: 0.7
        {**_v(g1, "debt_ratio", 40.0), "period": "2026-06"},  # ALL/large 良好: 0.8
    ])  # fmt: skip
    (result,) = _run(eval_ws, scheme, period="2026-06")
    assert result.size_class == "large" and result.revenue == pytest.approx(1_200_000.0)
    roe, debt = result.indicators
    assert (roe.raw_value, roe.value, roe.score) == (3.5, pytest.approx(7.0), pytest.approx(42.0))
    assert debt.standard is not None and debt.standard.size_class == "large"
    assert debt.score == pytest.approx(32.0)
    assert result.total_score == pytest.approx(74.0)


@pytest.mark.usefixtures("standards")
def test_evaluation_as_of_an_earlier_lake_version(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int], commit_values: Any
) -> None:
    first = commit_values([_v(ids["G2"], "roe", 15.0), _v(ids["G2"], "debt_ratio", 50.0)])
    commit_values([_v(ids["G2"], "roe", 20.0), _v(ids["G2"], "debt_ratio", 40.0)])
    (now,) = _run(eval_ws, scheme)
    (then,) = _run(eval_ws, scheme, version=first)
    assert now.total_score == pytest.approx(100.0)
    assert then.total_score == pytest.approx(80.0)


def test_without_standard_values_every_indicator_says_why(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int], commit_values: Any
) -> None:
    commit_values([_v(ids["G2"], "roe", 15.0), _v(ids["G2"], "debt_ratio", 50.0)])
    (result,) = _run(eval_ws, scheme)
    assert result.total_score is None
    assert {i.reason_zh for i in result.indicators} == {"尚未导入标准值"}


def test_no_indicator_values_yet_is_a_clear_error(eval_ws: Factory, scheme: Scheme) -> None:
    with pytest.raises(NoIndicatorValues) as caught:
        _run(eval_ws, scheme)
    assert caught.value.code == "ZG-EVAL-060"


@pytest.mark.usefixtures("standards")
def test_place_on_scale_shows_values_bands_and_the_five_levels(
    eval_ws: Factory, scheme: Scheme, ids: dict[str, int], commit_values: Any
) -> None:
    g1 = ids["G1"]
    commit_values([_v(g1, "roe", 7.0), _v(g1, "debt_ratio", 90.0), _v(g1, "quick_ratio", 125.0)])
    ws, factory = eval_ws
    with factory() as session:
        placed = place_on_scale(
            session=session, lake_root=ws.lake, engine_settings=ws.settings.engine,
            scope=Scope.everything(), enterprise_id=g1, period="2026-12", scheme=scheme,
        )  # fmt: skip
        by_code = {p.code: p for p in placed}
        assert list(by_code) == ["roe", "debt_ratio", "quick_ratio"]
        assert by_code["roe"].band == "average"
        assert by_code["roe"].standard is not None
        assert by_code["roe"].standard.levels() == (10, 8, 6, 4, 2)
        assert by_code["debt_ratio"].band == "below_poor"
        assert (by_code["quick_ratio"].value, by_code["quick_ratio"].band) == (125.0, "good")
        with pytest.raises(NotFound):
            place_on_scale(
                session=session, lake_root=ws.lake, engine_settings=ws.settings.engine,
                scope=Scope.of({ids["G2"]}), enterprise_id=g1, period="2026-12", scheme=scheme,
            )  # fmt: skip


def test_default_scheme_with_demo_standard_values_scores_average_as_60(
    eval_ws: Factory, ids: dict[str, int], commit_values: Any, tmp_path: Path
) -> None:
    """End to end on the shipped scheme and the fictitious demo values: every indicator
    exactly at its matched 平均值 gives 0.6 of every weight — a total of 60, grade 中."""
    ws, factory = eval_ws
    scheme = load_scheme()
    g1 = ids["G1"]  # D4610, 公益类
    with factory() as session:
        load_demo_standard_values(session=session, folder=tmp_path)
        session.commit()
        assert choose_edition(session=session, year=2026) == 2026
        index = load_index(session=session, edition=2026)
    rows = []
    for code in scheme.classes["public_welfare"].weights:
        standard = index.match(code, "D4610", "all")
        assert standard is not None, code
        spec = scheme.indicators[code]
        rows.append({"enterprise_id": g1, "period": "2026-12", "indicator_code": code,
                     "caliber": spec.caliber, "value": standard.average})  # fmt: skip
    commit_values(rows)
    with factory() as session:
        (result,) = evaluate(
            session=session, lake_root=ws.lake, engine_settings=ws.settings.engine,
            scope=Scope.everything(), period="2026-12",
        )  # fmt: skip
    assert result.total_score == pytest.approx(60.0)
    assert result.grade_zh == "中" and result.coverage_pct == pytest.approx(100.0)
    assert all(i.standard is not None and i.standard.fictitious for i in result.indicators)
    assert {i.standard.industry_code for i in result.indicators if i.standard} == {"D46"}
