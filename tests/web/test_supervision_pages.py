"""Supervision pages: the cockpit, an enterprise's indicators, the alert inbox and detail with
the loop's forms (htmx), and the indicator library — zh by default, en available, no inline
script, each user seeing only their own alerts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from supervision_world import PERIOD, SupervisionSeed, debt_ratio, future, seed_supervision

from zhiguo.core.periods import Period
from zhiguo.testing import SAMPLE
from zhiguo.web.routers.supervision_pages import TEXT, fmt

HTML = {"Accept": "text/html"}
HX = {"Accept": "text/html", "HX-Request": "true"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


@pytest.fixture
def seed(app_world: Any) -> SupervisionSeed:
    return seed_supervision(app_world)


def _alert_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-alert-id="(\d+)"', html)}


def test_page_texts_exist_in_both_languages() -> None:
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_values_are_shown_in_their_units() -> None:
    assert fmt(None, "%") == "—"
    assert fmt(54.321, "%") == "54.32%"
    assert fmt(4_320_111_375.9, "元") == "43.20 亿元"
    assert fmt(39.4, "万元/人") == "39.40 万元/人"


def test_pages_render_in_chinese_without_inline_script(seed: SupervisionSeed) -> None:
    for user, uscc in (("analyst", SAMPLE["G2"]), ("off_g1", SAMPLE["G1"])):
        client = seed.world.client(user)
        for url, text in [
            ("/supervision", "监管驾驶舱"),
            ("/supervision/alerts", "预警中心"),
            ("/supervision/indicators", "指标库"),
            (f"/supervision/enterprises/{uscc}", "对标企业绩效评价标准值"),
            (f"/supervision/alerts/{seed.alerts['A1']}", "处理记录"),
        ]:
            page = client.get(url, headers=HTML)
            assert page.status_code == 200, (user, url, page.status_code)
            assert text in page.text and 'lang="zh-CN"' in page.text, (user, url)
            assert 'href="/supervision/alerts"' in page.text  # the nav
            assert not INLINE_SCRIPT.search(page.text), (user, url)


def test_pages_render_in_english(seed: SupervisionSeed) -> None:
    client = seed.world.client("analyst")
    assert "Supervision cockpit" in client.get("/supervision?lang=en", headers=HTML).text
    inbox = client.get("/supervision/alerts?lang=en", headers=HTML).text
    assert "Alerts" in inbox and "Red" in inbox and "Raised" in inbox


def test_the_cockpit_shows_the_portfolio_alert_counts_and_the_groups(
    seed: SupervisionSeed,
) -> None:
    page = seed.world.client("analyst").get("/supervision", headers=HTML).text
    assert f'data-testid="period">{PERIOD}<' in page
    debt = fmt(debt_ratio(None, Period.parse(PERIOD)), "%")
    assert re.search(rf'data-testid="kpi-debt_ratio">.*?{re.escape(debt)}', page, re.S)
    assert '<strong data-testid="alert-total">8</strong>' in page
    assert 'data-testid="count-raised-red">8<' in page
    assert "上年同期值作为参照线" in page  # no targets exist: said so
    groups = set(re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', page))
    assert groups == {SAMPLE["G1"], SAMPLE["G2"]}
    assert 'data-chart="' in page and "/static/js/supervision.js" in page


def test_drilling_down_from_a_group_shows_its_subsidiaries(seed: SupervisionSeed) -> None:
    client = seed.world.client("analyst")
    page = client.get(f"/supervision/enterprises/{SAMPLE['G1']}", headers=HTML).text
    children = set(re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', page))
    assert children == {SAMPLE["A1"], SAMPLE["A2"]}
    assert f'href="/supervision/enterprises/{SAMPLE["A1"]}"' in page
    hidden = seed.world.client("off_a1").get(
        f"/supervision/enterprises/{SAMPLE['G2']}", headers=HTML
    )
    assert hidden.status_code == 404


def test_the_inbox_shows_each_user_only_their_alerts(seed: SupervisionSeed) -> None:
    world = seed.world
    everything = world.client("analyst").get("/supervision/alerts", headers=HTML).text
    assert _alert_ids(everything) == set(seed.alerts.values())
    mine = world.client("off_g2").get("/supervision/alerts", headers=HTML).text
    assert _alert_ids(mine) == {seed.alerts[k] for k in ("G2", "B1", "B11")}
    rows = world.client("analyst").get("/supervision/alerts?status=closed", headers=HX)
    assert "<html" not in rows.text and _alert_ids(rows.text) == set()
    assert world.client("analyst").get("/supervision/alerts?severity=red&status=", headers=HX)


def test_the_detail_offers_each_side_its_own_actions(seed: SupervisionSeed) -> None:
    url = f"/supervision/alerts/{seed.alerts['A11']}"
    regulator = seed.world.client("analyst").get(url, headers=HTML).text
    assert 'data-testid="form-dispatch"' in regulator and 'data-testid="form-dismiss"' in regulator
    assert set(re.findall(r'data-username="(\w+)"', regulator)) == {"off_a1", "off_g1"}
    officer = seed.world.client("off_a1").get(url, headers=HTML).text
    assert 'data-testid="no-actions"' in officer and "form-dispatch" not in officer


def test_the_loop_through_the_forms(seed: SupervisionSeed) -> None:
    world = seed.world
    analyst, officer = world.client("analyst"), world.client("off_a1")
    alert_id = seed.alerts["A11"]
    page = analyst.get(f"/supervision/alerts/{alert_id}", headers=HTML).text
    assignee = re.search(r'<option value="(\d+)" data-username="off_a1"', page)
    assert assignee
    base = f"/supervision/alerts/{alert_id}"

    missing = analyst.post(
        f"{base}/dispatch", data={"assignee_id": assignee[1], "due_date": future()}, headers=HX
    )
    assert missing.status_code == 200 and 'data-testid="action-error"' in missing.text
    assert "整改要求" in missing.text and 'data-status="raised"' in missing.text

    form = {"assignee_id": assignee[1], "due_date": future(), "text": "请整改"}
    sent = analyst.post(f"{base}/dispatch", data=form, headers=HX)
    assert 'data-status="dispatched"' in sent.text and "<html" not in sent.text

    files = {"plan": ("方案.pdf", b"%PDF-1.4 plan", "application/pdf")}
    answer = officer.post(f"{base}/respond", data={"text": "已整改"}, files=files, headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"] == base  # a plain form post
    shown = officer.get(base, headers=HTML).text
    assert 'data-status="responded"' in shown and "方案.pdf" in shown

    refused = officer.post(f"{base}/close", data={"text": "x"}, headers=HTML)
    assert refused.status_code == 403
    closed = analyst.post(f"{base}/close", data={"text": "已核查"}, headers=HX).text
    assert 'data-status="closed"' in closed
    actions = re.findall(r'<li data-action="(\w+)"', closed)
    assert actions == ["raise", "dispatch", "respond", "close"]


def test_the_library_page_and_the_analysts_form(app_world: Any) -> None:
    analyst = app_world.client("analyst")
    page = analyst.get("/supervision/indicators", headers=HTML).text
    assert 'data-code="roe"' in page and "sasac_avg_incl_minority" in page
    assert 'action="/supervision/indicators"' in page
    officer = app_world.client("off_a1").get("/supervision/indicators", headers=HTML).text
    assert 'data-code="roe"' in officer and 'action="/supervision/indicators"' not in officer

    toml = (
        "[indicators.cash_ratio_test]\n"
        'name_zh = "现金比率（测试）"\nname_en = "Cash ratio (test)"\nunit = "%"\n'
        'formula = "cash.closing / current_liabilities.closing"\n'
    )
    saved = analyst.post("/supervision/indicators", data={"definitions": toml}, headers=HTML)
    assert saved.status_code == 200 and "cash_ratio_test v1" in saved.text
    assert 'data-code="cash_ratio_test"' in saved.text
    bad = analyst.post(
        "/supervision/indicators",
        data={"definitions": toml.replace("cash.closing", "nothing_here.closing")},
        headers=HTML,
    )
    assert bad.status_code == 422 and "nothing_here" in bad.text and "ZG-IND-002" in bad.text
    assert "nothing_here.closing" in bad.text  # what was pasted stays in the form
