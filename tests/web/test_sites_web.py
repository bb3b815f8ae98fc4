"""Site resources over the web: import (API and page), the map's GeoJSON, list, detail —
scoped like enterprises (another group's site is a 404), problems located, zh and en."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import select

from zhiguo.security.audit.models import AuditRecord
from zhiguo.testing import SAMPLE
from zhiguo.web.deps import CSRF_HEADER
from zhiguo.web.routers.operations_sites import TEXT

HTML = {"Accept": "text/html"}
FUTIAN = (114.0579, 22.5431)
LONGGANG = (114.2470, 22.7200)


def sites_csv(*rows: tuple[str, str, tuple[float, float], float, str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["站址编码", "站址名称", "类型", "产权单位统一社会信用代码", "经度", "纬度", "挂高(米)"]
    )
    for code, owner, (lon, lat), height, kind in rows:
        w.writerow([code, f"站址{code}", kind, SAMPLE[owner], lon, lat, height])
    return out.getvalue().encode("utf-8")


G1_SITE = ("W-001", "A1", FUTIAN, 30.0, "屋顶")
G2_SITE = ("W-002", "B1", LONGGANG, 12.0, "智慧杆")


def upload(client: Any, data: bytes, url: str = "/api/operations/sites/import", **form: str) -> Any:
    return client.post(url, files={"file": ("sites.csv", data, "text/csv")}, data=form)


def test_page_texts_exist_in_both_languages() -> None:
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_import_then_geojson_list_and_detail_are_scoped(app_world: Any) -> None:
    admin = app_world.client("admin")
    created = upload(admin, sites_csv(G1_SITE, G2_SITE), datum="wgs84")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["imported"], body["updated"]) == (2, 0) and body["version"] >= 0

    geo = admin.get("/api/operations/sites.geojson")
    assert geo.status_code == 200 and geo.headers["content-type"].startswith("application/geo+json")
    props = {f["properties"]["code"]: f["properties"] for f in geo.json()["features"]}
    assert set(props) == {"W-001", "W-002"}
    assert props["W-001"]["district"] == "福田区" and props["W-002"]["site_type"] == "smart_pole"
    assert set(props["W-001"]) >= {"id", "name", "name_en", "status", "height_m", "enterprise"}

    g1 = app_world.client("off_g1")
    seen = g1.get("/api/operations/sites.geojson").json()["features"]
    assert [f["properties"]["code"] for f in seen] == ["W-001"]
    page = g1.get("/api/operations/sites", params={"type": "rooftop"}).json()
    assert page["total"] == 1 and page["items"][0]["enterprise_uscc"] == SAMPLE["A1"]
    g2_id = props["W-002"]["id"]
    assert g1.get(f"/api/operations/sites/{g2_id}").status_code == 404  # like a missing one
    assert g1.get("/api/operations/sites/999999").status_code == 404
    assert g1.get(f"/operations/sites/{g2_id}", headers=HTML).status_code == 404
    assert app_world.client("off_g2").get(f"/api/operations/sites/{g2_id}").status_code == 200
    assert app_world.client(None).get("/api/operations/sites.geojson").status_code == 401

    with app_world.app.state.sessionmaker() as session:
        events = session.scalars(
            select(AuditRecord).where(AuditRecord.event_type == "sites.import")
        ).all()
    assert len(events) == 1


def test_rejected_import_answers_422_with_located_problems(app_world: Any) -> None:
    client = app_world.client("off_g1")
    swapped = ("W-010", "A1", (FUTIAN[1], FUTIAN[0]), 30.0, "屋顶")
    pole = ("W-011", "A11", (114.03, 22.58), 35.0, "智慧杆")
    response = upload(client, sites_csv(swapped, pole, G2_SITE))  # G2's site: out of scope
    assert response.status_code == 422
    problems = response.json()["problems"]
    got = {(p["code"], p["location"]["row"]) for p in problems}
    assert got == {("ZG-SITES-040", 2), ("ZG-SITES-051", 3), ("ZG-SITES-072", 4)}
    assert all(p["message_zh"] and p["message_en"] for p in problems)
    assert app_world.client("admin").get("/api/operations/sites").json()["total"] == 0


def test_pages_render_and_the_form_shows_problems_in_place(app_world: Any) -> None:
    client = app_world.client("off_g1")
    page = client.get("/operations/sites", headers=HTML)
    assert page.status_code == 200 and "站址资源" in page.text
    assert 'data-testid="sites-upload"' in page.text
    token = client.headers[CSRF_HEADER]
    bad = ("W-020", "A1", FUTIAN, 0.0, "屋顶")
    rejected = client.post(
        "/operations/sites",
        files={"file": ("s.csv", sites_csv(bad), "text/csv")},
        data={"csrf_token": token, "datum": "wgs84"},
        headers={**HTML, CSRF_HEADER: ""},
    )
    assert rejected.status_code == 422
    assert 'data-status="rejected"' in rejected.text and "ZG-SITES-050" in rejected.text
    row = re.search(r'<tr class="sev-error">(.*?)</tr>', rejected.text, re.S)
    assert row and "<td>2</td>" in row[1] and "挂高(米)" in row[1]
    assert "挂高须大于 0 米" in rejected.text and "must be above 0 m" in rejected.text
    accepted = client.post(
        "/operations/sites",
        files={"file": ("s.csv", sites_csv(G1_SITE), "text/csv")},
        data={"csrf_token": token, "datum": "wgs84"},
        headers=HTML,
    )
    assert accepted.status_code == 200 and 'data-status="accepted"' in accepted.text
    assert 'data-total="1"' in accepted.text
    site_id = re.search(r'data-site-id="(\d+)"', accepted.text)
    assert site_id
    detail = client.get(f"/operations/sites/{site_id[1]}", headers=HTML, params={"lang": "en"})
    assert detail.status_code == 200 and "Rooftop" in detail.text and "W-001" in detail.text
    filtered = client.get(
        "/operations/sites",
        params={"type": "", "status": "", "district": "", "q": ""},
        headers=HTML,
    )
    assert filtered.status_code == 200


def test_without_csrf_the_form_is_refused(app_world: Any) -> None:
    client = app_world.client("off_g1")
    del client.headers[CSRF_HEADER]
    refused = client.post(
        "/operations/sites", files={"file": ("s.csv", sites_csv(G1_SITE), "text/csv")}
    )
    assert refused.status_code == 403
