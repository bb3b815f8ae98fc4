"""Registry import and export over HTTP: round trip, located rejection, files kept."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from zhiguo.testing import SAMPLE, sample_records, write_registry_csv, write_registry_xlsx


def _upload(path: Path) -> dict[str, Any]:
    return {"file": (path.name, path.read_bytes(), "application/octet-stream")}


def test_export_then_import_changes_nothing(app_world: Any) -> None:
    client = app_world.client("analyst")
    exported = client.get("/api/registry/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    book = load_workbook(io.BytesIO(exported.content), read_only=True)
    assert book.sheetnames == ["企业", "股权"]
    files = {"file": ("registry.xlsx", exported.content, "application/octet-stream")}
    report = client.post("/api/registry/import", files=files)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["committed"] is True
    assert {row["action"] for row in body["rows"]} == {"unchanged"}


def test_csv_pair_upload_creates_and_reports(app_world: Any, tmp_path: Path) -> None:
    ents, owns = sample_records()
    ents[0] = ents[0].model_copy(update={"name_en": "Demo Test G1 renamed"})
    path = write_registry_csv(tmp_path / "r.csv", ents, owns, encoding="gb18030")
    files = {
        "file": ("r.csv", path.read_bytes(), "text/csv"),
        "ownership": ("r.ownership.csv", (tmp_path / "r.ownership.csv").read_bytes(), "text/csv"),
    }
    response = app_world.client("admin").post("/api/registry/import", files=files)
    assert response.status_code == 200, response.text
    updated = [r["key"] for r in response.json()["rows"] if r["action"] == "updated"]
    assert updated == [SAMPLE["G1"]]
    detail = app_world.client("analyst").get(f"/api/registry/enterprises/{SAMPLE['G1']}")
    assert detail.json()["enterprise"]["name_en"] == "Demo Test G1 renamed"


def test_rejected_upload_is_located_kept_and_writes_nothing(app_world: Any, tmp_path: Path) -> None:
    ents, owns = sample_records()
    ents[3] = ents[3].model_copy(update={"uscc": ents[3].uscc[:17] + "0"})
    path = write_registry_xlsx(tmp_path / "坏文件.xlsx", ents, owns)
    client = app_world.client("analyst")
    before = client.get("/api/registry/enterprises?limit=500").json()
    response = client.post("/api/registry/import", files=_upload(path))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "ZG-INPUT-100" and problem["report"]["committed"] is False
    located = {(p["location"].get("sheet"), p["location"].get("row")) for p in problem["problems"]}
    assert ("企业", 5) in located
    assert client.get("/api/registry/enterprises?limit=500").json() == before
    inbox = app_world.settings.workspace / "inbox" / "registry"
    [kept] = list(inbox.glob("*.xlsx"))
    assert kept.read_bytes() == path.read_bytes()
    meta = json.loads(kept.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["arrivals"][0]["sender"] == "web:analyst"
    assert meta["outcomes"][-1]["result"] == "rejected"


def test_wrong_file_type_and_officer_export_scope(app_world: Any) -> None:
    client = app_world.client("analyst")
    files = {"file": ("notes.txt", b"hello", "text/plain")}
    response = client.post("/api/registry/import", files=files)
    assert response.status_code == 422 and ".xlsx" in response.json()["detail"]
    officer = app_world.client("off_a1").get("/api/registry/export")
    book = load_workbook(io.BytesIO(officer.content), read_only=True)
    usccs = {str(r[0]) for r in book["企业"].iter_rows(min_row=2, values_only=True)}
    assert usccs == {SAMPLE["A1"], SAMPLE["A11"], SAMPLE["A12"]}


def test_markup_in_imported_names_never_runs(app_world: Any, tmp_path: Path) -> None:
    ents, owns = sample_records()
    evil = "<img src=x onerror=alert(1)>"
    ents[1] = ents[1].model_copy(update={"short_name": evil, "name_en": evil})
    client = app_world.client("analyst")
    path = write_registry_xlsx(tmp_path / "x.xlsx", ents, owns)
    assert client.post("/api/registry/import", files=_upload(path)).status_code == 200
    page = client.get(f"/enterprises/{SAMPLE['A1']}", headers={"Accept": "text/html"})
    assert evil not in page.text and "&lt;img src=x" in page.text
    csp = page.headers["content-security-policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    tree_js = client.get("/static/js/tree.js").text
    assert "encodeHTML" in tree_js  # the chart tooltip escapes names


def test_export_filename_is_ascii_with_a_utf8_alternative(app_world: Any) -> None:
    response = app_world.client("analyst").get("/api/registry/export")
    disposition = response.headers["content-disposition"]
    disposition.encode("latin-1")
    assert 'filename="registry.xlsx"' in disposition and "filename*=UTF-8''" in disposition


def test_absurd_offsets_are_rejected_not_crashing(app_world: Any) -> None:
    client = app_world.client("analyst")
    response = client.get("/api/registry/enterprises?offset=99999999999999999999")
    assert response.status_code == 422
