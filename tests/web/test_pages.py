"""HTML pages: language, KPIs, the enterprise page, htmx partials, errors, no CDN, redirects."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from zhiguo.testing import SAMPLE

HTML = {"Accept": "text/html"}


def _kpi(html: str, name: str) -> int:
    found = re.search(rf'data-testid="kpi-{name}">(\d+)<', html)
    assert found, f"no kpi-{name} on the page"
    return int(found[1])


def test_pages_are_chinese_by_default_and_english_after_switching(app_world: Any) -> None:
    client = app_world.client("analyst")
    zh = client.get("/", headers=HTML)
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text
    assert "国有资产全景" in zh.text
    switch = client.get("/lang/en?next=/enterprises")
    assert (switch.status_code, switch.headers["location"]) == (303, "/enterprises")
    en = client.get("/", headers=HTML)
    assert '<html lang="en">' in en.text
    assert "State asset portfolio" in en.text
    assert "国有资产全景" not in en.text
    client.get("/lang/zh")
    assert "国有资产全景" in client.get("/", headers=HTML).text


def test_the_login_page_follows_the_language(app_world: Any) -> None:
    client = app_world.client()
    assert "<title>登录" in client.get("/login").text
    client.get("/lang/en")
    assert "<title>Log in" in client.get("/login").text
    assert "<title>Log in" in app_world.client().get("/login?lang=en").text


def test_home_shows_the_callers_kpis(app_world: Any) -> None:
    analyst = app_world.client("analyst").get("/", headers=HTML).text
    assert (_kpi(analyst, "entities"), _kpi(analyst, "groups")) == (8, 2)
    officer = app_world.client("off_a1").get("/", headers=HTML).text
    assert (_kpi(officer, "entities"), _kpi(officer, "groups")) == (3, 1)
    assert 'id="tree"' in analyst
    assert 'data-src="/api/registry/tree?depth=2"' in analyst


def test_the_enterprise_page_shows_name_eso_path_and_children(app_world: Any) -> None:
    html = app_world.client("analyst").get(f"/enterprises/{SAMPLE['A1']}", headers=HTML).text
    assert '<h1 data-testid="enterprise-name">示例测试一集团A1公司</h1>' in html
    assert '<dd data-testid="eso">100.00%</dd>' in html
    assert f'<a href="/enterprises/{SAMPLE["G1"]}">G1</a>' in html  # the breadcrumb
    children = html.split('data-testid="children"')[1]
    for name in ["A11", "A12", "B1"]:
        assert f'href="/enterprises/{SAMPLE[name]}"' in children
    b11 = app_world.client("analyst").get(f"/enterprises/{SAMPLE['B11']}", headers=HTML).text
    assert '<dd data-testid="eso">84.00%</dd>' in b11


def test_the_enterprise_page_in_english(app_world: Any) -> None:
    client = app_world.client("off_g2")
    html = client.get(f"/enterprises/{SAMPLE['B1']}?lang=en", headers=HTML).text
    assert '<h1 data-testid="enterprise-name">Demo Test B1</h1>' in html
    assert "（范围外股东）" in html  # A1's 30 % is outside off_g2's scope: masked
    assert "示例测试一集团A1公司" not in html


def test_no_page_loads_anything_from_another_host(app_world: Any) -> None:
    client = app_world.client("analyst")
    urls = [
        "/",
        "/enterprises",
        f"/enterprises/{SAMPLE['G1']}",
        f"/enterprises/{SAMPLE['B11']}?lang=en",
        "/enterprises/nowhere",
        "/api/docs",
    ]
    pages = {url: client.get(url, headers=HTML).text for url in urls}
    pages["/login"] = app_world.client().get("/login").text
    for url, html in pages.items():
        assert not re.search(r'(src|href|action)="(https?:)?//', html), url
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset


def test_the_htmx_partial_is_just_the_rows(app_world: Any) -> None:
    client = app_world.client("analyst")
    full = client.get("/enterprises", headers=HTML).text
    rows = client.get("/enterprises?level=1", headers={**HTML, "HX-Request": "true"}).text
    assert "<html" in full
    assert "<html" not in rows
    assert "<header" not in rows
    assert rows.lstrip().startswith('<p class="muted" data-testid="total">2 ')
    assert set(re.findall(r'href="/enterprises/([0-9A-Z]{18})"', rows)) == {
        SAMPLE["G1"],
        SAMPLE["G2"],
    }


def test_the_htmx_search_finds_by_name(app_world: Any) -> None:
    client = app_world.client("analyst")
    rows = client.get("/enterprises?q=B1", headers={"HX-Request": "true"}).text
    assert 'data-testid="total">2 ' in rows
    assert "示例测试二集团B11公司" in rows
    assert "示例测试一集团A1公司" not in rows


def test_an_out_of_scope_enterprise_is_a_404_page(app_world: Any) -> None:
    response = app_world.client("off_g2").get(f"/enterprises/{SAMPLE['A1']}", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "出错了 · 404" in response.text
    assert "示例测试一集团A1公司" not in response.text
    missing = app_world.client("off_g2").get(f"/enterprises/{SAMPLE['B1']}X", headers=HTML)
    assert missing.status_code == 404


def test_an_anonymous_browser_is_sent_to_log_in_and_back(app_world: Any) -> None:
    client = app_world.client()
    target = f"/enterprises/{SAMPLE['A11']}"
    response = client.get(target, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={target}"
    form = client.get(response.headers["location"]).text
    assert f'name="next" value="{target}"' in form
    login = client.post(
        "/login",
        data={"username": "off_a1", "password": "OfficerA1-Pass-2024!", "next": target},
    )
    assert (login.status_code, login.headers["location"]) == (303, target)
    assert "示例测试一集团A11公司" in client.get(target, headers=HTML).text


def test_a_failed_form_login_shows_the_form_again(app_world: Any) -> None:
    client = app_world.client()
    response = client.post("/login", data={"username": "off_a1", "password": "Wrong-Pass-1!"})
    assert response.status_code == 401
    assert 'role="alert"' in response.text
    assert "zhiguo_session" not in response.headers.get("set-cookie", "")


def test_logout_form_ends_the_session(app_world: Any) -> None:
    client = app_world.client("off_g1")
    response = client.post("/logout")
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert client.get("/", headers=HTML).status_code == 303


OFF_SITE = [
    "//evil.example",
    "//evil.example/login",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
]


def _stays_on_site(location: str) -> bool:
    # Browsers read "\" as "/" in http(s) URLs, so "/\\evil" means "//evil".
    normalised = location.replace("\\", "/")
    parts = urlsplit(normalised)
    return normalised.startswith("/") and not normalised.startswith("//") and not parts.netloc


def test_the_login_form_drops_an_off_site_next(app_world: Any) -> None:
    for target in ["//evil.example", "https://evil.example/"]:
        form = app_world.client().get("/login", params={"next": target}).text
        assert 'name="next" value="/"' in form
        assert "evil.example" not in form


def test_login_next_refuses_off_site_redirects(app_world: Any, subtests: Any) -> None:
    """What the browser is sent to after logging in (or switching language) stays here."""
    for target in OFF_SITE:
        with subtests.test(next=target):
            client = app_world.client()
            response = client.post(
                "/login",
                data={"username": "off_g1", "password": "OfficerG1-Pass-2024!", "next": target},
            )
            assert response.status_code == 303
            assert _stays_on_site(response.headers["location"]), response.headers["location"]
            switch = client.get("/lang/en", params={"next": target})
            assert _stays_on_site(switch.headers["location"]), switch.headers["location"]
