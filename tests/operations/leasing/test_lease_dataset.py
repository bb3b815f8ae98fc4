"""``operations.leases`` in the lake: the whole table per version, read within scope."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from leasing_fixtures import carrier, enterprise_id, lease_in_state, officer
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.operations.leasing import publish_leases


def _rows(lake: Path, scope: Scope) -> list[dict[str, object]]:
    data = scoped_snapshot(open_table(lake, "operations.leases"), scope).data
    table = data if isinstance(data, pa.Table) else data.to_table()
    return sorted(table.to_pylist(), key=lambda r: int(str(r["lease_id"])))


def test_published_leases_are_read_within_scope(sample_session: Session, tmp_path: Path) -> None:
    s = sample_session
    a = lease_in_state(s, "active", owner="A1")
    b = lease_in_state(s, "survey", owner="B11", who=carrier("cbn"))
    lake = tmp_path / "lake"
    first = publish_leases(session=s, lake_root=lake, actor="test")
    everything = _rows(lake, Scope.everything())
    assert [(r["lease_id"], r["state"], r["carrier"]) for r in everything] == [
        (a, "active", "mobile"),
        (b, "survey", "cbn"),
    ]
    assert everything[0]["rent_cny_year"] == 36500.0
    assert everything[0]["enterprise_id"] == enterprise_id(s, "A1")
    g2 = _rows(lake, officer(s, "G2").scope)
    assert [r["lease_id"] for r in g2] == [b]
    assert _rows(lake, Scope.nothing()) == []
    lease_in_state(s, "request", owner="A2")
    assert publish_leases(session=s, lake_root=lake, actor="test") == first + 1
    assert len(_rows(lake, Scope.everything())) == 3
