"""The choke point on lake reads: clearance vs level, row scope, masking — DuckDB and Spark
give the same answers because the filter and the masks travel inside the relation."""

from __future__ import annotations

from typing import Any

import pytest

from zhiguo.core.access import Classification, Scope
from zhiguo.datacenter.engine import Engine
from zhiguo.datacenter.lake import LakeTable, scoped_snapshot
from zhiguo.security.classification import ClearanceTooLow, DatasetNotDeclared

LEVELS = [Classification.general, Classification.important, Classification.core]


def _rows(engine: Engine, relation: Any) -> list[dict[str, Any]]:
    table = engine.query("SELECT * FROM t ORDER BY enterprise_id", tables={"t": relation})
    return table.to_pylist()


@pytest.mark.parametrize("clearance", LEVELS, ids=lambda c: c.value)
@pytest.mark.parametrize("level", LEVELS, ids=lambda c: c.value)
def test_clearance_must_reach_the_level(
    lake: dict[str, LakeTable],
    query_engine: Engine,
    clearance: Classification,
    level: Classification,
) -> None:
    table = lake[f"t_{level.value}"]
    scope = Scope.everything(clearance=clearance)
    if clearance.rank >= level.rank:
        assert len(_rows(query_engine, scoped_snapshot(table, scope))) == 3
    else:
        with pytest.raises(ClearanceTooLow) as denied:
            scoped_snapshot(table, scope)
        assert denied.value.code == "ZG-SEC-100"
        assert denied.value.http_status == 403


def test_enterprise_scope_sees_its_rows_only(
    lake: dict[str, LakeTable], query_engine: Engine
) -> None:
    scope = Scope.of([2], clearance=Classification.important)
    rows = _rows(query_engine, scoped_snapshot(lake["t_important"], scope))
    assert [r["enterprise_id"] for r in rows] == [2]
    count = query_engine.query(
        "SELECT count(*) AS n, sum(amount) AS s FROM t",
        tables={"t": scoped_snapshot(lake["t_important"], scope)},
    ).to_pylist()
    assert count == [{"n": 1, "s": 20.0}]  # an aggregate never sees the hidden rows


def test_nothing_scope_serves_nothing(lake: dict[str, LakeTable], query_engine: Engine) -> None:
    for name in ("t_general", "t_open", "t_people"):
        assert _rows(query_engine, scoped_snapshot(lake[name], Scope.nothing())) == []


def test_dataset_without_declared_policy_is_denied_to_restricted_scopes(
    lake: dict[str, LakeTable],
) -> None:
    with pytest.raises(DatasetNotDeclared):
        scoped_snapshot(lake["t_undeclared"], Scope.of([1]))
    # the whole-portfolio regulator may read it (its clearance still applies)
    assert scoped_snapshot(lake["t_undeclared"], Scope.everything()).to_table().num_rows == 3


def test_personal_columns_masked_unless_unmask(
    lake: dict[str, LakeTable], query_engine: Engine
) -> None:
    masked = _rows(query_engine, scoped_snapshot(lake["t_people"], Scope.everything()))
    assert [(r["legal_rep"], r["id_card"], r["mobile"]) for r in masked] == [
        ("张**", "1***************2X", "138****8000"),
        ("李*", "1***************11", "139****5678"),
        (None, None, None),
    ]
    assert [r["amount"] for r in masked] == [10.0, 20.0, 30.0]  # other columns untouched
    plain = _rows(
        query_engine, scoped_snapshot(lake["t_people"], Scope.everything(may_unmask=True))
    )
    assert plain[0]["id_card"] == "11010519491231002X"
    assert plain[0]["legal_rep"] == "张三丰"


def test_masked_column_cannot_be_recovered_by_filtering(
    lake: dict[str, LakeTable], query_engine: Engine
) -> None:
    relation = scoped_snapshot(lake["t_people"], Scope.everything())
    probe = query_engine.query(
        "SELECT count(*) AS n FROM t WHERE id_card = '11010519491231002X'", tables={"t": relation}
    )
    assert probe.to_pylist() == [{"n": 0}]


def test_to_table_applies_the_same_masks(lake: dict[str, LakeTable]) -> None:
    table = scoped_snapshot(lake["t_people"], Scope.of([1, 2])).to_table()
    assert table.column("mobile").to_pylist() == ["138****8000", "139****5678"]
