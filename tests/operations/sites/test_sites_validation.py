"""The issue's bad-input list: each a located zh/en error, all collected, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sites_fixtures import FUTIAN, NANSHAN, good_rows, row, write_csv
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace
from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, Problem
from zhiguo.operations.geo import load_city, wgs84_to_gcj02
from zhiguo.operations.sites.models import Site
from zhiguo.operations.sites.readers import read_sites_file
from zhiguo.operations.sites.service import import_sites
from zhiguo.operations.sites.synthetic import generate_sites, write_sites
from zhiguo.operations.sites.validate import validate_sites
from zhiguo.registry import Enterprise
from zhiguo.testing import SAMPLE


def _reject(session: Session, ws: Workspace, path: Path, **kw: object) -> list[Problem]:
    scope = kw.pop("scope", Scope.everything())
    with pytest.raises(ImportRejected) as info:
        import_sites(
            session=session,
            path=path,
            lake_root=ws.lake,
            inbox=ws.inbox,
            scope=scope,
            actor="test",
            **kw,
        )  # type: ignore[arg-type]
    assert session.scalar(select(func.count()).select_from(Site)) == 0
    assert not (ws.lake / "operations.sites").exists()
    return info.value.problems


def _rules(problems: list[Problem]) -> dict[str, Problem]:
    return {p.rule: p for p in problems}


def test_every_bad_input_is_located_and_nothing_written(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    rows = good_rows()
    rows[1]["lon"], rows[1]["lat"] = NANSHAN[1], NANSHAN[0]  # swapped (lat 113.9 > 90)
    rows.append(row("T-005", (114.40, 23.10)))  # ≈ 30 km north-east of the city
    rows.append(row("T-006", (FUTIAN[0] + 0.000005, FUTIAN[1])))  # 0.5 m from T-001
    rows.append(row("T-007", (114.03, 22.58), type="smart_pole", height_m=35))  # pole > 20 m
    rows.append(row("T-008", (114.05, 22.60), height_m=0))  # height 0
    rows.append(row("T-009", (114.06, 22.61), type="飞艇"))  # unknown type
    rows.append(row("T-010", (114.07, 22.62), status="maybe"))
    rows.append(row("T-011", (114.08, 22.63), height_m="高"))  # not a number
    rows.append(row("T-001", (114.09, 22.64)))  # duplicate code
    rows.append(row("T-012", (114.10, 22.65), owner_uscc="91440300MA5XXXXXXX"))  # unknown owner
    path = write_csv(tmp_path / "bad.csv", rows)
    problems = _reject(sample_session, workspace, path)
    found = _rules(problems)
    assert set(found) >= {
        "geo.swapped",
        "geo.outside",
        "geo.duplicate_file",
        "height.range",
        "height.nonpositive",
        "value.type",
        "value.status",
        "value.number",
        "code.duplicate",
        "owner.unknown",
    }
    # located: file, row as a spreadsheet shows it (header = 1), column as written
    swapped = found["geo.swapped"]
    assert swapped.location.file == "bad.csv" and swapped.location.row == 3
    assert "填反" in swapped.message_zh and "swapped" in swapped.message_en
    outside = found["geo.outside"]
    assert outside.location.row == 6 and "km" in outside.message_en
    assert found["geo.duplicate_file"].location.row == 7
    assert "row 2" in found["geo.duplicate_file"].message_en
    assert found["height.range"].location.column == "挂高(米)"
    assert "20" in found["height.range"].message_en
    assert found["code.duplicate"].location.row == 13
    assert all(p.code.startswith("ZG-SITES-0") for p in problems)
    # the rejected file is kept in the inbox with the outcome
    kept = list((workspace.inbox / "operations.sites").glob("*.json"))
    assert kept and "rejected" in kept[0].read_text(encoding="utf-8")


def test_swapped_gcj02_point_is_detected(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    lon, lat = wgs84_to_gcj02(FUTIAN[0], FUTIAN[1])
    rows = [row("S-1", (float(lat), float(lon)))]
    path = write_csv(tmp_path / "s.csv", rows)
    problems = _reject(sample_session, workspace, path, datum="gcj02")
    assert [p.rule for p in problems] == ["geo.swapped"]
    assert "纬度超出" in problems[0].message_zh


def test_swapped_pair_within_valid_ranges_is_detected(
    sample_session: Session, tmp_path: Path
) -> None:
    """Where both readings are valid degrees, "swapped" means only the swapped pair lies in
    the city (a made-up square city at 80–81°E, 30–31°N)."""
    outline = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "方城区"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[80.0, 30.0], [81.0, 30.0], [81.0, 31.0], [80.0, 31.0], [80.0, 30.0]]
                    ],
                },
            }
        ],
    }
    file = tmp_path / "square.geojson"
    file.write_text(json.dumps(outline), encoding="utf-8")
    square = load_city(file, source_datum="wgs84")
    good = row("Q-1", (80.5, 30.5))
    swapped = row("Q-2", (30.6, 80.6))
    far = row("Q-3", (82.5, 30.5))  # ≈ 140 km east: outside, and swapped is no better
    raw = read_sites_file(write_csv(tmp_path / "q.csv", [good, swapped, far]))
    parsed = validate_sites(
        raw,
        session=sample_session,
        city=square,
        scope=Scope.everything(),
        datum="wgs84",
        tolerance_m=300.0,
    )
    assert [(p.rule, p.location.row) for p in parsed.problems] == [
        ("geo.swapped", 3),
        ("geo.outside", 4),
    ]
    assert "互换后" in parsed.problems[0].message_zh
    assert "km" in parsed.problems[1].message_en


def test_missing_columns_named_in_both_languages(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "m.csv", good_rows(), drop=("height_m", "owner_uscc"))
    problems = _reject(sample_session, workspace, path)
    assert {p.rule for p in problems} == {"column.missing"}
    texts = " ".join(p.message_zh + p.message_en for p in problems)
    assert "挂高(米)" in texts and "height (m)" in texts and "owner USCC" in texts


def test_owner_outside_scope_is_refused(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    ids = dict(sample_session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    g1_scope = Scope.of([ids[SAMPLE[k]] for k in ("G1", "A1", "A11", "A12", "A2")])
    path = write_csv(tmp_path / "o.csv", good_rows())  # T-004 belongs to G2
    problems = _reject(sample_session, workspace, path, scope=g1_scope)
    assert [(p.rule, p.location.row) for p in problems] == [("owner.scope", 5)]
    assert SAMPLE["G2"] in problems[0].message_zh


def test_duplicate_of_an_existing_site_and_code_takeover(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    import_sites(
        session=sample_session,
        path=write_csv(tmp_path / "a.csv", good_rows()),
        lake_root=workspace.lake,
        scope=Scope.everything(),
        actor="t",
    )
    sample_session.commit()
    near = row("N-1", (FUTIAN[0], FUTIAN[1] + 0.000004))  # ≈ 0.45 m north of T-001
    with pytest.raises(ImportRejected) as info:
        import_sites(
            session=sample_session,
            path=write_csv(tmp_path / "b.csv", [near]),
            lake_root=workspace.lake,
            scope=Scope.everything(),
            actor="t",
        )
    [p] = info.value.problems
    assert p.rule == "geo.duplicate_existing" and "T-001" in p.message_en
    # an officer of G2 may not overwrite G1's site by reusing its code
    ids = dict(sample_session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    g2 = Scope.of([ids[SAMPLE[k]] for k in ("G2", "B1", "B11")])
    takeover = row("T-001", (114.20, 22.70), owner_uscc=SAMPLE["G2"])
    with pytest.raises(ImportRejected) as info:
        import_sites(
            session=sample_session,
            path=write_csv(tmp_path / "c.csv", [takeover]),
            lake_root=workspace.lake,
            scope=g2,
            actor="t",
        )
    assert [p.rule for p in info.value.problems] == ["owner.moved"]


def test_file_form_problems(sample_session: Session, workspace: Workspace, tmp_path: Path) -> None:
    rows = generate_sites(load_city(), [SAMPLE["A1"]], n=3, seed=1)
    xlsx = write_sites(rows, tmp_path / "s.xlsx", sheet="站址")
    [p] = _reject(sample_session, workspace, xlsx, sheet="Sheet9")
    assert p.rule == "file.sheet" and "站址" in p.message_zh
    gj = write_sites(rows, tmp_path / "s.geojson")
    doc = json.loads(gj.read_text(encoding="utf-8"))
    doc["features"][1]["geometry"] = {"type": "LineString", "coordinates": [[114, 22], [114.1, 22]]}
    gj.write_text(json.dumps(doc), encoding="utf-8")
    [p] = _reject(sample_session, workspace, gj)
    assert (p.rule, p.location.row, p.location.column) == ("geojson.geometry", 2, "geometry")
    txt = tmp_path / "s.txt"
    txt.write_text("x", encoding="utf-8")
    [p] = _reject(sample_session, workspace, txt)
    assert p.rule == "file.format"
    bad_datum = write_sites(rows, tmp_path / "d.geojson")
    doc = json.loads(bad_datum.read_text(encoding="utf-8"))
    doc["datum"] = "bd09"
    bad_datum.write_text(json.dumps(doc), encoding="utf-8")
    [p] = _reject(sample_session, workspace, bad_datum)
    assert p.rule == "file.datum" and "bd09" in p.message_en


def test_a_datum_contradicting_the_file_is_refused(
    sample_session: Session, workspace: Workspace, tmp_path: Path
) -> None:
    rows = generate_sites(load_city(), [SAMPLE["A1"]], n=3, seed=1)
    gj = write_sites(rows, tmp_path / "g.geojson", datum="gcj02")
    [p] = _reject(sample_session, workspace, gj, datum="wgs84")
    assert p.rule == "file.datum_conflict" and "gcj02" in p.message_en
