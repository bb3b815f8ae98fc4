"""End-to-end fixtures: the demo world served by uvicorn on a loopback port, and a headless
Chromium page that records every request and console error.

The server and the browser start once per module (SQLite only: the browser tests what the
user sees, the backends are covered by ``tests/web``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from live_server import CHROMIUM_ARGS, LOOPBACK, serve
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from zhiguo.demo import DemoResult, DemoUser, build_demo
from zhiguo.web.app import create_app


def _root_conftest(config: pytest.Config) -> ModuleType:
    """``tests/conftest.py`` as pytest loaded it (``import conftest`` would be ambiguous)."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, ModuleType) and Path(plugin.__file__ or "").resolve() == path:
            return plugin
    raise LookupError(f"{path} is not loaded")


@pytest.fixture(scope="session")
def chromium_path(pytestconfig: pytest.Config) -> str:
    path: str = _root_conftest(pytestconfig).CHROMIUM
    return path


@pytest.fixture(scope="session")
def e2e_artifacts(pytestconfig: pytest.Config) -> Path:
    """Where screenshots go (``test-artifacts/e2e``), kept after the run for people to see."""
    folder: Path = _root_conftest(pytestconfig).ARTIFACTS / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class LiveDemo:
    """The demo world behind a real HTTP server."""

    url: str
    demo: DemoResult

    def user(self, username: str) -> DemoUser:
        return next(u for u in self.demo.users if u.username == username)

    def name_of(self, uscc: str) -> str:
        return next(e.name_zh for e in self.demo.world.enterprises if e.uscc == uscc)


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The scale-S demo world served by uvicorn on a free loopback port, in a thread."""
    # Tour mode (--demo-insecure-logins): the browser logs in with the printed passwords,
    # without the first-login change and the second factor (test_first_login.py does those).
    demo = build_demo(tmp_path_factory.mktemp("e2e") / "demo", scale="S", insecure_logins=True)
    with serve(create_app(demo.workspace.settings)) as url:
        yield LiveDemo(url=url, demo=demo)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class WatchedPage:
    """A page on the live demo, with every request URL and console error it produced."""

    page: Page
    live: LiveDemo
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def log_in(self, username: str) -> None:
        """Log in through the form, as a person would."""
        user = self.live.user(username)
        self.page.goto("/login")
        self.page.fill('input[name="username"]', user.username)
        self.page.fill('input[name="password"]', user.password)
        self.page.click('button[type="submit"]')
        self.page.wait_for_url(f"{self.live.url}/")

    def off_host_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and urlsplit(url).hostname not in {LOOPBACK, "localhost", "::1"}
        ]


def _record_console(errors: list[str]) -> Any:
    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    return on_console


@pytest.fixture
def open_page(browser: Browser, live_demo: LiveDemo) -> Iterator[Callable[[], WatchedPage]]:
    """Opens watched pages, each in a fresh browser context (no cookies); all closed after."""
    contexts: list[BrowserContext] = []

    def opener() -> WatchedPage:
        context = browser.new_context(
            base_url=live_demo.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        context.set_default_timeout(20_000)
        page = context.new_page()
        watched = WatchedPage(page=page, live=live_demo)
        page.on("request", lambda request: watched.requests.append(request.url))
        page.on("console", _record_console(watched.console_errors))
        page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
        return watched

    try:
        yield opener
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def watched_page(open_page: Callable[[], WatchedPage]) -> WatchedPage:
    return open_page()
