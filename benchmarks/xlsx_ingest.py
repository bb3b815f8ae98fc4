"""xlsx ingestion: 1,000 filled-in flash-report workbooks (one per entity) read, checked and
committed, against python-calamine's bare read of the same workbooks.

Ours: for each workbook the structural guard (zip directory, bombs, encryption), the
template reader (cover + data sheet, exact cells, merged cells and formulas from the sheet
XML) and then validation of all the facts together and one lake commit (a group submitting
its entities' workbooks at once). Baseline: ``CalamineWorkbook.from_path`` + ``to_python()``
of every sheet — reading only, no checks, no facts. ratio = ours / baseline (lower is
better); the issue's goal is ≤ 1.5.

    .venv/bin/python benchmarks/xlsx_ingest.py --scale M --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from zhiguo.core import create_db_engine, init_workspace, make_sessionmaker, session_scope
from zhiguo.datacenter.catalog import default_registry, sync_catalog
from zhiguo.datacenter.flashreport import all_items, write_template
from zhiguo.datacenter.ingest import (
    ValidationContext,
    commit_facts,
    entities_table,
    read_flash_report_xlsx,
    validate_facts,
)
from zhiguo.datacenter.lake import LakeTable
from zhiguo.demo import generate_world
from zhiguo.demo.reports import generate_flash_reports
from zhiguo.registry import load_records

SCALES = {"S": 30, "M": 1000, "L": 1500}  # workbooks


def _workbooks(n: int, folder: Path) -> tuple[list[Path], object]:
    world = generate_world("S")
    reports = generate_flash_reports(world, months=1)
    period = reports.periods[-1]
    facts = reports.facts(period)
    facts = facts.filter(pc.equal(facts["report_type"], "single"))
    money = {i.code for i in all_items() if i.unit_kind == "money"}
    by_entity: dict[str, dict[tuple[str, str], float]] = {}
    for r in facts.to_pylist():
        value = r["value"] / 10_000 if r["item_code"] in money else r["value"]
        by_entity.setdefault(r["uscc"], {})[(r["item_code"], r["caliber"])] = value
    paths = []
    for uscc, values in list(by_entity.items())[:n]:
        path = folder / f"{uscc}.xlsx"
        write_template(path, year=int(period[:4]), uscc=uscc, period=period, values=values)
        paths.append(path)
    return paths, world


def baseline(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def ours(paths: list[Path], ws: object) -> tuple[float, int]:
    engine = create_db_engine(ws.settings)  # type: ignore[attr-defined]
    factory = make_sessionmaker(engine)
    start = time.perf_counter()
    with factory() as session:
        raws = []
        for path in paths:
            raw, problems = read_flash_report_xlsx(path, file_label=path.name)
            if any(p.severity == "error" for p in problems):
                raise SystemExit(f"{path.name}: {[p.message_en for p in problems][:3]}")
            raws.append(raw)
        table = LakeTable(ws.root / "lake", default_registry().get("flash_report"))  # type: ignore[attr-defined]
        ctx = ValidationContext(
            file="batch",
            entities=entities_table(session),
            allowed_ids=None,
            period_state=lambda _p: "open",
        )
        checked = validate_facts(pa.concat_tables(raws), ctx)
        if checked.errors:
            raise SystemExit([p.message_en for p in checked.errors[:5]])
        commit_facts(
            session=session,
            table=table,
            facts=checked.facts,
            batch_id=str(uuid.uuid4()),
            submitter="bench",
            submitted_at=datetime.now(UTC),
        )
        session.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, checked.facts.num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"writing {SCALES[args.scale]} workbooks …", file=sys.stderr)
        paths, world = _workbooks(SCALES[args.scale], folder)
        ours_t, base_t, facts = [], [], 0
        for rep in range(args.repeat):
            ws = init_workspace(folder / f"ws{rep}")
            engine = create_db_engine(ws.settings)
            with session_scope(make_sessionmaker(engine)) as session:
                load_records(
                    session=session,
                    enterprises=world.enterprises,  # type: ignore[attr-defined]
                    ownership=world.ownership,  # type: ignore[attr-defined]
                )
                sync_catalog(session)
            engine.dispose()
            base_t.append(baseline(paths))
            t, facts = ours(paths, ws)
            ours_t.append(t)
            print(f"rep {rep}: ours {t:.2f}s calamine {base_t[-1]:.2f}s", file=sys.stderr)
        o, b = statistics.median(ours_t), statistics.median(base_t)
        print(
            json.dumps(
                {
                    "benchmark": "xlsx_ingest",
                    "scale": args.scale,
                    "workbooks": len(paths),
                    "facts": facts,
                    "ours_s": round(o, 5),
                    "baseline": "python_calamine_bare_read",
                    "baseline_s": round(b, 5),
                    "ratio": round(o / b, 3),
                    "goal": "<= 1.5",
                    "machine": "2 cores",
                }
            )
        )


if __name__ == "__main__":
    main()
