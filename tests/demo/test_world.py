"""The demo world is deterministic, sized as promised and keeps every registry invariant."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from zhiguo.core import InputError, validate_uscc
from zhiguo.demo.world import AS_OF, SCALES, World, generate_world
from zhiguo.registry.industries import category_for, normalise_industry_code
from zhiguo.registry.schemas import EnterpriseStatus, OwnershipRecord

DISTRICTS = {f"4403{n:02d}" for n in range(3, 12)}  # 罗湖 … 光明


@pytest.fixture(scope="module")
def small_world() -> World:
    return generate_world("S")


@pytest.fixture(scope="module")
def medium_world() -> World:
    return generate_world("M", seed=7)


def _active(edge: OwnershipRecord, on: date) -> bool:
    return edge.valid_from <= on and (edge.valid_to is None or on < edge.valid_to)


def _controlling_parent(edges: list[OwnershipRecord], on: date) -> str | None:
    parents = [e.parent_uscc for e in edges if e.controlling and _active(e, on)]
    assert len(parents) <= 1
    return parents[0] if parents else None


def assert_valid_world(world: World) -> None:
    """Every invariant the registry importer relies on, checked independently of the code."""
    ents = world.enterprises
    usccs = [e.uscc for e in ents]
    assert all(validate_uscc(u) == u for u in usccs)
    assert len(set(usccs)) == len(usccs)
    for attr, prefix in (("name_zh", "示例"), ("name_en", "Demo ")):
        names = [getattr(e, attr) for e in ents]
        assert len(set(names)) == len(names), Counter(names).most_common(3)
        assert all(n.startswith(prefix) for n in names)
    for e in ents:
        assert normalise_industry_code(e.industry_code) == e.industry_code
        assert len(e.industry_code) == 5
        assert e.industry_category == category_for(e.industry_code).value
        assert e.region_code in DISTRICTS

    index = {u: i for i, u in enumerate(usccs)}
    edges_of: dict[str, list[OwnershipRecord]] = defaultdict(list)
    keys = set()
    for o in world.ownership:
        assert o.parent_uscc in index and o.child_uscc in index
        assert index[o.parent_uscc] < index[o.child_uscc], "parents precede children"
        assert Decimal(0) < o.share_pct <= Decimal(100)
        exponent = o.share_pct.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -4
        assert date(2005, 1, 1) <= o.valid_from < AS_OF
        assert o.valid_to is None or o.valid_from < o.valid_to <= AS_OF
        key = (o.parent_uscc, o.child_uscc, o.valid_from)
        assert key not in keys
        keys.add(key)
        edges_of[o.child_uscc].append(o)

    for edges in edges_of.values():
        for day in {e.valid_from for e in edges}:  # the total only rises where an edge starts
            live = [e for e in edges if _active(e, day)]
            assert sum(e.share_pct for e in live) <= Decimal(100)
            assert sum(e.controlling for e in live) <= 1
        by_parent: dict[str, list[OwnershipRecord]] = defaultdict(list)
        for e in edges:
            by_parent[e.parent_uscc].append(e)
        for pair in by_parent.values():
            pair.sort(key=lambda e: e.valid_from)
            for before, after in pairwise(pair):
                assert before.valid_to is not None and before.valid_to <= after.valid_from

    # No cycle on any date: the union of all edges over all time is already acyclic (Kahn).
    indegree = Counter(o.child_uscc for o in world.ownership)
    children: dict[str, list[str]] = defaultdict(list)
    for o in world.ownership:
        children[o.parent_uscc].append(o.child_uscc)
    ready = [u for u in usccs if indegree[u] == 0]
    seen = 0
    while ready:
        u = ready.pop()
        seen += 1
        for c in children[u]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    assert seen == len(usccs)

    # Groups: no parent edge at all, level 1, a supervision class and a state share.
    groups = set(world.groups)
    assert len(groups) == len(world.groups)
    assert usccs[: len(groups)] == world.groups
    assert {u for u in usccs if u not in edges_of} == groups
    first_start = {
        child: min(e.valid_from for e in edges if e.controlling)
        for child, edges in edges_of.items()
    }
    level = {}
    for e in ents:
        if e.uscc in groups:
            assert e.level == 1 and e.supervision_class is not None
            assert e.state_share_pct is not None and e.state_share_pct <= Decimal(100)
            level[e.uscc] = 1
            continue
        assert e.supervision_class is None and e.state_share_pct is None
        parent = _controlling_parent(edges_of[e.uscc], AS_OF)
        assert parent is not None, f"{e.name_zh} has no controlling parent on {AS_OF}"
        level[e.uscc] = level[parent] + 1
        assert e.level == level[e.uscc]
        for edge in edges_of[e.uscc]:
            if edge.parent_uscc not in groups:
                assert edge.valid_from >= first_start[edge.parent_uscc]


def test_same_seed_gives_the_same_world(small_world: World) -> None:
    again = generate_world("S")
    assert again == small_world
    assert again.enterprises == small_world.enterprises
    assert again.ownership == small_world.ownership


def test_another_seed_gives_another_world(small_world: World) -> None:
    other = generate_world("S", seed=small_world.seed + 1)
    assert other.seed != small_world.seed
    assert [e.name_zh for e in other.enterprises] != [e.name_zh for e in small_world.enterprises]
    assert other.ownership != small_world.ownership


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(InputError):
        generate_world("XL")


def test_small_world_size_and_shape(small_world: World) -> None:
    assert small_world.scale == "S"
    assert abs(len(small_world.enterprises) - SCALES["S"]) <= SCALES["S"] * 0.1
    assert max(e.level or 0 for e in small_world.enterprises) == 4
    group_of: dict[str, str] = {u: u for u in small_world.groups}
    current = {
        o.child_uscc: o.parent_uscc
        for o in small_world.ownership
        if o.controlling and _active(o, AS_OF)
    }
    for e in small_world.enterprises:  # parents come first, so their group is known
        if e.uscc not in group_of:
            group_of[e.uscc] = group_of[current[e.uscc]]
    sizes = Counter(group_of.values())
    assert all(10 <= n <= 160 for n in sizes.values()), sorted(sizes.values())
    assert max(sizes.values()) >= 5 * min(sizes.values()), "a few big groups, many small"


def test_small_world_is_valid(small_world: World) -> None:
    assert_valid_world(small_world)


def test_medium_world_size_and_validity(medium_world: World) -> None:
    assert abs(len(medium_world.enterprises) - SCALES["M"]) <= SCALES["M"] * 0.1
    assert max(e.level or 0 for e in medium_world.enterprises) == 5
    assert_valid_world(medium_world)


def test_large_world_size_and_validity() -> None:
    world = generate_world("L")
    assert abs(len(world.enterprises) - SCALES["L"]) <= SCALES["L"] * 0.1
    assert len(world.groups) == 30
    assert_valid_world(world)


def test_realism_ratios(small_world: World) -> None:
    ents = small_world.enterprises
    n = len(ents)
    listed = [e for e in ents if e.is_listed]
    assert 0.01 * n <= len(listed) <= 0.04 * n
    assert sum(e.level == 2 for e in listed) > len(listed) / 2
    closed = Counter(e.status for e in ents if e.status != EnterpriseStatus.ACTIVE)
    assert closed[EnterpriseStatus.DEREGISTERED] > 0 and closed[EnterpriseStatus.SUSPENDED] > 0
    assert 0.005 * n <= sum(closed.values()) <= 0.03 * n
    shares = Counter(o.share_pct == 100 for o in small_world.ownership if o.controlling)
    assert shares[True] > 0 and shares[False] > 0
    assert all(o.share_pct >= 51 for o in small_world.ownership if o.controlling), (
        "controlling stakes are majority stakes"
    )


def test_time_changed_and_minority_edges_exist(small_world: World) -> None:
    own = small_world.ownership
    starts = {(o.child_uscc, o.valid_from) for o in own if o.controlling}
    ended = [o for o in own if o.valid_to is not None]
    assert ended, "some controlling stake changed hands"
    assert all(o.controlling and (o.child_uscc, o.valid_to) in starts for o in ended)
    minority = [o for o in own if not o.controlling]
    assert len(minority) >= 0.02 * len(small_world.enterprises)
    groups = set(small_world.groups)
    assert all(o.parent_uscc in groups for o in minority)


def test_sector_variety(small_world: World) -> None:
    by_uscc = {e.uscc: e for e in small_world.enterprises}
    groups = [by_uscc[u] for u in small_world.groups]
    assert len(groups) >= 25
    assert {g.industry_category for g in groups} >= {
        "industrial",
        "non_industrial",
        "finance",
        "research_tech",
    }
    assert {g.supervision_class for g in groups} == {
        "commercial_1",
        "commercial_2",
        "public_welfare",
    }
    assert any(g.name_zh == "示例市水务集团有限公司" for g in groups)
