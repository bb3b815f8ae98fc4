"""The rectification loop in a real browser: a regulator opens the cockpit and the alert inbox,
dispatches a warning the demo data raised to an enterprise officer with a due date; the
officer (who sees only their own group's warnings) responds with an explanation and an
uploaded plan; the regulator verifies and closes it — status and history checked at each step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import case, select

from zhiguo.core import Scope, create_db_engine, make_sessionmaker, session_scope
from zhiguo.registry import get_enterprise, subtree_ids
from zhiguo.supervision.alerts import run_alerts
from zhiguo.supervision.cockpit import latest_period
from zhiguo.supervision.models import Alert

pytestmark = pytest.mark.browser

PLAN = b"%PDF-1.4\n% rectification plan (demo)\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass(frozen=True)
class LoopCase:
    alert_id: int
    severity: str
    officer_ids: frozenset[int]  # the enterprises officer1 may see


@pytest.fixture(scope="module")
def loop_case(live_demo: Any) -> Iterator[LoopCase]:
    """Alerts for the demo's last period (run here if the demo build has not run them), and
    the gravest raised alert inside officer1's group."""
    settings = live_demo.demo.workspace.settings
    engine = create_db_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            if session.scalar(select(Alert.id).limit(1)) is None:
                run_alerts(
                    session=session, lake_root=settings.workspace / "lake",
                    engine_settings=settings.engine, period=_last_period(live_demo),
                    actor="e2e", scope=Scope.everything(), ingest_settings=settings.ingest,
                )  # fmt: skip
            group = get_enterprise(
                session=session,
                scope=Scope.everything(),
                uscc=live_demo.user("officer1").enterprise,
            )
            mine = subtree_ids(session=session, root_id=group.id)
            grave = case({"red": 0, "orange": 1, "yellow": 2}, value=Alert.severity, else_=3)
            alert = session.scalars(
                select(Alert)
                .where(Alert.enterprise_id.in_(sorted(mine)), Alert.status == "raised")
                .order_by(grave, Alert.id)
            ).first()
            assert alert is not None, "the demo raised no alert in officer1's group"
            found = LoopCase(alert.id, alert.severity, frozenset(mine))
    finally:
        engine.dispose()
    yield found


def _last_period(live_demo: Any) -> str:
    settings = live_demo.demo.workspace.settings
    period = latest_period(
        lake_root=settings.workspace / "lake",
        engine_settings=settings.engine,
        scope=Scope.everything(),
    )
    assert period is not None
    return period


def _status(page: Any) -> str:
    return str(page.get_by_test_id("alert-status").get_attribute("data-status"))


def _history(page: Any) -> list[str]:
    items = page.locator('[data-testid="history"] > li')
    return [str(items.nth(i).get_attribute("data-action")) for i in range(items.count())]


def _wait_status(page: Any, status: str) -> None:
    page.wait_for_selector(f'[data-testid="alert-status"][data-status="{status}"]')


def _log_out(page: Any) -> None:
    page.locator('form[action="/logout"] button').click()
    page.wait_for_url("**/login**")


