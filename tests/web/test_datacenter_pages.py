"""Data-centre pages: catalog, submitting a file (problems shown in place), submission status
and the 催报 list — in Chinese by default and in English, for the regulator and an officer."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

from zhiguo.core.periods import Period
from zhiguo.testing import SAMPLE
from zhiguo.testing.flash import flash_report_rows
from zhiguo.web.routers.datacenter_pages import TEXT

PERIOD = str(Period.parse(datetime.now(UTC).date()).previous)
HTML = {"Accept": "text/html"}
HX = {"Accept": "text/html", "HX-Request": "true"}


def report_csv(key: str, *, bad_row: int | None = None) -> bytes:
    """A consistent flash report of ``key`` as CSV; ``bad_row`` (spreadsheet row, header = 1)
    gets a value that is not a number."""
    rows = flash_report_rows(SAMPLE[key], PERIOD)
    if bad_row is not None:
        rows[bad_row - 2]["value"] = "abc"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def post_file(client: Any, data: bytes, headers: dict[str, str], **form: str) -> Any:
    files = {"file": ("report.csv", data, "text/csv")}
    return client.post("/submit", files=files, data=form, headers=headers)


def test_page_texts_exist_in_both_languages() -> None:
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_pages_render_in_chinese_for_the_regulator_and_an_officer(app_world: Any) -> None:
    for user in ("analyst", "off_a1"):
        client = app_world.client(user)
        for url, text in [
            ("/catalog", "数据目录"),
            ("/catalog/flash_report", "财务快报"),
            ("/submit", "上传并校验"),
            (f"/submissions?period={PERIOD}", "报送情况"),
            ("/submissions", "报送情况"),
        ]:
            page = client.get(url, headers=HTML)
            assert page.status_code == 200, (user, url, page.status_code)
            assert text in page.text, (user, url)
            assert 'lang="zh-CN"' in page.text
            assert 'href="/catalog"' in page.text and 'href="/submit"' in page.text
            # CSP script-src 'self': no inline script on any page
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), (user, url)


def test_pages_render_in_english(app_world: Any) -> None:
    client = app_world.client("analyst")
    assert "Dataset catalog" in client.get("/catalog?lang=en", headers=HTML).text
    page = client.get(f"/submissions?period={PERIOD}&lang=en", headers=HTML).text
    assert "Submissions" in page and "Reminder list" in page


def test_the_catalog_shows_classification_and_lineage_only_to_the_regulator(
    app_world: Any,
) -> None:
    analyst = app_world.client("analyst")
    batch = post_file(analyst, report_csv("B11"), HX)
    batch_id = re.search(r'class="mono">([0-9a-f-]{36})<', batch.text)
    assert batch_id, batch.text
    page = analyst.get("/catalog/flash_report", headers=HTML).text
    assert "重要" in page and "一般" in page  # the dataset's level and its columns'
    assert 'data-testid="lineage"' in page and batch_id[1] in page
    officer = app_world.client("off_a1").get("/catalog/flash_report", headers=HTML).text
    assert 'data-testid="lineage"' not in officer and batch_id[1] not in officer
    assert re.search(r'data-testid="rows">0<', officer)


def test_an_upload_through_the_page_shows_every_problem_in_place(app_world: Any) -> None:
    client = app_world.client("off_a1")
    fragment = post_file(client, report_csv("A1", bad_row=5), HX)
    assert fragment.status_code == 200  # htmx swaps only 2xx answers
    assert "<html" not in fragment.text  # a fragment for #submit-result
    assert 'data-status="rejected"' in fragment.text
    assert 'data-testid="problems"' in fragment.text
    assert "ZG-INGEST-050" in fragment.text
    assert "不是数字" in fragment.text and "is not a number" in fragment.text  # zh + en
    row = re.search(r'<tr class="sev-error">(.*?)</tr>', fragment.text, re.S)
    assert row and re.search(r"<td>5</td>", row[1]) and ">value<" in row[1]
    report = re.search(r'href="(/api/ingest/batches/[0-9a-f-]{36}/report)"', fragment.text)
    assert report, "the rejected upload links its validation report"
    assert client.get(report[1]).status_code == 200

    full = post_file(client, report_csv("B11"), HTML)  # no htmx: the whole page, 422
    assert full.status_code == 422
    assert "<html" in full.text and "ZG-INGEST-081" in full.text


def test_an_accepted_upload_through_the_page(app_world: Any) -> None:
    client = app_world.client("off_a1")
    fragment = post_file(client, report_csv("A1"), HX)
    assert 'data-status="accepted"' in fragment.text
    assert re.search(r'data-testid="facts">62<', fragment.text)
    checked = post_file(client, report_csv("A11"), HX, dry_run="true")
    assert 'data-status="checked"' in checked.text
    page = client.get("/submit", headers=HTML).text
    assert 'data-testid="recent"' in page and "已接收" in page


def test_an_oversize_upload_through_the_page_says_so(app_world: Any) -> None:
    app_world.settings.ingest.max_file_mb = 1
    try:
        client = app_world.client("off_a1")
        fragment = post_file(client, report_csv("A1") + b"\n" * (1024 * 1024 + 1), HX)
        assert fragment.status_code == 200
        assert 'data-testid="submit-error"' in fragment.text and "ZG-INPUT-012" in fragment.text
    finally:
        app_world.settings.ingest.max_file_mb = 512


def test_submission_status_page_is_scoped_and_colour_coded(app_world: Any) -> None:
    post_file(app_world.client("off_a1"), report_csv("A1"), HX)
    page = app_world.client("off_a1").get(f"/submissions?period={PERIOD}", headers=HTML).text
    shown = set(re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', page))
    assert shown == {SAMPLE["A1"], SAMPLE["A11"], SAMPLE["A12"]}
    assert 'class="st st-late"' in page or 'class="st st-on_time"' in page
    assert 'data-testid="overdue-link"' not in page  # 催报 is the regulator's


def test_the_reminder_list_page_is_for_regulators(app_world: Any) -> None:
    post_file(app_world.client("off_a1"), report_csv("A1"), HX)
    analyst = app_world.client("analyst")
    page = analyst.get(f"/submissions?period={PERIOD}", headers=HTML).text
    assert 'data-testid="overdue-link"' in page
    overdue = analyst.get(f"/submissions/overdue?period={PERIOD}", headers=HTML)
    assert overdue.status_code == 200 and "催报清单" in overdue.text
    statuses = set(re.findall(r'data-testid="status">([^<]+)<', overdue.text))
    assert statuses <= {"未报送", "逾期报送"}
    refused = app_world.client("off_a1").get(f"/submissions/overdue?period={PERIOD}", headers=HTML)
    assert refused.status_code == 403
