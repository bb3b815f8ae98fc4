"""The 5G site map in Chromium (issue 6): a regulator imports a site file through the sites
page's upload form, opens the operations map — district outlines, the sites layer — runs a
site-selection plan from the map's form and sees it drawn: chosen sites, the panel's cost,
coverage share and gap to the certified bound. Everything is served from this origin."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from live_server import CHROMIUM_ARGS, LOOPBACK, serve
from playwright.sync_api import Browser, Page, sync_playwright

from zhiguo.core import Role, init_workspace, session_scope
from zhiguo.core.db import create_db_engine, make_sessionmaker
from zhiguo.operations.demand import publish_demand, synthetic_demand
from zhiguo.operations.geo import city_from_settings
from zhiguo.registry import load_records
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.web.app import create_app

pytestmark = pytest.mark.browser

USER, PASSWORD = "planner", "Planner-Pass-2024!x"
OFFICER, OFFICER_PASSWORD = "officer_g2", "OfficerG2-Pass-2024!x"  # group G2: G2, B1, B11
# Site centres around Futian, Luohu and Nanshan (WGS84), spread on a small lattice.
CENTRES = [(114.055, 22.545), (114.115, 22.55), (113.935, 22.53), (114.03, 22.62)]
TYPES = ["rooftop", "smart_pole", "hub", "park", "tower"]
HEIGHTS = {"rooftop": 35, "smart_pole": 12, "hub": 20, "park": 25, "tower": 40}
OWNERS = [SAMPLE["G1"], SAMPLE["A1"], SAMPLE["G2"], SAMPLE["B1"]]


@dataclass(frozen=True)
class MapSite:
    url: str
    sites_csv: bytes
    n_sites: int
    n_in_service: int


def _sites_csv() -> tuple[bytes, int, int]:
    rng = np.random.default_rng(6)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["站址编码", "站址名称", "类型", "产权单位统一社会信用代码", "经度", "纬度",
                     "挂高(米)", "状态", "年租金(元)"])  # fmt: skip
    n = in_service = 0
    for c, (lon0, lat0) in enumerate(CENTRES):
        for i in range(10):
            kind = TYPES[(c + i) % len(TYPES)]
            status = "in_service" if i % 5 == 0 else "available"
            in_service += status == "in_service"
            lon = lon0 + (i % 4 - 1.5) * 0.012 + rng.uniform(-0.002, 0.002)
            lat = lat0 + (i // 4 - 1) * 0.012 + rng.uniform(-0.002, 0.002)
            writer.writerow([f"E2E-{c}{i:02d}", f"测试站址{c}-{i}", kind, OWNERS[c], f"{lon:.6f}",
                             f"{lat:.6f}", HEIGHTS[kind], status, 20000 + 1000 * i])  # fmt: skip
            n += 1
    return out.getvalue().encode("utf-8"), n, in_service


@pytest.fixture(scope="module")
def map_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MapSite]:
    """A fresh workspace: the sample registry, a regulator analyst (tour mode: no second
    factor), a synthetic demand raster published to the lake — and no sites yet."""
    workspace = init_workspace(tmp_path_factory.mktemp("ops-map") / "ws")
    settings = workspace.settings
    settings = settings.model_copy(
        update={
            "security": settings.security.model_copy(
                update={"mfa_required_roles": [], "demo_insecure_logins": True}
            )
        }
    )
    engine = create_db_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            enterprises, ownership = sample_records()
            load_records(session=session, enterprises=enterprises, ownership=ownership)
            add_user(session=session, username=USER, role=Role.REGULATOR_ANALYST,
                     password=PASSWORD, must_change_password=False)  # fmt: skip
            add_user(session=session, username=OFFICER, role=Role.ENTERPRISE_OFFICER,
                     enterprise_uscc=SAMPLE["G2"], password=OFFICER_PASSWORD,
                     must_change_password=False)  # fmt: skip
            city = city_from_settings(settings.operations)
            publish_demand(
                synthetic_demand(city, resolution_m=250.0, seed=6),
                lake_root=settings.workspace / "lake", city=city, session=session, actor="e2e",
            )  # fmt: skip
    finally:
        engine.dispose()
    data, n, in_service = _sites_csv()
    with serve(create_app(settings)) as url:
        yield MapSite(url=url, sites_csv=data, n_sites=n, n_in_service=in_service)


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


def _log_in(page: Page, url: str, user: str = USER, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', password)
    page.click('form:has(input[name="username"]) button[type="submit"]')
    page.wait_for_url(f"{url}/")


def _map_state(page: Page) -> dict[str, str | None]:
    root = page.locator("#ops-map")
    keys = ("state", "districts-count", "sites-count", "heatmap", "plan-status", "plan-id",
            "plan-chosen", "plan-gap")  # fmt: skip
    return {k: root.get_attribute(f"data-{k}") for k in keys}


def test_import_sites_run_a_plan_and_see_it_on_the_map(
    chromium: Browser, map_site: MapSite, e2e_artifacts: Path, tmp_path: Path
) -> None:
    context = chromium.new_context(
        base_url=map_site.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    refused: list[str] = []  # 4xx/5xx: a 404 or 403 would count as a denied request
    page.on(
        "response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    _log_in(page, map_site.url)

    # 1. the sites page's upload form (WGS84 file)
    page.click('nav a[href="/operations/map"]')  # the top nav's 智慧运营 link
    page.wait_for_url(f"{map_site.url}/operations/map")
    page.click('[data-testid="ops-subnav"] a[href="/operations/sites"]')
    page.wait_for_url(f"{map_site.url}/operations/sites")
    upload = tmp_path / "sites.csv"
    upload.write_bytes(map_site.sites_csv)
    form = page.locator('form:has(input[type="file"][name="file"])')
    form.locator('input[type="file"][name="file"]').set_input_files(str(upload))
    if form.locator('select[name="datum"]').count():
        form.locator('select[name="datum"]').select_option("wgs84")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.locator('button[type="submit"]').click()
    assert posted.value.status < 400, posted.value.text()
    listed = page.request.get("/api/operations/sites.geojson")
    assert listed.status == 200
    assert len(listed.json()["features"]) == map_site.n_sites

    # 2. the map: outlines, the sites layer, no coverage run nor plan yet (messages)
    page.goto("/operations/map")
    page.wait_for_selector('#ops-map[data-state="ready"]')
    state = _map_state(page)
    assert state["districts-count"] == "8"
    assert state["sites-count"] == str(map_site.n_sites)
    assert page.locator('[data-testid="sites-count"]').inner_text() == str(map_site.n_sites)
    assert state["plan-status"] == "absent" and state["plan-chosen"] == "0"
    assert page.locator('[data-testid="plan-message"]').inner_text().strip()
    assert state["heatmap"] == "absent"
    assert page.locator('[data-testid="coverage-message"]').inner_text().strip()
    assert page.locator("#ops-map-chart canvas").count() >= 1

    # a coverage run (through the API, as the page's session) puts the heat map on the map
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    run = page.request.post(
        "/api/operations/coverage/runs",
        data=json.dumps({"band": "n78", "resolution_m": 200}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
    )
    assert run.status == 201, run.text()
    page.reload()
    page.wait_for_selector('#ops-map[data-state="ready"]')
    assert _map_state(page)["heatmap"] == "loaded"
    assert page.locator('[data-testid="coverage-message"]').inner_text() == ""
    page.uncheck('[data-testid="heatmap-toggle"]')  # the layer toggles off and on
    page.check('[data-testid="heatmap-toggle"]')

    # 3. run a plan from the map's form: the most demand within a budget
    page.select_option('[data-testid="plan-mode"]', "max_cover")
    assert page.locator('[data-testid="plan-target"]').is_hidden()
    page.fill('[data-testid="plan-budget"]', "200000")
    page.select_option('[data-testid="plan-band"]', "n78")
    page.fill('[data-testid="plan-time-limit"]', "5")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/api/operations/plans")
    ) as ran:
        page.click('[data-testid="plan-run"]')
    assert ran.value.status == 201, ran.value.text()
    plan = ran.value.json()
    page.wait_for_selector('#ops-map[data-plan-status="done"]')

    # 4. the plan on the map and in the panel
    state = _map_state(page)
    assert state["plan-id"] == str(plan["id"])
    chosen = int(state["plan-chosen"] or 0)
    assert chosen == len(plan["chosen"]) > 0
    pinned = sum(1 for c in plan["chosen"] if c["pinned"])
    assert pinned == map_site.n_in_service  # already-built sites are always in the plan
    assert state["sites-count"] == str(map_site.n_sites)  # the sites layer is unchanged
    assert float(state["plan-gap"] or "nan") == pytest.approx(plan["gap"])
    gap = page.locator('[data-testid="plan-gap"]').inner_text()
    assert gap == f"{plan['gap'] * 100:.2f}%"
    assert page.locator('[data-testid="plan-share"]').inner_text().endswith("%")
    assert page.locator('[data-testid="plan-chosen"]').inner_text().startswith(str(chosen))
    assert page.locator('[data-testid="plan-error"]').inner_text() == ""
    page.locator('[data-testid="ops-map"]').screenshot(path=str(e2e_artifacts / "ops-map.png"))

    # a reload draws the latest plan again
    page.reload()
    page.wait_for_selector('#ops-map[data-state="ready"]')
    assert _map_state(page)["plan-id"] == str(plan["id"])

    assert errors == [] and refused == []
    off_host = [u for u in requests if urlsplit(u).scheme in {"http", "https"}
                and urlsplit(u).hostname != LOOPBACK]  # fmt: skip
    assert off_host == []  # no tile server, no CDN
    context.close()


def test_a_failed_plan_shows_its_message_and_keeps_the_map(
    chromium: Browser, map_site: MapSite
) -> None:
    """An impossible request (a coverage target above 100 % is refused by the API) leaves a
    message beside the form and the map as it was."""
    context = chromium.new_context(base_url=map_site.url, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, map_site.url)
    page.goto("/operations/map?lang=en")
    page.wait_for_selector('#ops-map[data-state="ready"]')
    before = _map_state(page)
    page.select_option('[data-testid="plan-mode"]', "set_cover")
    page.evaluate(
        "document.querySelector('[data-testid=plan-target]').removeAttribute('max')"
    )  # the browser's own check would stop it first
    page.fill('[data-testid="plan-target"]', "1.5")
    page.click('[data-testid="plan-run"]')
    page.wait_for_selector('#ops-map[data-plan-status="error"]')
    message = page.locator('[data-testid="plan-error"]').inner_text()
    assert message.startswith("The plan failed")
    after = _map_state(page)
    assert after["sites-count"] == before["sites-count"]
    assert after["plan-id"] == before["plan-id"] and after["plan-chosen"] == before["plan-chosen"]
    assert errors == []
    context.close()


def test_an_enterprise_officer_sees_only_its_groups_sites_and_no_plan_tools(
    chromium: Browser, map_site: MapSite
) -> None:
    """Runs after the import: the officer of G2 sees the sites of G2 and B1 (its subsidiary),
    neither the coverage nor the plan (the regulator's), and asks for nothing it is refused."""
    context = chromium.new_context(base_url=map_site.url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    refused: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    _log_in(page, map_site.url, OFFICER, OFFICER_PASSWORD)
    page.goto("/operations/map")
    page.wait_for_selector('#ops-map[data-state="ready"]')
    state = _map_state(page)
    own = sum(1 for c in range(len(CENTRES)) if OWNERS[c] in {SAMPLE["G2"], SAMPLE["B1"]}) * 10
    assert state["sites-count"] == str(own) and 0 < own < map_site.n_sites
    assert state["heatmap"] == "forbidden" and state["plan-status"] == "forbidden"
    assert page.locator('[data-testid="plan-form"]').count() == 0
    assert page.locator('[data-testid="plan-message"]').inner_text().strip()
    assert errors == [] and refused == []
    context.close()