def _shot(page: Any, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000, f"{path} is only {path.stat().st_size} bytes"
    return path  # docs/ holds copies for the README (copied by hand, like the tour's)


def test_a_warning_goes_round_the_rectification_loop(
    watched_page: Any, live_demo: Any, loop_case: LoopCase, e2e_artifacts: Path
) -> None:
    page = watched_page.page
    detail = f"/supervision/alerts/{loop_case.alert_id}"

    # the regulator: cockpit, inbox, the warning
    watched_page.log_in("analyst")
    page.goto("/supervision")
    for kind in ("severity", "status", "trend"):
        page.wait_for_selector(f'[data-chart-kind="{kind}"][data-ready="true"]')
    assert page.get_by_test_id("kpi-debt_ratio").is_visible()
    assert int(page.get_by_test_id("alert-total").inner_text()) > 0
    assert page.locator('[data-testid="groups"] tbody tr').count() == len(
        live_demo.demo.world.groups
    )
    _shot(page, e2e_artifacts, "tour-cockpit.png")

    page.goto("/supervision/alerts")
    assert page.locator('[data-testid="alerts"] tbody tr').count() > 0
    page.select_option('[data-testid="alert-filter"] select[name="severity"]', loop_case.severity)
    page.select_option('[data-testid="alert-filter"] select[name="status"]', "raised")
    page.locator('[data-testid="alert-filter"] button[type="submit"]').click()
    page.wait_for_url(f"**severity={loop_case.severity}**")
    shown = page.locator('[data-testid="alerts"] tbody tr')
    assert all(shown.nth(i).get_attribute("data-status") == "raised" for i in range(shown.count()))
    row = page.locator(f'tr[data-alert-id="{loop_case.alert_id}"] a[data-testid="alert-link"]')
    if row.count():
        row.click()
        page.wait_for_url(f"**{detail}")
    else:  # further down the list than the first page
        page.goto(detail)
    assert _status(page) == "raised"
    # raised in an earlier period; the demo's later runs may have seen it again
    before = _history(page)
    assert before[0] == "raise" and set(before[1:]) <= {"refresh", "escalate"}

    officer = live_demo.user("officer1")
    due = (date.today() + timedelta(days=14)).isoformat()
    form = page.get_by_test_id("form-dispatch")
    option = form.locator(f'select[name="assignee_id"] option[data-username="{officer.username}"]')
    form.locator('select[name="assignee_id"]').select_option(option.get_attribute("value"))
    form.locator('input[name="due_date"]').fill(due)
    form.locator('textarea[name="text"]').fill("请于两周内提交资产负债率压降方案。")
    form.locator('button[type="submit"]').click()
    _wait_status(page, "dispatched")
    assert _history(page) == [*before, "dispatch"]
    assert page.get_by_test_id("alert-assignee").inner_text() == officer.username
    assert page.get_by_test_id("alert-due").inner_text() == due
    assert page.get_by_test_id("form-respond").count() == 0  # not the regulator's step
    _log_out(page)

    # the enterprise officer: only their own warnings; respond with a plan
    watched_page.log_in("officer1")
    page.goto("/supervision/alerts")
    rows = page.locator('[data-testid="alerts"] tbody tr')
    assert rows.count() > 0
    enterprises = {
        int(rows.nth(i).get_attribute("data-enterprise-id")) for i in range(rows.count())
    }
    assert enterprises <= loop_case.officer_ids
    page.goto(detail)
    assert _status(page) == "dispatched"
    assert page.get_by_test_id("form-dispatch").count() == 0
    form = page.get_by_test_id("form-respond")
    form.locator('textarea[name="text"]').fill("已制定压降方案：本季度偿还短期借款 2 亿元。")
    form.locator('input[name="plan"]').set_input_files(
        {"name": "整改方案.pdf", "mimeType": "application/pdf", "buffer": PLAN}
    )
    form.locator('button[type="submit"]').click()
    _wait_status(page, "responded")
    assert _history(page) == [*before, "dispatch", "respond"]
    link = page.get_by_test_id("attachment")
    assert link.inner_text() == "整改方案.pdf"
    download = page.request.get(str(link.get_attribute("href")))
    assert download.status == 200 and download.body() == PLAN
    _log_out(page)

    # the regulator verifies and closes
    watched_page.log_in("analyst")
    page.goto(detail)
    assert _status(page) == "responded"
    form = page.get_by_test_id("form-close")
    form.locator('textarea[name="text"]').fill("已核查还款凭证，负债率回落，同意销号。")
    form.locator('button[type="submit"]').click()
    _wait_status(page, "closed")
    assert _history(page) == [*before, "dispatch", "respond", "close"]
    assert page.get_by_test_id("no-actions").is_visible()
    _shot(page, e2e_artifacts, "tour-alert.png")

    assert watched_page.off_host_requests() == []
    assert watched_page.console_errors == []
