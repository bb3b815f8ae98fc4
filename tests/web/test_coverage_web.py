"""Coverage API: a regulator runs a prediction and reads it back with its heat maps;
enterprise users and anonymous callers are refused."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from zhiguo.operations.geo import load_city
from zhiguo.operations.sites.models import Site
from zhiguo.registry.models import Enterprise
from zhiguo.security.audit import AuditRecord

FUTIAN = (114.0550, 22.5400)
API = "/api/operations/coverage"


def _add_site(world) -> None:
    city = load_city()
    x, y = city.projector.to_xy(*FUTIAN)
    with world.app.state.sessionmaker() as session:
        ent = session.execute(select(Enterprise.id)).scalars().first()
        session.add(
            Site(
                code="W-1", name_zh="福田楼顶", site_type="rooftop", enterprise_id=ent,
                lon=FUTIAN[0], lat=FUTIAN[1], x_m=float(x), y_m=float(y), district_code=1,
                height_m=30.0, status="in_service",
            )
        )  # fmt: skip
        session.commit()


def test_regulator_runs_and_reads_coverage(app_world) -> None:
    _add_site(app_world)
    analyst = app_world.client("analyst")
    assert analyst.get(f"{API}/latest", params={"band": "n78"}).status_code == 404
    made = analyst.post(f"{API}/runs", json={"band": "n78", "resolution_m": 500})
    assert made.status_code == 201, made.text
    run = made.json()
    assert run["band"] == "n78" and run["resolution_m"] == 500
    assert run["summary"]["sites"] == 1
    assert run["summary"]["demand_share"] is None
    assert 0 < run["summary"]["area_share"] < 0.05
    assert {d["name_en"] for d in run["summary"]["districts"]} >= {"Futian"}
    west, south, east, north = run["bounds_lonlat"]
    assert west < FUTIAN[0] < east and south < FUTIAN[1] < north
    with app_world.app.state.sessionmaker() as session:
        events = (
            session.execute(
                select(AuditRecord.object).where(
                    AuditRecord.event_type == "operations.coverage_run"
                )
            )
            .scalars()
            .all()
        )
    assert events == [f"coverage_run:{run['run_id']}"]
    latest = analyst.get(f"{API}/latest", params={"band": "n78"})
    assert latest.status_code == 200 and latest.json()["run_id"] == run["run_id"]
    assert [r["run_id"] for r in analyst.get(f"{API}/runs").json()] == [run["run_id"]]
    png = analyst.get(run["heatmap_png"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(png.content))
    i = int((FUTIAN[0] - west) / (east - west) * img.width)
    j = int((north - FUTIAN[1]) / (north - south) * img.height)
    assert img.getpixel((i, j))[3] > 0
    assert img.getpixel((img.width - 1, 0))[3] == 0
    geo = analyst.get(run["heatmap_geojson"])
    assert geo.status_code == 200 and geo.json()["type"] == "FeatureCollection"
    assert geo.json()["features"]
    assert analyst.get(f"{API}/runs/{'0' * 32}/heatmap.png").status_code == 404
    assert analyst.get(f"{API}/runs/nothex/heatmap.png").status_code == 422
    bad = analyst.post(f"{API}/runs", json={"band": "n78", "resolution_m": 1})
    assert bad.status_code == 422
    unknown = analyst.post(f"{API}/runs", json={"band": "n99", "resolution_m": 500})
    assert unknown.status_code == 422 and "ZG-RADIO-004" in unknown.text


def test_enterprise_users_and_anonymous_are_refused(app_world) -> None:
    run = app_world.client("analyst").post(
        f"{API}/runs", json={"band": "n78", "resolution_m": 1000}
    )
    assert run.status_code == 201
    run_id = run.json()["run_id"]
    officer = app_world.client("off_g1")
    assert officer.get(f"{API}/latest").status_code == 403
    assert officer.post(f"{API}/runs", json={"band": "n78"}).status_code == 403
    for url in (
        f"{API}/runs/{run_id}",
        f"{API}/runs/{run_id}/heatmap.png",
        f"{API}/runs/{run_id}/heatmap.geojson",
    ):
        assert officer.get(url).status_code == 403  # the function, not the object: 403
        assert app_world.client(None).get(url).status_code == 401
    anonymous = app_world.client(None)
    assert anonymous.get(f"{API}/runs").status_code == 401


def test_nothing_published_yet_is_an_answer_not_a_denial(app_world) -> None:
    """A 404 for "no run yet" on whole-portfolio data is not counted as a refusal (入侵防范
    counts refusals); an enterprise user's 403 still is."""
    analyst = app_world.client("analyst")
    for _ in range(3):
        assert analyst.get(f"{API}/latest", params={"band": "n78"}).status_code == 404
    assert app_world.client("off_g1").get(f"{API}/latest").status_code == 403
    with app_world.app.state.sessionmaker() as session:
        denied = session.scalars(
            select(AuditRecord).where(AuditRecord.event_type == "access.denied")
        ).all()
    assert [r.username for r in denied] == ["off_g1"]
