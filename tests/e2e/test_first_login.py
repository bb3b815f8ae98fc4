"""The secure first login in Chromium, as a new regulator analyst meets it (等保 身份鉴别):
the initial password must be changed, then a TOTP app enrolled from the QR page, and from
then on every login needs a fresh code — the forms carry their CSRF tokens throughout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM_ARGS, serve
from playwright.sync_api import Browser, Page, sync_playwright

from zhiguo.core import Role, init_workspace, session_scope
from zhiguo.core.db import create_db_engine, make_sessionmaker, migrate
from zhiguo.registry import load_records
from zhiguo.security import add_user
from zhiguo.security.totp import code_at
from zhiguo.testing import sample_records
from zhiguo.web.app import create_app

INITIAL = "Initial-Pass-2024!"
CHOSEN = "Chosen-Pass-2025!x"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh workspace with one analyst holding an initial password, served live."""
    workspace = init_workspace(tmp_path_factory.mktemp("first-login") / "ws")
    engine = create_db_engine(workspace.settings)
    migrate(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        enterprises, ownership = sample_records()
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        add_user(
            session=session,
            username="chief",
            role=Role.REGULATOR_ANALYST,
            password=INITIAL,
            must_change_password=True,
        )
    engine.dispose()
    with serve(create_app(workspace.settings)) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _log_in(page: Page, password: str, code: str = "") -> None:
    page.goto("/login")
    page.fill('input[name="username"]', "chief")
    page.fill('input[name="password"]', password)
    if code:
        page.fill('input[name="totp"]', code)
    page.click('form:has(input[name="username"]) button[type="submit"]')


def _fresh_code(secret: str, used: set[str]) -> str:
    """The current code, waiting for the next 30 s step if this one was used already
    (a used code is refused: replay protection)."""
    while (code := code_at(secret, time.time())) in used:
        time.sleep(1)
    used.add(code)
    return code


def test_first_login_changes_the_password_then_enrols_a_second_factor(
    chromium: Browser, site: str, e2e_artifacts: Path
) -> None:
    context = chromium.new_context(base_url=site, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _log_in(page, INITIAL)
    page.wait_for_url(f"{site}/account/password")
    page.goto("/enterprises")  # nothing else is reachable before the change
    page.wait_for_url(f"{site}/account/password")
    page.fill('input[name="current_password"]', INITIAL)
    page.fill('input[name="new_password"]', CHOSEN)
    page.click('form:has(input[name="new_password"]) button[type="submit"]')

    page.wait_for_url(f"{site}/account/totp")
    assert page.locator('[data-testid="totp-qr"] svg').count() == 1  # QR drawn locally
    secret = page.locator('[data-testid="totp-secret"]').inner_text().strip()
    used: set[str] = set()
    page.fill('input[name="code"]', _fresh_code(secret, used))
    page.click('form:has(input[name="code"]) button[type="submit"]')
    page.wait_for_url(f"{site}/")
    page.screenshot(path=str(e2e_artifacts / "first-login-done.png"))

    # a new browser: the chosen password alone is no longer enough
    context.clear_cookies()
    _log_in(page, CHOSEN)
    page.wait_for_url(f"{site}/login")
    assert page.locator('input[name="totp"]').count() == 1
    _log_in(page, CHOSEN, _fresh_code(secret, used))
    page.wait_for_url(f"{site}/")
    page.goto("/enterprises")
    page.wait_for_url(f"{site}/enterprises")
    assert errors == []
    context.close()
