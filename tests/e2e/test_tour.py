"""The tour a person takes: log in, see the portfolio and its tree, open a group — in a real
browser against a real server, with nothing loaded from outside the machine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TREE_READY = '#tree[data-tree-ready="true"]'


def _count(page: Any, test_id: str) -> int:
    return int(page.get_by_test_id(test_id).inner_text().strip())


def _assert_local_and_quiet(watched: Any, allowed_errors: str | None = None) -> None:
    assert watched.requests, "no request was recorded"
    assert watched.off_host_requests() == []
    errors = [
        e for e in watched.console_errors if not (allowed_errors and re.search(allowed_errors, e))
    ]
    assert errors == []


def _assert_picture(path: Path) -> None:
    assert path.is_file()
    assert path.stat().st_size > 20_000, f"{path} is only {path.stat().st_size} bytes"


def test_the_analyst_tour(watched_page: Any, live_demo: Any, e2e_artifacts: Path) -> None:
    page = watched_page.page
    page.goto("/")
    assert page.url.startswith(f"{live_demo.url}/login?next=/")
    watched_page.log_in("analyst")

    assert _count(page, "kpi-entities") == len(live_demo.demo.world.enterprises)
    assert _count(page, "kpi-groups") == len(live_demo.demo.world.groups)
    page.wait_for_selector(TREE_READY)
    assert int(page.get_attribute("#tree", "data-nodes") or 0) > 30
    group_links = page.locator('#group-list a[href^="/enterprises/"]')
    group_links.first.wait_for()  # the group list is loaded by htmx
    assert group_links.count() == len(live_demo.demo.world.groups)
    home_shot = e2e_artifacts / "tour-home.png"
    page.screenshot(path=str(home_shot), full_page=True)

    href = group_links.first.get_attribute("href") or ""
    group_name = group_links.first.inner_text().strip()
    group_links.first.click()
    page.wait_for_url(f"{live_demo.url}{href}")
    assert page.get_by_test_id("enterprise-name").inner_text().strip() == group_name
    assert page.get_by_test_id("uscc").inner_text().strip() == href.rsplit("/", 1)[1]
    page.wait_for_selector(TREE_READY)
    assert int(page.get_attribute("#tree", "data-nodes") or 0) > 1
    enterprise_shot = e2e_artifacts / "tour-enterprise.png"
    page.screenshot(path=str(enterprise_shot), full_page=True)

    _assert_picture(home_shot)
    _assert_picture(enterprise_shot)
    assert any("/static/vendor/echarts.min.js" in url for url in watched_page.requests)
    assert any("/static/vendor/htmx.min.js" in url for url in watched_page.requests)
    _assert_local_and_quiet(watched_page)


def test_an_officer_sees_only_their_group(
    watched_page: Any, open_page: Any, live_demo: Any
) -> None:
    page = watched_page.page
    watched_page.log_in("officer1")
    mine = _count(page, "kpi-entities")
    assert _count(page, "kpi-groups") == 1
    page.wait_for_selector(TREE_READY)
    analyst = open_page()
    analyst.log_in("analyst")
    assert 0 < mine < _count(analyst.page, "kpi-entities")

    own, other = live_demo.user("officer1").enterprise, live_demo.user("officer2").enterprise
    assert own != other
    response = page.goto(f"/enterprises/{other}")
    assert response is not None
    assert response.status == 404
    assert page.locator("h1").inner_text().strip().endswith("404")
    assert live_demo.name_of(other) not in page.content()
    assert page.get_by_test_id("enterprise-name").count() == 0

    response = page.goto(f"/enterprises/{own}")
    assert response is not None
    assert response.status == 200
    assert page.get_by_test_id("enterprise-name").inner_text().strip() == live_demo.name_of(own)
    _assert_local_and_quiet(watched_page, allowed_errors=r"status of 404")


def test_the_english_switch_on_the_login_page(watched_page: Any) -> None:
    page = watched_page.page
    page.goto("/login")
    assert page.title().startswith("登录")
    page.click("a.lang")
    page.wait_for_load_state()
    assert page.title().startswith("Log in")
    assert page.locator("h1").inner_text().strip() == "Log in"
    assert page.url.endswith("/login")
    _assert_local_and_quiet(watched_page)


def test_an_officer_submits_through_the_page_and_sees_every_problem(
    watched_page: Any, live_demo: Any, e2e_artifacts: Path
) -> None:
    """The data-centre tour: a bad demo file is refused in place with its cell and rule and a
    highlighted report to download; the lake version does not move; a good file is accepted."""
    page = watched_page.page
    watched_page.log_in("officer1")
    ws = live_demo.demo.workspace.root
    page.goto("/catalog/flash_report")
    version_before = page.get_by_test_id("version").inner_text().strip()

    page.goto("/submit")
    page.set_input_files(
        'input[name="file"]', str(ws / "bad-files" / "13_negative_not_allowed.xlsx")
    )
    page.locator('form.upload button[type="submit"]').click()
    status = page.get_by_test_id("submit-status")
    status.wait_for()
    assert status.get_attribute("data-status") == "rejected"
    problems = page.get_by_test_id("problems")
    assert "ZG-INGEST-053" in problems.inner_text()
    assert "货币资金" in problems.inner_text()
    assert page.get_by_test_id("report-link").count() == 1
    page.screenshot(path=str(e2e_artifacts / "tour-submit-rejected.png"), full_page=True)

    page.set_input_files(
        'input[name="file"]', str(ws / "good-files" / "20_long_format_utf8_ok.csv")
    )
    page.locator('form.upload button[type="submit"]').click()
    page.wait_for_selector('[data-testid="submit-status"][data-status="accepted"]')

    page.goto("/catalog/flash_report")
    assert int(page.get_by_test_id("version").inner_text().strip()) == int(version_before) + 1
    _assert_local_and_quiet(watched_page)


def test_the_regulator_sees_who_is_late_and_missing(
    watched_page: Any, live_demo: Any, e2e_artifacts: Path
) -> None:
    page = watched_page.page
    watched_page.log_in("analyst")
    page.goto("/submissions?period=2026-10")
    assert int(page.get_by_test_id("count-missing").inner_text()) > 0
    assert int(page.get_by_test_id("count-on_time").inner_text()) > 0
    page.get_by_test_id("overdue-link").click()
    page.wait_for_selector('[data-testid="submissions"]')
    statuses = {s.strip() for s in page.get_by_test_id("status").all_inner_texts()}
    assert statuses <= {"未报送", "逾期报送"} and statuses
    page.screenshot(path=str(e2e_artifacts / "tour-overdue.png"), full_page=True)
    _assert_local_and_quiet(watched_page)
