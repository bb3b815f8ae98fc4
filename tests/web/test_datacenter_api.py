"""The data-centre API over the sample registry: submitting flash reports (accepted,
duplicate, rejected with every problem, too large), batches and their reports, submission
status and 催报, and scoped lake reads."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from zhiguo.core import Role
from zhiguo.core.periods import Period
from zhiguo.core.settings import IngestSettings
from zhiguo.datacenter.ingest import set_deadline
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE
from zhiguo.testing.flash import flash_report_rows
from zhiguo.web.app import create_app

# the last month that has ended (the ingest service refuses months still running)
PERIOD = str(Period.parse(datetime.now(UTC).date()).previous)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_csv(key: str, period: str = PERIOD, **changes: Any) -> bytes:
    """A consistent flash report of enterprise ``key`` (``"A1"``) as CSV bytes;
    ``changes`` maps a row number (1-based, header = row 1) to {column: value}."""
    rows = flash_report_rows(SAMPLE[key], period)
    for row_number, values in changes.items():
        rows[int(row_number.removeprefix("row")) - 2].update(values)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client: Any, data: bytes, name: str = "report.csv", **params: Any) -> Any:
    files = {"file": (name, data, "text/csv")}
    return client.post("/api/ingest/flash_report", files=files, params=params)


def lake_version(client: Any) -> int:
    return int(client.get("/api/catalog/flash_report").json()["version"])


def extend_deadline(world: Any, period: str = PERIOD) -> None:
    """Move ``period``'s deadline a month ahead, so a submission today is on time."""
    with world.app.state.sessionmaker() as session:
        set_deadline(
            session,
            "flash_report",
            Period.parse(period),
            datetime.now(UTC) + timedelta(days=30),
            settings=world.settings.ingest,
        )
        session.commit()


# ---------------------------------------------------------------- submitting


