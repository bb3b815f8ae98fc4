"""Registry import: ours (calamine read + full validation + diff + one transaction) against
what a user would write without zhiguo (openpyxl read, one ORM object per row, no checks).

Both load the same demo-world workbook into fresh SQLite workspaces; the script checks that
both end with the same enterprises and edges, then prints one JSON line per baseline:
ratio = ours / baseline (lower is better). It also times `build_demo` against the issue's
one-minute budget for scale S.

    .venv/bin/python benchmarks/registry_import.py --scale S --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from zhiguo.core import Scope, create_db_engine, init_workspace, make_sessionmaker, session_scope
from zhiguo.demo import build_demo, generate_world
from zhiguo.registry import (
    Enterprise,
    OwnershipEdge,
    export_registry,
    import_registry,
    load_records,
    refresh_levels,
)


def _make_file(scale: str, folder: Path) -> Path:
    ws = init_workspace(folder / "source")
    world = generate_world(scale)
    engine = create_db_engine(ws.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        load_records(session=session, enterprises=world.enterprises, ownership=world.ownership)
        target = folder / "registry.xlsx"
        export_registry(session=session, scope=Scope.everything(), path=target)
    engine.dispose()
    return target


def _counts(url_ws: Path) -> tuple[int, int]:
    ws = init_workspace(url_ws)
    engine = create_db_engine(ws.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        counts = (
            int(session.scalar(select(func.count(Enterprise.id))) or 0),
            int(session.scalar(select(func.count(OwnershipEdge.id))) or 0),
        )
    engine.dispose()
    return counts


def ours(path: Path, folder: Path) -> float:
    ws = init_workspace(folder)
    engine = create_db_engine(ws.settings)
    start = time.perf_counter()
    with session_scope(make_sessionmaker(engine)) as session:
        report = import_registry(session=session, path=path)
    elapsed = time.perf_counter() - start
    engine.dispose()
    assert report.committed
    return elapsed


def baseline(path: Path, folder: Path) -> float:
    """The naive loader: no validation, no diff, an ORM object per row."""
    ws = init_workspace(folder)
    engine = create_db_engine(ws.settings)
    start = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    with session_scope(make_sessionmaker(engine)) as session:
        ids: dict[str, Enterprise] = {}
        for row in list(wb["企业"].iter_rows(values_only=True))[1:]:
            ent = Enterprise(
                uscc=row[0], name_zh=row[1], name_en=row[2] or "", short_name=row[3] or "",
                industry_code=row[4] or "", industry_category="non_industrial", level=1,
                region_code=row[6] or "", status="active", is_listed=row[8] == "是",
                supervision_class=None,
                state_share_pct=Decimal(str(row[10])) if row[10] not in (None, "") else None,
            )  # fmt: skip
            session.add(ent)
            ids[str(row[0])] = ent
        session.flush()
        for row in list(wb["股权"].iter_rows(values_only=True))[1:]:
            session.add(
                OwnershipEdge(
                    child_id=ids[str(row[0])].id, parent_id=ids[str(row[1])].id,
                    share_pct=Decimal(str(row[2])), controlling=row[3] == "是",
                    valid_from=date.fromisoformat(str(row[4])),
                    valid_to=date.fromisoformat(str(row[5])) if row[5] else None,
                )
            )  # fmt: skip
        session.flush()
        refresh_levels(session=session)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--scale", default="S", choices=["S", "M", "L"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"generating the {args.scale} demo world and exporting it …", flush=True)
        path = _make_file(args.scale, root)
        ours_s, base_s = [], []
        for i in range(args.repeat):  # interleaved so drift hits both sides alike
            ours_s.append(ours(path, root / f"ours{i}"))
            base_s.append(baseline(path, root / f"base{i}"))
            print(
                f"  run {i + 1}: ours {ours_s[-1]:.2f} s, baseline {base_s[-1]:.2f} s", flush=True
            )
        same = _counts(root / "ours0") == _counts(root / "base0")
        assert same, "both loaders must end with the same registry"
        start = time.perf_counter()
        build_demo(root / "demo", scale=args.scale)
        demo_s = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    common = {"scale": args.scale, "peak_rss_mb": round(rss), "machine": "2 cores"}
    o, b = statistics.median(ours_s), statistics.median(base_s)
    lines = [
        {"benchmark": "registry_import", **common, "ours_s": round(o, 3),
         "baseline": "naive_orm_no_validation", "baseline_s": round(b, 3),
         "ratio": round(o / b, 3), "goal": "<= 1.5 (lower is better; ours validates)"},
        {"benchmark": "demo_build", **common, "ours_s": round(demo_s, 3),
         "baseline": "budget_60s", "baseline_s": 60.0,
         "ratio": round(demo_s / 60.0, 3), "goal": "<= 1.0 at scale S (lower is better)"},
    ]  # fmt: skip
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
