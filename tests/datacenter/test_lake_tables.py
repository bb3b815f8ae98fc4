"""Lake tables: one commit per submission, corrections as new versions, every version
readable by number and by time, and a writer killed mid-commit changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.datacenter.flashreport import FLASH_REPORT
from zhiguo.datacenter.lake import LakeTable

ENGINE = DuckDBEngine()


def facts(enterprise_id: int, period: str, value: float, n: int = 3) -> pa.Table:
    now = datetime.now(UTC)
    return pa.table(
        {
            "enterprise_id": [enterprise_id] * n,
            "uscc": ["X"] * n,
            "period": [period] * n,
            "report_type": ["single"] * n,
            "item_code": [f"item{i}" for i in range(n)],
            "caliber": ["closing"] * n,
            "scope": ["total"] * n,
            "value": [value] * n,
            "unit_declared": ["yuan"] * n,
            "batch_id": ["b"] * n,
            "submitted_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
        }
    )


def totals(table: LakeTable, **kw: object) -> dict[int, float]:
    rel = table.snapshot(**kw)  # type: ignore[arg-type]
    got = ENGINE.query(
        "SELECT enterprise_id, sum(value) AS s FROM t GROUP BY 1 ORDER BY 1", tables={"t": rel}
    )
    return {r["enterprise_id"]: r["s"] for r in got.to_pylist()}


def test_a_correction_replaces_the_report_as_a_new_version_and_old_ones_stay(
    tmp_path: Path,
) -> None:
    table = LakeTable(tmp_path, FLASH_REPORT)
    v1 = table.commit(facts(1, "2026-01", 1.0))
    v2 = table.commit(facts(2, "2026-01", 2.0))
    v3 = table.commit(facts(1, "2026-01", 5.0))  # correction of enterprise 1, 2026-01
    assert (v1, v2, v3) == (1, 2, 3)
    assert totals(table) == {1: 15.0, 2: 6.0}
    assert totals(table, version=1) == {1: 3.0}
    assert totals(table, version=2) == {1: 3.0, 2: 6.0}
    # another period of the same enterprise is a different report: appended, not replaced
    table.commit(facts(1, "2026-02", 7.0))
    assert totals(table) == {1: 36.0, 2: 6.0}


def test_as_of_a_timestamp_reads_the_version_current_then(tmp_path: Path) -> None:
    table = LakeTable(tmp_path, FLASH_REPORT)
    table.commit(facts(1, "2026-01", 1.0))
    time.sleep(0.05)
    between = datetime.now(UTC)
    time.sleep(0.05)
    table.commit(facts(1, "2026-01", 9.0))
    assert totals(table, as_of=between) == {1: 3.0}
    assert totals(table) == {1: 27.0}
    assert table.snapshot_version(as_of=between) == 1


def test_history_names_each_commit_s_batch(tmp_path: Path) -> None:
    table = LakeTable(tmp_path, FLASH_REPORT)
    table.commit(facts(1, "2026-01", 1.0), metadata={"batch_id": "b-1"})
    table.commit(facts(2, "2026-01", 1.0), metadata={"batch_id": "b-2"})
    batches = [h.metadata.get("batch_id") for h in table.history()]
    assert batches[:2] == ["b-2", "b-1"]


def test_an_unknown_version_is_a_clear_not_found(tmp_path: Path) -> None:
    from zhiguo.core.errors import NotFound

    table = LakeTable(tmp_path, FLASH_REPORT)
    table.commit(facts(1, "2026-01", 1.0))
    with pytest.raises(NotFound) as info:
        table.snapshot(version=42)
    assert "42" in info.value.message_en


_WRITER = """
import sys, pathlib
from datetime import UTC, datetime
import pyarrow as pa
from zhiguo.datacenter.flashreport import FLASH_REPORT
from zhiguo.datacenter.lake import LakeTable
n = int(sys.argv[2])
now = datetime.now(UTC)
big = pa.table({
    "enterprise_id": pa.array(range(n), pa.int64()),
    "uscc": pa.array(["X"] * n), "period": pa.array(["2026-02"] * n),
    "report_type": pa.array(["single"] * n),
    "item_code": pa.array([f"i{i % 997}" for i in range(n)]),
    "caliber": pa.array(["closing"] * n), "scope": pa.array(["total"] * n),
    "value": pa.array([float(i) for i in range(n)]), "unit_declared": pa.array(["yuan"] * n),
    "batch_id": pa.array(["killed"] * n),
    "submitted_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
})
pathlib.Path(sys.argv[3]).write_text("ready")
LakeTable(pathlib.Path(sys.argv[1]), FLASH_REPORT).commit(big)
pathlib.Path(sys.argv[3]).write_text("done")
"""


@pytest.mark.slow
def test_a_writer_killed_mid_commit_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    table = LakeTable(tmp_path / "lake", FLASH_REPORT)
    table.commit(facts(1, "2026-01", 1.0))
    table_dir = table.path
    before = {p.name for p in table_dir.glob("*.parquet*")}
    marker = tmp_path / "marker"
    killed_mid_write = False
    for n in (2_000_000, 6_000_000):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path / "lake"), str(n), str(marker)],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        while not marker.exists() and proc.poll() is None:
            time.sleep(0.01)
        # kill while the data file is being written (delta-rs streams it as ``…parquet#1``
        # and renames it before appending the log entry): squarely mid-commit
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any(
                name.endswith("#1")
                for name in {p.name for p in table_dir.glob("*.parquet*")} - before
            ):
                break
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            partial = [p for p in table_dir.glob("*.parquet#*") if p.name not in before]
            killed_mid_write = marker.read_text() == "ready" and bool(partial)
        if killed_mid_write:
            break
        marker.unlink()
    assert killed_mid_write, "the writer finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    # the log still ends at version 1 and reads exactly as before
    reopened = LakeTable(tmp_path / "lake", FLASH_REPORT)
    assert reopened.version() == 1
    assert totals(reopened) == {1: 3.0}
    # and the table takes the next commit normally
    assert reopened.commit(facts(2, "2026-01", 2.0)) == 2
    assert totals(reopened) == {1: 3.0, 2: 6.0}


def test_compaction_merges_files_into_a_new_version_with_the_same_answers(
    tmp_path: Path,
) -> None:
    table = LakeTable(tmp_path, FLASH_REPORT)
    for enterprise in range(1, 6):
        table.commit(facts(enterprise, "2026-01", float(enterprise)))
    before = totals(table)
    files_before = len(table.snapshot().files)
    metrics = table.compact()
    assert table.version() == 6
    assert len(table.snapshot().files) < files_before == 5
    assert metrics["numFilesRemoved"] == 5
    assert totals(table) == before
    assert totals(table, version=3) == {1: 3.0, 2: 6.0, 3: 9.0}  # history still readable


def test_replace_all_writes_a_whole_snapshot_and_keeps_the_old_one(tmp_path: Path) -> None:
    table = LakeTable(tmp_path, FLASH_REPORT)
    v1 = table.replace_all(pa.concat_tables([facts(1, "2026-01", 1.0), facts(2, "2026-01", 2.0)]))
    v2 = table.replace_all(facts(3, "2026-02", 4.0), metadata={"zhiguo_action": "test"})
    assert v2 == v1 + 1
    assert totals(table) == {3: 12.0}  # enterprises 1 and 2 are gone from the snapshot
    assert totals(table, version=v1) == {1: 3.0, 2: 6.0}
