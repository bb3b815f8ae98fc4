"""Accepted imports: every format and encoding, GCJ-02 conversion, upsert by code, the lake
dataset, the inbox, all-or-nothing when publishing fails, and a city-size file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deltalake import DeltaTable
from sites_fixtures import FUTIAN, city, good_rows, write_csv
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace
from zhiguo.core.access import Scope
from zhiguo.datacenter.catalog.models import TableCommit
from zhiguo.datacenter.lake import open_table
from zhiguo.operations.sites import service
from zhiguo.operations.sites.datasets import SITES
from zhiguo.operations.sites.models import Site
from zhiguo.operations.sites.service import get_site, import_sites, list_sites, sites_geojson
from zhiguo.operations.sites.synthetic import generate_sites, write_sites
from zhiguo.registry import Enterprise
from zhiguo.testing import SAMPLE


def _import(session: Session, ws: Workspace, path: Path, **kw: object):  # type: ignore[no-untyped-def]
    result = import_sites(
        session=session,
        path=path,
        lake_root=ws.lake,
        inbox=ws.inbox,
        scope=kw.pop("scope", Scope.everything()),
        actor="test",
        **kw,
    )  # type: ignore[arg-type]
    session.commit()
    return result


def test_csv_import_publishes_the_table_and_keeps_the_file(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    result = _import(sample_session, workspace, write_csv(tmp_path / "a.csv", good_rows()))
    assert (result.imported, result.updated, result.unchanged) == (4, 0, 0)
    t3 = sample_session.scalar(select(Site).where(Site.code == "T-003"))
    assert t3 is not None and t3.site_type == "tower" and t3.carriers == "telecom,mobile"
    assert t3.status == "in_service" and t3.district_code is not None
    futian = sample_session.scalar(select(Site).where(Site.code == "T-001"))
    assert futian is not None and futian.lon == pytest.approx(FUTIAN[0])
    assert city().districts[futian.district_code or 0].name_zh == "福田区"
    table = open_table(workspace.lake, SITES.name)
    assert table.version() == result.version
    lake = DeltaTable(str(table.path)).to_pyarrow_table()
    assert lake.num_rows == 4 and sorted(lake["code"].to_pylist())[0] == "T-001"
    commit = sample_session.scalar(select(TableCommit).where(TableCommit.dataset == SITES.name))
    assert commit is not None and commit.rows == 4 and commit.inbox_sha256 == result.sha256
    kept = workspace.inbox / "operations.sites" / f"{result.sha256}.csv"
    assert kept.is_file()
    meta = json.loads((kept.parent / f"{result.sha256}.json").read_text(encoding="utf-8"))
    assert meta["outcomes"][-1]["result"] == "accepted"


def test_reimport_updates_by_code_and_publishes_a_new_whole_version(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    first = _import(sample_session, workspace, write_csv(tmp_path / "a.csv", good_rows()))
    changed = good_rows()[:2]
    changed[0]["height_m"] = 45
    changed[0]["status"] = "leased"
    second = _import(sample_session, workspace, write_csv(tmp_path / "b.csv", changed))
    assert (second.imported, second.updated, second.unchanged) == (0, 1, 1)
    assert second.version == first.version + 1
    t1 = sample_session.scalar(select(Site).where(Site.code == "T-001"))
    assert t1 is not None and t1.height_m == 45 and t1.status == "leased"
    assert sample_session.scalar(select(func.count()).select_from(Site)) == 4
    # every version is the whole table, not just the file's rows
    lake = DeltaTable(str(workspace.lake / SITES.name)).to_pyarrow_table()
    assert lake.num_rows == 4
    assert (
        dict(zip(lake["code"].to_pylist(), lake["height_m"].to_pylist(), strict=True))["T-001"]
        == 45
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_encodings_and_english_headers(
    sample_session: Session, workspace: Workspace, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "e.csv", good_rows(), chinese=encoding == "gbk", encoding=encoding)
    assert _import(sample_session, workspace, path).imported == 4


def test_xlsx_and_gcj02_geojson(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    c = city()
    rows = generate_sites(c, [SAMPLE["A1"], SAMPLE["B1"]], n=40, seed=3)
    gj = write_sites(rows[:20], tmp_path / "s.geojson", datum="gcj02")
    result = _import(sample_session, workspace, gj)  # datum declared in the file
    assert result.imported == 20
    site = sample_session.scalar(select(Site).where(Site.code == rows[0]["code"]))
    assert site is not None
    # converted back to WGS84 to well under a metre
    x0, y0 = c.projector.to_xy(rows[0]["lon"], rows[0]["lat"])
    assert abs(site.x_m - float(x0)) < 0.5 and abs(site.y_m - float(y0)) < 0.5
    xlsx = write_sites(rows[20:], tmp_path / "s.xlsx", sheet="站址清单")
    assert _import(sample_session, workspace, xlsx, sheet="站址清单").imported == 20


def test_owner_by_name_and_enterprise_scope_import(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    ids = dict(sample_session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    g2 = Scope.of([ids[SAMPLE[k]] for k in ("G2", "B1", "B11")])
    rows = [good_rows()[3]]
    rows[0]["owner_uscc"] = ""
    rows[0]["owner_name"] = "示例测试二集团B1公司"
    result = _import(sample_session, workspace, write_csv(tmp_path / "n.csv", rows), scope=g2)
    assert result.imported == 1
    sites, total = list_sites(session=sample_session, scope=g2)
    assert total == 1 and sites[0].enterprise_uscc == SAMPLE["B1"]
    g1 = Scope.of([ids[SAMPLE["G1"]]])
    assert list_sites(session=sample_session, scope=g1) == ([], 0)
    from zhiguo.operations.sites.errors import SiteNotFound

    with pytest.raises(SiteNotFound):
        get_site(session=sample_session, scope=g1, site_id=sites[0].id)
    geo = sites_geojson(session=sample_session, scope=g2, city=city())
    assert geo["features"][0]["properties"]["district"] == "龙岗区"


def test_failed_publish_writes_nothing(
    sample_session: Session, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**_kw: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(service, "publish_sites", boom)
    with pytest.raises(OSError):
        import_sites(
            session=sample_session,
            path=write_csv(tmp_path / "a.csv", good_rows()),
            lake_root=workspace.lake,
            scope=Scope.everything(),
            actor="t",
        )
    sample_session.rollback()  # what the caller's unit of work does on the exception
    assert sample_session.scalar(select(func.count()).select_from(Site)) == 0


def test_city_size_file(sample_session: Session, workspace: Workspace, tmp_path: Path) -> None:
    """20,000 generated sites import in one go (the timing is in the report, not asserted)."""
    rows = generate_sites(city(), [SAMPLE["A1"], SAMPLE["G2"], SAMPLE["B11"]], n=20_000, seed=7)
    result = _import(sample_session, workspace, write_sites(rows, tmp_path / "big.csv"))
    assert result.imported == 20_000
    types = dict(
        sample_session.execute(select(Site.site_type, func.count()).group_by(Site.site_type)).all()
    )
    assert set(types) == {"rooftop", "smart_pole", "hub", "park", "tower", "indoor"}
    assert set(result.seconds) == {"read", "validate", "write", "publish"}
