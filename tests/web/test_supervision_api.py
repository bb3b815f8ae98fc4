"""Supervision API: the indicator library (read; add as a regulator, 422 with the library's
error), scoped indicator values, the cockpit, an enterprise's overview, alerts and the
rectification loop end to end (with an attachment), overdue items and scope on every read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from supervision_world import (
    HEADLINES,
    PERIOD,
    SupervisionSeed,
    add_alert,
    debt_ratio,
    future,
    seed_supervision,
    with_session,
)

from zhiguo.core.periods import Period
from zhiguo.testing import SAMPLE
from zhiguo.web.routers.supervision_api import today_in

PLAN = b"%PDF-1.4\n% plan\n"


@pytest.fixture
def seed(app_world: Any) -> SupervisionSeed:
    return seed_supervision(app_world)


def test_the_library_lists_definitions_sets_and_sources(app_world: Any) -> None:
    body = app_world.client("off_a1").get("/api/supervision/indicators").json()
    codes = {i["code"]: i for i in body["indicators"]}
    assert codes["roe"]["default_caliber"] == "sasac_avg_incl_minority"
    assert set(codes["roe"]["calibers"]) >= {"fully_diluted_end", "csrc_weighted_attrib"}
    assert codes["debt_ratio"]["unit"] == "%" and codes["debt_ratio"]["direction"] == "lower"
    assert "yili_wulv" in codes["debt_ratio"]["sets"] and codes["debt_ratio"]["source"] == "builtin"
    assert {s["name"] for s in body["sets"]} >= {"yili_wulv", "performance"}
    one = app_world.client("off_a1").get("/api/supervision/indicators/roe").json()
    assert one["name_zh"] == "净资产收益率"
    missing = app_world.client("analyst").get("/api/supervision/indicators/no_such_thing")
    assert missing.status_code == 404


DEFINITION = {
    "indicators": {
        "equity_ratio_test": {
            "name_zh": "权益比率（测试）",
            "name_en": "Equity ratio (test)",
            "unit": "%",
            "formula": "total_equity.closing / total_assets.closing",
        }
    }
}


def test_an_analyst_adds_a_definition_and_a_bad_one_is_refused_with_its_reason(
    app_world: Any,
) -> None:
    analyst = app_world.client("analyst")
    added = analyst.post("/api/supervision/indicators", json=DEFINITION)
    assert added.status_code == 200, added.text
    assert added.json()["added"] == [{"code": "equity_ratio_test", "version": 1}]
    library = analyst.get("/api/supervision/indicators").json()["indicators"]
    assert next(i for i in library if i["code"] == "equity_ratio_test")["source"] == "api v1"

    bad = {"indicators": {"broken_test": {**DEFINITION["indicators"]["equity_ratio_test"]}}}
    bad["indicators"]["broken_test"]["formula"] = "no_such_item.closing / total_assets.closing"
    refused = analyst.post("/api/supervision/indicators", json=bad)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "ZG-IND-002" and "no_such_item" in refused.json()["detail"]
    cycle = {
        "indicators": {
            "cyc_a": {"name_zh": "a", "name_en": "a", "unit": "%", "formula": "cyc_b / cyc_b"},
            "cyc_b": {"name_zh": "b", "name_en": "b", "unit": "%", "formula": "cyc_a / cyc_a"},
        }
    }
    looped = analyst.post("/api/supervision/indicators", json=cycle).json()
    assert looped["code"] == "ZG-IND-002" and "循环" in looped["message_zh"]
    codes = {i["code"] for i in analyst.get("/api/supervision/indicators").json()["indicators"]}
    assert not codes & {"broken_test", "cyc_a", "cyc_b"}  # nothing half-kept
    officer = app_world.client("off_a1").post("/api/supervision/indicators", json=DEFINITION)
    assert officer.status_code == 403


def test_values_are_scoped_and_the_portfolio_is_for_the_regulator(seed: SupervisionSeed) -> None:
    world = seed.world
    url = f"/api/supervision/values?period={PERIOD}&indicator=debt_ratio"
    analyst = world.client("analyst").get(url).json()["rows"]
    ids = {r["enterprise_id"] for r in analyst}
    assert ids == {0, *seed.ids.values()}
    officer = world.client("off_a1").get(url).json()["rows"]
    assert {r["enterprise_id"] for r in officer} == {seed.ids[k] for k in ("A1", "A11", "A12")}
    a1 = next(r for r in officer if r["enterprise_id"] == seed.ids["A1"])
    assert a1["value"] == debt_ratio("A1", Period.parse(PERIOD))


def test_the_cockpit_leads_with_the_portfolio_and_its_year_before(seed: SupervisionSeed) -> None:
    body = seed.world.client("analyst").get("/api/supervision/cockpit").json()
    here = Period.parse(PERIOD)
    assert body["period"] == PERIOD and body["subject"]["level"] == "portfolio"
    assert [h["code"] for h in body["headlines"]] == list(HEADLINES)
    debt = next(h for h in body["headlines"] if h["code"] == "debt_ratio")
    assert debt["value"] == debt_ratio(None, here)
    assert debt["previous"] == debt_ratio(None, here.previous)
    assert debt["last_year"] == debt_ratio(None, here.shift(-12))
    assert [p["period"] for p in debt["trend"]] == [str(here.shift(-i)) for i in range(12, -1, -1)]
    assert all(p["reference"] == debt_ratio(None, Period.parse(p["period"]).shift(-12))
               for p in debt["trend"])  # fmt: skip
    assert body["reference_kind"] == "prior_year"
    assert {g["uscc"] for g in body["groups"]} == {SAMPLE["G1"], SAMPLE["G2"]}
    assert body["alerts"]["total"] == len(SAMPLE)
    assert body["alerts"]["by_status"]["raised"] == len(SAMPLE)


def test_an_officers_cockpit_is_their_own_group(seed: SupervisionSeed) -> None:
    body = seed.world.client("off_g2").get("/api/supervision/cockpit").json()
    assert body["subject"]["uscc"] == SAMPLE["G2"] and body["subject"]["level"] == "group"
    debt = next(h for h in body["headlines"] if h["code"] == "debt_ratio")
    assert debt["value"] == debt_ratio("G2", Period.parse(PERIOD))
    assert [g["uscc"] for g in body["groups"]] == [SAMPLE["G2"]]
    assert body["alerts"]["total"] == 3  # G2, B1, B11


def test_an_enterprise_overview_shows_levels_children_and_alerts(seed: SupervisionSeed) -> None:
    client = seed.world.client("off_g1")
    body = client.get(f"/api/supervision/enterprises/{SAMPLE['G1']}").json()
    assert body["levels"] == ["group", "entity"] and body["level"] == "group"
    assert {c["uscc"] for c in body["children"]} == {SAMPLE["A1"], SAMPLE["A2"]}
    assert [a["id"] for a in body["alerts"]] == [seed.alerts["G1"]]
    entity = client.get(f"/api/supervision/enterprises/{SAMPLE['G1']}?level=entity").json()
    debt = next(h for h in entity["headlines"] if h["code"] == "debt_ratio")
    assert debt["value"] == debt_ratio("G1", Period.parse(PERIOD))
    wrong = client.get(f"/api/supervision/enterprises/{SAMPLE['A11']}?level=group")
    assert wrong.status_code == 422
    hidden = client.get(f"/api/supervision/enterprises/{SAMPLE['B1']}")
    assert hidden.status_code == 404


def test_the_loop_through_the_api(seed: SupervisionSeed) -> None:
    world = seed.world
    analyst, officer = world.client("analyst"), world.client("off_a1")
    alert_id = seed.alerts["A11"]
    detail = analyst.get(f"/api/supervision/alerts/{alert_id}").json()
    assert detail["actions"] == ["dispatch", "dismiss"]
    assignable = {u["username"]: u["id"] for u in detail["assignable"]}
    assert set(assignable) == {"off_a1", "off_g1"}  # A11's enterprise users up its chain

    early = officer.post(f"/api/supervision/alerts/{alert_id}/respond", data={"explanation": "x"})
    assert early.status_code == 409 and early.json()["code"] == "ZG-RECT-003"  # not dispatched
    side = officer.post(
        f"/api/supervision/alerts/{alert_id}/dispatch",
        json={"assignee_id": assignable["off_a1"], "due_date": future(), "instruction": "x"},
    )
    assert side.status_code == 403 and side.json()["code"] == "ZG-RECT-002"  # not theirs to do
    body = {"assignee_id": assignable["off_a1"], "due_date": future(), "instruction": "请整改"}
    sent = analyst.post(f"/api/supervision/alerts/{alert_id}/dispatch", json=body)
    assert sent.status_code == 200, sent.text
    assert sent.json()["alert"]["status"] == "dispatched"
    again = analyst.post(f"/api/supervision/alerts/{alert_id}/dispatch", json=body)
    assert again.status_code == 409 and again.json()["code"] == "ZG-RECT-003"

    files = [("plan", ("整改方案.pdf", PLAN, "application/pdf"))]
    answer = officer.post(
        f"/api/supervision/alerts/{alert_id}/respond", data={"explanation": "已整改"}, files=files
    )
    assert answer.status_code == 200, answer.text
    attachment = answer.json()["event"]["attachments"][0]
    assert attachment["file_name"] == "整改方案.pdf" and attachment["kind"] == "plan"
    url = f"/api/supervision/alerts/{alert_id}/attachments/{attachment['id']}"
    got = analyst.get(url)
    assert got.status_code == 200 and got.content == PLAN
    assert world.client("off_g2").get(url).status_code == 404

    closed = analyst.post(f"/api/supervision/alerts/{alert_id}/close", json={"note": "已核查"})
    assert closed.json()["alert"]["status"] == "closed"
    history = analyst.get(f"/api/supervision/alerts/{alert_id}").json()["history"]
    assert [e["action"] for e in history["events"]] == ["raise", "dispatch", "respond", "close"]
    assert [e["actor"] for e in history["events"][1:]] == ["analyst", "off_a1", "analyst"]
    empty = analyst.post(
        f"/api/supervision/alerts/{seed.alerts['A1']}/dismiss", json={"reason": " "}
    )
    assert empty.status_code == 422 and empty.json()["code"] == "ZG-RECT-010"


def test_alert_lists_are_scoped_and_filtered(seed: SupervisionSeed) -> None:
    world = seed.world
    mine = world.client("off_g2").get("/api/supervision/alerts?limit=500").json()
    assert {a["id"] for a in mine["items"]} == {seed.alerts[k] for k in ("G2", "B1", "B11")}
    assert mine["total"] == 3
    everyone = world.client("analyst").get("/api/supervision/alerts?status=raised").json()
    assert everyone["total"] == len(SAMPLE)
    assert world.client("analyst").get("/api/supervision/alerts?status=closed").json()["total"] == 0
    other = world.client("off_g2").get(f"/api/supervision/alerts/{seed.alerts['A1']}")
    assert other.status_code == 404 and other.json()["code"] == "ZG-RECT-001"


def test_overdue_alerts_surface_for_the_caller_only(seed: SupervisionSeed) -> None:
    today = today_in(seed.world.settings)  # due dates are local calendar days
    late = with_session(
        seed.world,
        lambda s: add_alert(
            s, seed.ids["B11"], status="dispatched", due_date=today - timedelta(days=3)
        ),
    )
    body = seed.world.client("off_g2").get("/api/supervision/alerts/overdue").json()
    assert [(o["alert"]["id"], o["days_overdue"]) for o in body] == [(late, 3)]
    assert seed.world.client("off_a1").get("/api/supervision/alerts/overdue").json() == []
