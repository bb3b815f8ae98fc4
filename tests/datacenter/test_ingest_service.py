"""Ingesting flash reports end to end: kept, checked, committed — or refused precisely with
nothing written. Each bad input names its rule, row and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace
from zhiguo.core.access import Scope
from zhiguo.core.periods import Period
from zhiguo.datacenter.catalog import TableCommit
from zhiguo.datacenter.flashreport import FLASH_REPORT
from zhiguo.datacenter.ingest import (
    IngestBatch,
    IngestResult,
    close_period,
    ingest_file,
    submission_states,
)
from zhiguo.datacenter.lake import LakeTable
from zhiguo.testing import SAMPLE
from zhiguo.testing.flash import flash_report_rows, write_csv

World = tuple[Workspace, Callable[[], Session]]
A1, B11 = SAMPLE["A1"], SAMPLE["B11"]


def run(world: World, path: Path, scope: Scope | None = None, **kw: Any) -> IngestResult:
    ws, factory = world
    with factory() as session:
        result = ingest_file(
            session=session,
            settings=ws.settings,
            path=path,
            dataset="flash_report",
            submitter="tester",
            scope=scope or Scope.everything(),
            **kw,
        )
        session.commit()
    return result


def lake_version(world: World) -> int:
    return LakeTable(world[0].root / "lake", FLASH_REPORT).version()


def codes(result: IngestResult) -> set[str]:
    return {p.code for p in result.errors}


def test_a_good_report_is_committed_once_with_its_lineage(
    dc_workspace: World, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a1-2026-01.csv", flash_report_rows(A1, "2026-01"))
    result = run(dc_workspace, path)
    assert (result.status, result.errors, result.lake_version) == ("accepted", [], 1)
    assert result.facts == len(flash_report_rows(A1, "2026-01"))
    # kept in the inbox under its hash, with the outcome
    kept = dc_workspace[0].root / "inbox" / "flash_report" / f"{result.sha256}.csv"
    assert kept.read_bytes() == path.read_bytes()
    sidecar = json.loads(kept.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["outcomes"][-1]["status"] == "accepted"
    with dc_workspace[1]() as session:
        commit = session.scalar(select(TableCommit).where(TableCommit.version == 1))
        assert commit is not None
        assert (commit.batch_id, commit.inbox_sha256) == (result.batch_id, result.sha256)
    # the identical file again: recognised, nothing changes
    again = run(dc_workspace, path)
    assert (again.status, again.lake_version) == ("duplicate", 1)
    assert lake_version(dc_workspace) == 1


def test_gbk_csv_with_chinese_labels_is_detected_and_accepted(
    dc_workspace: World, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "gbk.csv", flash_report_rows(A1, "2026-01"), encoding="gbk")
    assert run(dc_workspace, path).status == "accepted"


def test_gbk_declared_as_utf8_is_refused_with_the_line(dc_workspace: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", flash_report_rows(A1, "2026-01"), encoding="gbk")
    result = run(dc_workspace, path, encoding="utf-8")
    assert codes(result) == {"ZG-INGEST-004"}
    assert result.errors[0].location.row == 2
    assert "GBK" in result.errors[0].message_zh
    assert lake_version(dc_workspace) == -1


def test_a_correction_replaces_the_month_as_a_new_version(
    dc_workspace: World, tmp_path: Path
) -> None:
    run(dc_workspace, write_csv(tmp_path / "v1.csv", flash_report_rows(A1, "2026-01")))
    fixed = flash_report_rows(A1, "2026-01", scale=2.0)
    result = run(dc_workspace, write_csv(tmp_path / "v2.csv", fixed))
    assert (result.status, result.lake_version) == ("accepted", 2)
    table = LakeTable(dc_workspace[0].root / "lake", FLASH_REPORT)
    latest = table.snapshot().to_table()
    first = table.snapshot(version=1).to_table()
    assert latest.num_rows == first.num_rows
    assets = latest.filter(pa.compute.equal(latest["item_code"], "total_assets"))
    assert set(assets["value"].to_pylist()) == {2_000_000.0}


def test_wan_yuan_is_converted_to_yuan(dc_workspace: World, tmp_path: Path) -> None:
    rows = flash_report_rows(A1, "2026-01", unit="万元")
    result = run(dc_workspace, write_csv(tmp_path / "wan.csv", rows))
    assert result.status == "accepted", [p.message_en for p in result.errors]
    data = LakeTable(dc_workspace[0].root / "lake", FLASH_REPORT).snapshot().to_table()
    assets = data.filter(pa.compute.equal(data["item_code"], "total_assets"))
    assert set(assets["value"].to_pylist()) == {1_000_000.0}
    assert set(assets["unit_declared"].to_pylist()) == {"10k_yuan"}


def _broken(
    rows: list[dict[str, Any]], item: str, caliber: str, value: Any
) -> list[dict[str, Any]]:
    hit = [r for r in rows if r["item_code"] == item and r["caliber"] == caliber]
    assert hit, (item, caliber)
    hit[0]["value"] = value
    return rows


def _row_of(rows: list[dict[str, Any]], item: str, caliber: str) -> int:
    return (
        next(i for i, r in enumerate(rows) if r["item_code"] == item and r["caliber"] == caliber)
        + 2
    )


CASES = [
    # (name, mutate rows, expected error codes, item with the located problem)
    (
        "required value is a dash",
        lambda r: _broken(r, "total_profit", "本年累计", "—"),
        {"ZG-INGEST-055"},
        ("total_profit", "本年累计"),
    ),
    (
        "required value is N/A",
        lambda r: _broken(r, "net_profit", "本年累计", "N/A"),
        {"ZG-INGEST-055"},
        ("net_profit", "本年累计"),
    ),
    (
        "negative where not allowed",
        lambda r: _broken(r, "inventory", "期末余额", "-5"),
        {"ZG-INGEST-053"},
        ("inventory", "期末余额"),
    ),
    (
        "NaN",
        lambda r: _broken(r, "cash", "期末余额", "NaN"),
        {"ZG-INGEST-052"},
        ("cash", "期末余额"),
    ),
    (
        "infinity",
        lambda r: _broken(r, "cash", "期末余额", "inf"),
        {"ZG-INGEST-052"},
        ("cash", "期末余额"),
    ),
    (
        "text",
        lambda r: _broken(r, "cash", "期末余额", "about 5"),
        {"ZG-INGEST-050"},
        ("cash", "期末余额"),
    ),
    (
        "balance sheet broken",
        lambda r: _broken(r, "total_liabilities", "期末余额", "600001"),
        {"ZG-INGEST-100"},
        ("total_assets", "期末余额"),
    ),
    (
        "subtotal below parts",
        lambda r: _broken(r, "current_assets", "期末余额", "100"),
        {"ZG-INGEST-101"},
        ("current_assets", "期末余额"),
    ),
    ("unknown item", lambda r: [*r, {**r[0], "item_code": "goodwill_x"}], {"ZG-INGEST-060"}, None),
    (
        "caliber not for a balance",
        lambda r: [*r, {**r[0], "caliber": "本月"}],
        {"ZG-INGEST-061"},
        None,
    ),
    ("duplicate row", lambda r: [*r, dict(r[0])], {"ZG-INGEST-070"}, None),
    ("unknown caliber", lambda r: [*r, {**r[0], "caliber": "季度"}], {"ZG-INGEST-063"}, None),
    (
        "headcount with a fraction",
        lambda r: _broken(r, "employees_end", "期末余额", "12.5"),
        {"ZG-INGEST-054"},
        ("employees_end", "期末余额"),
    ),
    (
        "absurd magnitude",
        lambda r: _broken(r, "cash", "期末余额", "9e15"),
        {"ZG-INGEST-056", "ZG-INGEST-101"},
        ("cash", "期末余额"),
    ),
]


@pytest.mark.parametrize(("name", "mutate", "want", "where"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_value_is_refused_precisely_and_nothing_is_written(
    dc_workspace: World, tmp_path: Path, name: str, mutate: Any, want: set[str], where: Any
) -> None:
    rows = mutate(flash_report_rows(A1, "2026-01"))
    path = write_csv(tmp_path / "bad.csv", rows)
    result = run(dc_workspace, path)
    assert result.status == "rejected"
    assert codes(result) == want, [p.message_en for p in result.errors]
    if where is not None:
        located = [p for p in result.errors if p.location.field == where[0]]
        assert located and located[0].location.row == _row_of(rows, *where)
        assert located[0].location.file == "bad.csv"
    assert all(p.message_zh and p.message_en for p in result.problems)
    assert lake_version(dc_workspace) == -1  # nothing written
    kept = dc_workspace[0].root / "inbox" / "flash_report" / f"{result.sha256}.csv"
    assert kept.exists()
    with dc_workspace[1]() as session:
        batch = session.get(IngestBatch, result.batch_id)
        assert batch is not None and batch.status == "rejected" and batch.errors >= 1


def test_numbers_as_text_are_refused_with_the_number_to_enter(
    dc_workspace: World, tmp_path: Path
) -> None:
    rows = _broken(flash_report_rows(A1, "2026-01"), "total_assets", "期末余额", "1,000,000.00")
    rows = _broken(rows, "cash", "期末余额", "１０００００")
    result = run(dc_workspace, write_csv(tmp_path / "sep.csv", rows))
    assert result.status == "rejected"
    assert [p.code for p in result.errors] == ["ZG-INGEST-051", "ZG-INGEST-051"]
    assert "1,000,000.00" in result.errors[0].message_zh
    assert "100,000.00" in result.errors[1].message_en
    assert lake_version(dc_workspace) == -1


def test_out_of_scope_entity_is_refused_without_telling_more(
    dc_workspace: World, tmp_path: Path
) -> None:
    with dc_workspace[1]() as session:
        from zhiguo.registry import subtree_ids

        scope = Scope.of(subtree_ids(session=session, root_id=_id(session, A1)))
    result = run(
        dc_workspace, write_csv(tmp_path / "b11.csv", flash_report_rows(B11, "2026-01")), scope
    )
    assert codes(result) == {"ZG-INGEST-081"}
    assert "未登记或不在您的报送范围内" in result.errors[0].message_zh
    assert lake_version(dc_workspace) == -1


def _id(session: Session, uscc: str) -> int:
    from zhiguo.registry import Enterprise

    found = session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
    assert found is not None
    return found


def test_closed_and_future_periods_are_refused(dc_workspace: World, tmp_path: Path) -> None:
    ws, factory = dc_workspace
    with factory() as session:
        close_period(session, "flash_report", Period(2026, 1), by="t", settings=ws.settings.ingest)
        session.commit()
    closed = run(dc_workspace, write_csv(tmp_path / "c.csv", flash_report_rows(A1, "2026-01")))
    assert codes(closed) == {"ZG-INGEST-091"}
    nxt = Period.parse(datetime.now(UTC).date()).shift(1)
    future = run(dc_workspace, write_csv(tmp_path / "f.csv", flash_report_rows(A1, str(nxt))))
    assert codes(future) == {"ZG-INGEST-092"}


def test_ytd_must_continue_last_month_and_unit_mixups_are_caught(
    dc_workspace: World, tmp_path: Path
) -> None:
    run(dc_workspace, write_csv(tmp_path / "jan.csv", flash_report_rows(A1, "2026-01")))
    feb = _broken(flash_report_rows(A1, "2026-02"), "total_revenue", "本年累计", "150000")
    result = run(dc_workspace, write_csv(tmp_path / "feb.csv", feb))
    assert "ZG-INGEST-110" in codes(result)
    # a 元 file declared as 万元: every figure 10,000× too large against January
    wrong_unit = flash_report_rows(A1, "2026-02")
    for r in wrong_unit:
        r["unit"] = "万元"
    result = run(dc_workspace, write_csv(tmp_path / "unit.csv", wrong_unit))
    assert "ZG-INGEST-067" in codes(result)
    assert lake_version(dc_workspace) == 1


def test_json_ndjson_and_parquet_give_the_same_facts_as_csv(
    dc_workspace: World, tmp_path: Path
) -> None:
    rows = flash_report_rows(A1, "2026-01")
    (tmp_path / "r.json").write_text(json.dumps({"facts": rows}, ensure_ascii=False), "utf-8")
    (tmp_path / "r.ndjson").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8"
    )
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "r.parquet")
    for name in ("r.json", "r.ndjson", "r.parquet"):
        result = run(dc_workspace, tmp_path / name, dry_run=True)
        assert (name, result.status, result.facts, result.errors) == (
            name,
            "checked",
            len(rows),
            [],
        )


def test_files_over_the_limit_are_kept_and_refused_unread(
    dc_workspace: World, tmp_path: Path
) -> None:
    ws, _ = dc_workspace
    ws.settings.ingest.max_file_mb = 1
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("uscc,period,report_type,unit,item_code,caliber,scope,value\n")
        line = f"{A1},2026-01,单户,元,cash,期末余额,合计,1\n"
        fh.write(line * (2 * 1024 * 1024 // len(line)))
    result = run(dc_workspace, big)
    assert codes(result) == {"ZG-INGEST-001"}
    assert (ws.root / "inbox" / "flash_report" / f"{result.sha256}.csv").exists()


def test_submission_status_tells_on_time_late_and_missing(
    dc_workspace: World, tmp_path: Path
) -> None:
    ws, factory = dc_workspace
    path = write_csv(tmp_path / "a1.csv", flash_report_rows(A1, "2026-01"))
    with factory() as session:
        ingest_file(
            session=session,
            settings=ws.settings,
            path=path,
            dataset="flash_report",
            submitter="t",
            scope=Scope.everything(),
            now=datetime(2026, 2, 20, tzinfo=UTC),
        )
        session.commit()
        states = submission_states(
            session,
            scope=Scope.everything(),
            dataset="flash_report",
            period=Period(2026, 1),
            settings=ws.settings.ingest,
            now=datetime(2026, 3, 1, tzinfo=UTC),
        )
    by = {s.uscc: s for s in states}
    assert by[A1].status == "late" and by[A1].days_late == 5
    assert by[B11].status == "missing"