def test_an_officer_submits_a_report_for_their_enterprise(app_world: Any) -> None:
    client = app_world.client("off_a1")
    before = lake_version(client)
    data = report_csv("A1")
    response = upload(client, data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "accepted"
    assert (body["facts"], body["entities"]) == (62, 1)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["lake_version"] > before
    assert lake_version(client) == body["lake_version"]

    again = upload(client, data, name="same-again.csv")
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert again.json()["lake_version"] == body["lake_version"]
    assert lake_version(client) == body["lake_version"]


def test_a_dry_run_checks_and_writes_nothing(app_world: Any) -> None:
    client = app_world.client("off_a1")
    before = lake_version(client)
    response = upload(client, report_csv("A11"), dry_run="true")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "checked"
    assert lake_version(client) == before
    assert client.get("/api/ingest/batches").json()["total"] == 0


def test_a_report_outside_the_callers_scope_is_rejected_and_kept(app_world: Any) -> None:
    client = app_world.client("off_a1")
    before = lake_version(client)
    data = report_csv("B11")
    response = upload(client, data, name="b11.csv")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "ZG-INPUT-100"
    assert "ZG-INGEST-081" in {p["code"] for p in body["problems"]}
    assert lake_version(client) == before
    # the file is kept in the inbox by its hash, and the rejected batch stays on record
    sha = hashlib.sha256(data).hexdigest()
    assert (app_world.settings.workspace / "inbox" / "flash_report" / f"{sha}.csv").is_file()
    batch_id = body["report"]["batch_id"]
    detail = client.get(f"/api/ingest/batches/{batch_id}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["status"] == "rejected"
    assert "ZG-INGEST-081" in {p["code"] for p in detail.json()["problems"]}


def test_a_bad_value_is_rejected_with_its_row_and_column(app_world: Any) -> None:
    client = app_world.client("off_a1")
    before = lake_version(client)
    response = upload(client, report_csv("A1", row5={"value": "abc"}))
    assert response.status_code == 422
    located = [(p["code"], p["location"].get("row"), p["location"].get("column"))
               for p in response.json()["problems"]]  # fmt: skip
    assert ("ZG-INGEST-050", 5, "value") in located
    assert lake_version(client) == before


def test_an_upload_over_the_limit_answers_413_and_keeps_nothing(app_world: Any) -> None:
    settings = app_world.settings.model_copy(update={"ingest": IngestSettings(max_file_mb=1)})
    small = create_app(settings)
    user = app_world.users["off_a1"]
    try:
        with TestClient(small) as client:
            assert app_world.log_in(client, user.username, user.password).status_code == 200
            big = report_csv("A1") + b"\n" * (1024 * 1024 + 1)
            response = upload(client, big)
            assert response.status_code == 413
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "ZG-INPUT-012"
            inbox = settings.workspace / "inbox" / "flash_report"
            assert not inbox.exists() or not list(inbox.glob("*.csv"))
            assert upload(client, report_csv("A1")).status_code == 200
    finally:
        small.state.engine.dispose()


def test_unknown_datasets_and_encodings_are_refused(app_world: Any) -> None:
    client = app_world.client("analyst")
    files = {"file": ("r.csv", report_csv("A1"), "text/csv")}
    assert client.post("/api/ingest/no_such", files=files).status_code == 404
    bad = client.post("/api/ingest/flash_report?encoding=latin-1", files=files)
    assert bad.status_code == 422 and bad.json()["code"] == "ZG-INPUT-001"


def test_roles_that_may_not_submit_are_refused(app_world: Any) -> None:
    with app_world.app.state.sessionmaker() as session:
        add_user(session=session, username="leader", role=Role.REGULATOR_LEADER,
                 password="Leader-Pass-2024!", must_change_password=False)  # fmt: skip
        session.commit()
    app_world.users["leader"] = replace(
        app_world.users["analyst"], username="leader", password="Leader-Pass-2024!"
    )
    refused = upload(app_world.client("leader"), report_csv("A1"))
    assert refused.status_code == 403, refused.text
    assert upload(app_world.client(None), report_csv("A1")).status_code == 401
    # reading the 催报 list is a regulator function the leader does have
    overdue = app_world.client("leader").get("/api/submissions/overdue?period=" + PERIOD)
    assert overdue.status_code == 200


# ---------------------------------------------------------------- batches and reports


def test_batches_are_the_submitters_own_unless_regulator(app_world: Any) -> None:
    a1 = app_world.client("off_a1")
    g2 = app_world.client("off_g2")
    accepted = upload(a1, report_csv("A1")).json()["batch_id"]
    rejected = upload(g2, report_csv("A11")).json()["report"]["batch_id"]
    mine = {b["id"] for b in a1.get("/api/ingest/batches").json()["items"]}
    assert mine == {accepted}
    theirs = {b["id"] for b in g2.get("/api/ingest/batches").json()["items"]}
    assert theirs == {rejected}
    everyone = app_world.client("analyst").get("/api/ingest/batches").json()
    assert {b["id"] for b in everyone["items"]} == {accepted, rejected}
    assert everyone["total"] == 2
    for client, other in ((a1, rejected), (g2, accepted)):
        for suffix in ("", "/report"):
            response = client.get(f"/api/ingest/batches/{other}{suffix}")
            assert response.status_code == 404, (other, suffix)
    assert a1.get("/api/ingest/batches/not-a-uuid").status_code == 422


def test_a_batch_report_is_served_from_the_reports_folder(app_world: Any) -> None:
    client = app_world.client("off_a1")
    batch_id = upload(client, report_csv("A1")).json()["batch_id"]
    assert client.get(f"/api/ingest/batches/{batch_id}/report").status_code == 404
    target = app_world.settings.workspace / "reports" / "ingest" / f"{batch_id}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.active["A1"] = "问题"
    book.save(target)
    response = client.get(f"/api/ingest/batches/{batch_id}/report")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "问题"
    listed = client.get("/api/ingest/batches").json()["items"]
    assert listed[0]["report"] == f"/api/ingest/batches/{batch_id}/report"


def test_a_rejected_upload_links_its_validation_report(app_world: Any) -> None:
    client = app_world.client("off_a1")
    body = upload(client, report_csv("A1", row5={"value": "abc"})).json()
    url = body["report"]["url"]
    assert url == f"/api/ingest/batches/{body['report']['batch_id']}/report"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX


# ---------------------------------------------------------------- submission status, 催报


def test_submission_status_shows_only_the_callers_enterprises(app_world: Any) -> None:
    extend_deadline(app_world)
    client = app_world.client("off_a1")
    assert upload(client, report_csv("A1")).status_code == 200
    response = client.get("/api/submissions", params={"period": PERIOD})
    assert response.status_code == 200, response.text
    body = response.json()
    states = {s["uscc"]: s["status"] for s in body["items"]}
    assert states == {SAMPLE["A1"]: "on_time", SAMPLE["A11"]: "pending", SAMPLE["A12"]: "pending"}
    assert body["counts"] == {"on_time": 1, "late": 0, "missing": 0, "pending": 2}
    for hidden in ("G1", "A2", "G2", "B1", "B11"):
        assert SAMPLE[hidden] not in response.text

    everyone = app_world.client("analyst").get("/api/submissions", params={"period": PERIOD})
    assert len(everyone.json()["items"]) == len(SAMPLE)


def test_the_reminder_list_is_for_regulators(app_world: Any) -> None:
    upload(app_world.client("off_a1"), report_csv("A1"))  # late: the deadline has passed
    assert app_world.client("off_a1").get(
        "/api/submissions/overdue", params={"period": PERIOD}
    ).status_code == 403  # fmt: skip
    body = app_world.client("analyst").get(
        "/api/submissions/overdue", params={"period": PERIOD}
    ).json()  # fmt: skip
    assert {s["status"] for s in body["items"]} <= {"missing", "late"}
    assert {s["uscc"] for s in body["items"]} == set(SAMPLE.values())
    assert body["counts"]["late"] == 1


def test_a_period_must_be_a_month(app_world: Any) -> None:
    client = app_world.client("analyst")
    assert client.get("/api/submissions", params={"period": "2025-13"}).status_code == 422
    assert client.get("/api/submissions").status_code == 422


# ---------------------------------------------------------------- lake reads


def test_lake_reads_are_narrowed_to_the_callers_scope(app_world: Any) -> None:
    analyst = app_world.client("analyst")
    for key in ("A1", "B11"):
        assert upload(analyst, report_csv(key), name=f"{key}.csv").status_code == 200
    both = analyst.get("/api/lake/flash_report", params={"period": PERIOD}).json()
    assert both["count"] == 124
    assert {r["uscc"] for r in both["rows"]} == {SAMPLE["A1"], SAMPLE["B11"]}

    a1 = app_world.client("off_a1").get("/api/lake/flash_report").json()
    assert a1["count"] == 62 and {r["uscc"] for r in a1["rows"]} == {SAMPLE["A1"]}
    asked = app_world.client("off_a1").get(
        "/api/lake/flash_report", params={"uscc": SAMPLE["B11"]}
    ).json()  # fmt: skip
    assert (asked["count"], asked["rows"]) == (0, [])

    one = analyst.get("/api/lake/flash_report", params={"uscc": SAMPLE["B11"], "limit": 5})
    assert (one.json()["count"], len(one.json()["rows"])) == (62, 5)
    first = analyst.get("/api/lake/flash_report", params={"version": both["version"] - 1})
    assert {r["uscc"] for r in first.json()["rows"]} == {SAMPLE["A1"]}


def test_the_catalog_counts_only_visible_rows_and_hides_lineage_from_enterprises(
    app_world: Any,
) -> None:
    analyst = app_world.client("analyst")
    batch = upload(analyst, report_csv("B11")).json()["batch_id"]
    names = {d["name"] for d in analyst.get("/api/catalog").json()["items"]}
    assert "flash_report" in names
    full = analyst.get("/api/catalog/flash_report").json()
    assert full["rows"] == 62 and full["classification"] == "important"
    assert batch in {c["batch_id"] for c in full["lineage"]}
    officer = app_world.client("off_a1").get("/api/catalog/flash_report")
    assert officer.json()["rows"] == 0 and officer.json()["lineage"] is None
    assert batch not in officer.text and "analyst" not in officer.text
    assert app_world.client("off_a1").get("/api/catalog/no_such").status_code == 404


def test_an_identical_file_from_outside_the_scope_is_refused_not_a_duplicate(
    app_world: Any,
) -> None:
    data = report_csv("A1")
    assert upload(app_world.client("off_a1"), data).json()["status"] == "accepted"
    response = upload(app_world.client("off_g2"), data)
    assert response.status_code == 422, response.json()
