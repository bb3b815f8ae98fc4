"""Default deny for routes, and the per-request read audit, end to end through the app.

A route that declares no policy answers 403 ZG-SEC-104 to everyone; every route the app
serves declares one (a new route without one fails here). A request that reads 重要 data
writes one ``data.read`` event; one that reads personal fields unmasked, ``data.unmask``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from zhiguo.core import Role, Workspace, create_db_engine, make_sessionmaker, session_scope
from zhiguo.datacenter.catalog import DatasetRegistry
from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.datacenter.lake import LakeTable, scoped_snapshot
from zhiguo.registry import load_records
from zhiguo.security import User, add_user, login
from zhiguo.security.audit import AuditRecord
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.web.app import create_app, route_table
from zhiguo.web.deps import SESSION_COOKIE, ScopeDep
from zhiguo.web.policy import AUTHENTICATED, policy_table

PASSWORD = "Officer-Pass-2024!"


@pytest.fixture
def policy_app(workspace: Workspace, registry: DatasetRegistry) -> Iterator[dict[str, Any]]:
    """The app, an enterprise officer of G1 logged in, and two test routes reading the lake."""
    engine = create_db_engine(workspace.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        enterprises, ownership = sample_records()
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        add_user(
            session=session,
            username="off_g1",
            role=Role.ENTERPRISE_OFFICER,
            enterprise_uscc=SAMPLE["G1"],
            password=PASSWORD,
            must_change_password=False,
        )
        token, principal = login(
            session=session,
            username="off_g1",
            password=PASSWORD,
            settings=workspace.settings.security,
        )
    engine.dispose()
    lake = workspace.root / "lake"
    for name in ("t_important", "t_people"):
        spec = registry.get(name)
        ids = [principal.enterprise_id or 0, -1]
        data = {
            "enterprise_id": ids,
            "amount": [1.0, 2.0],
            "legal_rep": ["张三丰", "李四"],
            "id_card": ["11010519491231002X", "110105194912310011"],
            "mobile": ["13800138000", "13912345678"],
        }
        LakeTable(lake, spec).commit(
            pa.table({c.name: data[c.name] for c in spec.columns}, schema=spec.arrow_schema)
        )
    app = create_app(workspace.settings)

    @app.get("/test/read/{name}", dependencies=[AUTHENTICATED])
    def read(name: str, scope: ScopeDep) -> list[dict[str, Any]]:
        relation = scoped_snapshot(LakeTable(lake, registry.get(name)), scope)
        result = DuckDBEngine().query("SELECT * FROM t", tables={"t": relation})
        return result.to_pylist()

    @app.get("/test/undeclared")
    def undeclared() -> dict[str, str]:
        return {"leak": "secret"}

    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, token)
    yield {"app": app, "client": client, "user_id": principal.user_id}
    client.close()
    app.state.engine.dispose()


def _events(app: FastAPI, event_type: str) -> list[AuditRecord]:
    with app.state.sessionmaker() as session:
        return list(
            session.scalars(select(AuditRecord).where(AuditRecord.event_type == event_type))
        )


def test_every_route_declares_a_policy(workspace: Workspace) -> None:
    app = create_app(workspace.settings)
    try:
        table = policy_table(app)
        undeclared = [(r["methods"], r["path"]) for r in table if not r["policies"]]
        assert undeclared == []
        # the policy table covers every API route the authorization tests enumerate
        api_paths = {r["path"] for r in table}
        assert {r["path"] for r in route_table(app)} - api_paths <= {"/api/openapi.json", "/static"}
    finally:
        app.state.engine.dispose()


def test_route_without_policy_is_denied(policy_app: dict[str, Any]) -> None:
    response = policy_app["client"].get("/test/undeclared")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "ZG-SEC-104"
    assert "secret" not in response.text
    anonymous = TestClient(policy_app["app"]).get("/test/undeclared")
    assert anonymous.status_code == 403


def test_reading_important_data_is_audited_once_per_request(policy_app: dict[str, Any]) -> None:
    response = policy_app["client"].get("/test/read/t_important")
    assert response.status_code == 200
    assert [r["enterprise_id"] for r in response.json()] != [-1]  # only its own subtree
    assert all(r["enterprise_id"] != -1 for r in response.json())
    events = _events(policy_app["app"], "data.read")
    assert len(events) == 1
    assert events[0].object == "t_important" and events[0].username == "off_g1"
    assert _events(policy_app["app"], "data.unmask") == []


def test_personal_fields_masked_then_unmask_is_audited(policy_app: dict[str, Any]) -> None:
    client, app = policy_app["client"], policy_app["app"]
    masked = client.get("/test/read/t_people").json()
    assert masked[0]["id_card"] == "1***************2X"
    assert _events(app, "data.unmask") == []
    with app.state.sessionmaker() as session:
        session.execute(update(User).where(User.username == "off_g1").values(can_unmask=True))
        session.commit()
    plain = client.get("/test/read/t_people").json()
    assert plain[0]["id_card"] == "11010519491231002X"
    events = _events(app, "data.unmask")
    assert [(e.object, e.username) for e in events] == [("t_people", "off_g1")]


def test_clearance_denial_is_audited(policy_app: dict[str, Any], registry: DatasetRegistry) -> None:
    response = policy_app["client"].get("/test/read/t_core")
    # t_core has no lake table in this workspace, but the decision comes first
    assert response.status_code == 403
    assert response.json()["code"] == "ZG-SEC-100"
    denied = _events(policy_app["app"], "access.denied")
    assert [(e.object, e.result) for e in denied] == [("dataset:t_core", "denied")]
