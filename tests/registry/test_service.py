"""Registry queries over the small known world of ``zhiguo.testing`` (see its docstring)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from zhiguo import registry
from zhiguo.core.access import Scope
from zhiguo.core.errors import NotFound
from zhiguo.testing import SAMPLE


def _id(session: Session, key: str) -> int:
    return registry.get_enterprise(session=session, scope=Scope.everything(), uscc=SAMPLE[key]).id


def _ids(session: Session, *keys: str) -> set[int]:
    return {_id(session, k) for k in keys}


def test_levels_follow_controlling_edges(sample_session: Session, everything: Scope) -> None:
    levels = {
        e.short_name: e.level
        for e in registry.list_enterprises(session=sample_session, scope=everything, limit=100)
    }
    assert levels == {
        "G1": 1, "A1": 2, "A11": 3, "A12": 3, "A2": 2, "G2": 1, "B1": 2, "B11": 3,
    }  # fmt: skip


def test_subtree_today_and_in_the_past(sample_session: Session) -> None:
    g1, g2 = _id(sample_session, "G1"), _id(sample_session, "G2")
    today = registry.subtree_ids(session=sample_session, root_id=g1)
    assert today == _ids(sample_session, "G1", "A1", "A11", "A12", "A2")
    # B1 is 30 % held by A1 without control: it is not in G1's tree.
    past = registry.subtree_ids(session=sample_session, root_id=g2, as_of=date(2018, 6, 1))
    assert past == _ids(sample_session, "G2", "B1", "B11", "A2")
    # Before A2 existed in anyone's tree.
    assert registry.subtree_ids(session=sample_session, root_id=g1, as_of=date(2011, 1, 1)) == {
        g1,
        _id(sample_session, "A1"),
    }


def test_path_to_root(sample_session: Session, everything: Scope) -> None:
    a11 = _id(sample_session, "A11")
    path = registry.path_to_root(session=sample_session, scope=everything, enterprise_id=a11)
    assert [e.short_name for e in path] == ["G1", "A1", "A11"]
    a2 = _id(sample_session, "A2")
    old = registry.path_to_root(
        session=sample_session, scope=everything, enterprise_id=a2, as_of=date(2019, 12, 31)
    )
    assert [e.short_name for e in old] == ["G2", "A2"]


def test_path_hides_ancestors_outside_scope(sample_session: Session) -> None:
    a1 = _id(sample_session, "A1")
    scope = Scope.of(registry.subtree_ids(session=sample_session, root_id=a1))
    path = registry.path_to_root(
        session=sample_session, scope=scope, enterprise_id=_id(sample_session, "A11")
    )
    assert [e.short_name for e in path] == ["A1", "A11"]


def test_tree_as_of_a_date(sample_session: Session, everything: Scope) -> None:
    portfolio = registry.tree(session=sample_session, scope=everything, max_depth=5)
    assert [n.name for n in portfolio.children] == ["G1", "G2"]
    assert portfolio.descendants == 8
    g1 = portfolio.children[0]
    assert {c.name for c in g1.children} == {"A1", "A2"}
    assert g1.descendants == 4
    then = registry.tree(
        session=sample_session, scope=everything, max_depth=5, as_of=date(2018, 1, 1)
    )
    g2_then = next(n for n in then.children if n.name == "G2")
    assert {c.name for c in g2_then.children} == {"B1", "A2"}


def test_tree_truncates_but_counts(sample_session: Session, everything: Scope) -> None:
    g1 = _id(sample_session, "G1")
    node = registry.tree(
        session=sample_session, scope=everything, root_id=g1, max_depth=1, max_children=1
    )
    assert len(node.children) == 1 and node.truncated
    assert node.descendants == 4


def test_effective_state_ownership_through_chains(
    sample_session: Session, everything: Scope
) -> None:
    def eso(key: str, as_of: date | None = None) -> Decimal:
        return registry.effective_state_ownership(
            session=sample_session,
            scope=everything,
            enterprise_id=_id(sample_session, key),
            as_of=as_of,
        )

    assert eso("G1") == Decimal("100")
    assert eso("G2") == Decimal("90")  # a mixed-ownership group
    assert eso("A11") == Decimal("51")  # 51 % × 100 % × 100 %
    assert eso("A2") == Decimal("80")
    assert eso("A2", date(2018, 1, 1)) == Decimal("90")  # then 100 % of G2 (90 %)
    # B1: 60 % of G2 (90 %) + 30 % of A1 (100 %) = 54 + 30
    assert eso("B1") == Decimal("84")
    assert eso("B11") == Decimal("84")


def test_shareholders_history_and_children(sample_session: Session, everything: Scope) -> None:
    a2 = _id(sample_session, "A2")
    history = registry.shareholders_of(session=sample_session, scope=everything, enterprise_id=a2)
    assert [(h.parent_uscc, h.share_pct, h.valid_to) for h in history] == [
        (SAMPLE["G2"], Decimal("100"), date(2020, 1, 1)),
        (SAMPLE["G1"], Decimal("80"), None),
    ]
    now = registry.shareholders_of(
        session=sample_session, scope=everything, enterprise_id=a2, as_of=date.today()
    )
    assert [h.share_pct for h in now] == [Decimal("80")]
    kids = registry.children_of(
        session=sample_session, scope=everything, enterprise_id=_id(sample_session, "A1")
    )
    assert {(k.child_uscc, k.controlling) for k in kids} == {
        (SAMPLE["A11"], True),
        (SAMPLE["A12"], True),
        (SAMPLE["B1"], False),
    }


def test_out_of_scope_is_not_found(sample_session: Session) -> None:
    scope = Scope.of(
        registry.subtree_ids(session=sample_session, root_id=_id(sample_session, "G2"))
    )
    with pytest.raises(NotFound):
        registry.get_enterprise(session=sample_session, scope=scope, uscc=SAMPLE["A11"])
    with pytest.raises(NotFound):
        registry.tree(session=sample_session, scope=scope, root_id=_id(sample_session, "G1"))
    assert registry.count_enterprises(session=sample_session, scope=scope) == 3
    listed = registry.list_enterprises(session=sample_session, scope=scope, q="一集团")
    assert listed == []


def test_shareholder_outside_scope_is_anonymised(sample_session: Session) -> None:
    scope = Scope.of(
        registry.subtree_ids(session=sample_session, root_id=_id(sample_session, "G2"))
    )
    holders = registry.shareholders_of(
        session=sample_session,
        scope=scope,
        enterprise_id=_id(sample_session, "B1"),
        as_of=date.today(),
    )
    hidden = [h for h in holders if not h.parent_uscc]
    assert len(hidden) == 1 and hidden[0].parent_id == 0
    assert SAMPLE["A1"] not in str([h.model_dump() for h in holders])


def test_empty_scope_sees_nothing(sample_session: Session) -> None:
    assert registry.count_enterprises(session=sample_session, scope=Scope.nothing()) == 0
    assert registry.top_level_ids(session=sample_session, scope=Scope.nothing()) == []


def test_search_by_name_and_code(sample_session: Session, everything: Scope) -> None:
    found = registry.list_enterprises(session=sample_session, scope=everything, q="A11")
    assert [e.uscc for e in found] == [SAMPLE["A11"]]
    by_code = registry.list_enterprises(session=sample_session, scope=everything, q=SAMPLE["G2"])
    assert [e.short_name for e in by_code] == ["G2"]


def test_portfolio_summary(sample_session: Session, everything: Scope) -> None:
    summary = registry.portfolio_summary(session=sample_session, scope=everything)
    assert summary["entities"] == 8 and summary["tops"] == 2
    assert summary["by_class"] == {"public_welfare": 1, "commercial_2": 1}
    assert summary["by_category"]["finance"] == 1
