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

``analyst`` and ``admin`` hold roles that need a second factor: they are enrolled here and
:meth:`AppWorld.client` logs them in with a computed TOTP code. Every client it returns
carries the session's CSRF token (``X-CSRF-Token``), as a page's htmx requests do. The
per-address login limits are raised: every test client comes from the same address.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from zhiguo.core import (
    Role,
    Settings,
    Workspace,
    create_db_engine,
    make_sessionmaker,
    session_scope,
)
from zhiguo.registry import load_records
from zhiguo.security import User, add_user, disable_user, login
from zhiguo.security.totp import code_at, generate_secret
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.web.app import create_app
from zhiguo.web.deps import CSRF_HEADER, SESSION_COOKIE


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
    totp_secrets: dict[str, str] = field(default_factory=dict)  # username → enrolled secret
    _clients: list[TestClient] = field(default_factory=list)

    def client(self, username: str | None = None) -> TestClient:
        """A client logged in as ``username`` through ``POST /api/auth/login``
        (``None``: anonymous). Redirects are not followed, so tests see them."""
        client = TestClient(self.app, follow_redirects=False)
        self._clients.append(client)
        if username is not None:
            user = self.users[username]
            if user.role.value in self.settings.security.mfa_required_roles:
                self.enrol_totp(user.username)
            response = self.log_in(client, user.username, user.password)
            assert response.status_code == 200, response.text
        return client

    def log_in(self, client: TestClient, username: str, password: str) -> Any:
        """Log ``client`` in (with a TOTP code when the user is enrolled here) and make it
        send the session's CSRF token from then on; returns the login response."""
        body = {"username": username, "password": password}
        secret = self.totp_secrets.get(username)
        if secret:
            # A code is good once (replay protection) and tests log in many times per 30 s.
            self.forget_totp_step(username)
            body["totp"] = code_at(secret, time.time())
        response = client.post("/api/auth/login", json=body)
        if CSRF_HEADER in response.headers:
            client.headers[CSRF_HEADER] = response.headers[CSRF_HEADER]
        return response

    def enrol_totp(self, username: str) -> str:
        """Give ``username`` a confirmed second factor, unless it has one (as a user does
        once at ``/account/totp``); returns the secret."""
        if username not in self.totp_secrets:
            secret = generate_secret()
            with self.app.state.sessionmaker() as session:
                session.execute(
                    update(User)
                    .where(User.username == username)
                    .values(totp_secret=secret, totp_enrolled_at=datetime.now(UTC))
                )
                session.commit()
            self.totp_secrets[username] = secret
        return self.totp_secrets[username]

    def forget_totp_step(self, username: str) -> None:
        with self.app.state.sessionmaker() as session:
            session.execute(
                update(User).where(User.username == username).values(totp_last_step=None)
            )
            session.commit()

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
    security = workspace.settings.security.model_copy(
        update={"login_rate_per_minute": 100_000, "address_failure_threshold": 100_000}
    )
    settings = workspace.settings.model_copy(update={"security": security})
    secrets: dict[str, str] = {}
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
            for user in USERS.values():
                if user.role.value in security.mfa_required_roles:
                    row = session.scalar(select(User).where(User.username == user.username))
                    assert row is not None
                    row.totp_secret = secrets[user.username] = generate_secret()
                    row.totp_enrolled_at = datetime.now(UTC)
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
        app=create_app(settings),
        settings=settings,
        users=dict(USERS),
        stale_token=stale_token,
        totp_secrets=secrets,
    )
    try:
        yield world
    finally:
        world.close()
