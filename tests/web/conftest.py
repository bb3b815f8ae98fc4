"""The web app over the small known registry of ``zhiguo.testing``, with one user per kind
of caller, so web tests read as facts about callers the reader can name:

==========  ===================  ==========  =========================================
user        role                 enterprise  sees (as of today)
==========  ===================  ==========  =========================================
analyst     regulator-analyst    —           all eight
admin       platform-admin       —           all eight
off_g1      enterprise-officer   G1          G1, A1, A11, A12, A2
off_a1      enterprise-officer   A1          A1, A11, A12 (B1 is only a 30 % stake)
off_g2      enterprise-officer   G2          G2, B1, B11
gone        enterprise-officer   G1          nothing: disabled after opening a session
==========  ===================  ==========  =========================================
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from zhiguo.core import (
    Role,
    Settings,
    Workspace,
    create_db_engine,
    make_sessionmaker,
    session_scope,
)
from zhiguo.registry import load_records
from zhiguo.security import add_user, disable_user, login
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.web.app import create_app
from zhiguo.web.deps import SESSION_COOKIE


@dataclass(frozen=True)
class WebUser:
    """A test user: ``enterprise`` is a key of ``SAMPLE`` (``"G1"``) or ``None``."""

    username: str
    role: Role
    enterprise: str | None
    password: str
    disabled: bool = False

    @property
    def enterprise_uscc(self) -> str | None:
        return SAMPLE[self.enterprise] if self.enterprise else None


USERS: dict[str, WebUser] = {
    u.username: u
    for u in (
        WebUser("analyst", Role.REGULATOR_ANALYST, None, "Analyst-Pass-2024!"),
        WebUser("admin", Role.PLATFORM_ADMIN, None, "Admin-Pass-2024!"),
        WebUser("off_g1", Role.ENTERPRISE_OFFICER, "G1", "OfficerG1-Pass-2024!"),
        WebUser("off_a1", Role.ENTERPRISE_OFFICER, "A1", "OfficerA1-Pass-2024!"),
        WebUser("off_g2", Role.ENTERPRISE_OFFICER, "G2", "OfficerG2-Pass-2024!"),
        WebUser("gone", Role.ENTERPRISE_OFFICER, "G1", "Gone-Pass-2024!", disabled=True),
    )
}


@dataclass
class AppWorld:
    """The app over the sample registry, and clients for each user."""

    app: FastAPI
    settings: Settings
    users: dict[str, WebUser]
    stale_token: str  # a session ``gone`` opened before being disabled
    _clients: list[TestClient] = field(default_factory=list)

    def client(self, username: str | None = None) -> TestClient:
        """A client logged in as ``username`` through ``POST /api/auth/login``
        (``None``: anonymous). Redirects are not followed, so tests see them."""
        client = TestClient(self.app, follow_redirects=False)
        self._clients.append(client)
        if username is not None:
            user = self.users[username]
            response = client.post(
                "/api/auth/login", json={"username": user.username, "password": user.password}
            )
            assert response.status_code == 200, response.text
        return client

    def stale_client(self) -> TestClient:
        """A client still holding the session cookie of the since-disabled user ``gone``."""
        client = self.client(None)
        client.cookies.set(SESSION_COOKIE, self.stale_token)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.app.state.engine.dispose()


@pytest.fixture
def app_world(workspace: Workspace) -> Iterator[AppWorld]:
    """The app over the sample registry with the users of ``USERS`` (passwords known)."""
    engine = create_db_engine(workspace.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            enterprises, ownership = sample_records()
            load_records(session=session, enterprises=enterprises, ownership=ownership)
            for user in USERS.values():
                add_user(
                    session=session,
                    username=user.username,
                    role=user.role,
                    enterprise_uscc=user.enterprise_uscc,
                    password=user.password,
                    must_change_password=False,
                )
            stale_token, _principal = login(
                session=session,
                username="gone",
                password=USERS["gone"].password,
                settings=workspace.settings.security,
            )
            for user in USERS.values():
                if user.disabled:
                    disable_user(session=session, username=user.username)
    finally:
        engine.dispose()
    world = AppWorld(
        app=create_app(workspace.settings),
        settings=workspace.settings,
        users=dict(USERS),
        stale_token=stale_token,
    )
    try:
        yield world
    finally:
        world.close()
