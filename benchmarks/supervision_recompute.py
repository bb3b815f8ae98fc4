"""Indicator recompute: every indicator × caliber of the library at four levels (entity,
group, subtree, portfolio) for every period of the flash report.

Ours: ``zhiguo.supervision.indicators.compute_indicators(publish=False)`` — the ownership
tree per period end, one SQL statement built from the library, run by the engine, and the
wide result reshaped to ``supervision.indicator_values`` rows.

Baselines, on the same Delta snapshot (``DeltaTable(...).to_pyarrow_dataset()``) and the same
closure/top tables (``tree_tables`` — input preparation, timed inside every side):

* ``duckdb_sql`` — ONE statement written by hand below (not generated from the library) with
  the same semantics: inputs pivoted by conditional aggregation, subtree sums through the
  closure table as of each period end, portfolio = the top-level groups' consolidated
  reports summed, ratios of sums with NULLIF guards. Goal: ours ≤ 1.3×.
* ``pandas`` — what a competent analyst writes: filtered read, ``pivot_table``, merges,
  ``groupby().sum()``, vectorised column arithmetic. Goal: ours ≥ 20× faster (≤ 0.05).
* ``incremental`` — ours for the last period alone against ours for all periods (≤ 0.10).

Every side's values are compared with ours (relative tolerance 1e-9) before any line is
printed; a disagreement ends the run. Publishing is timed once, separately (not in a ratio).

The data: the demo world at the chosen scale and its flash reports (36 months), committed
straight to the lake with ``commit_facts`` (lineage and submission rows as an ingest leaves
them, but *without* ingest validation — the demo reports are consistent by construction and
this benchmark measures computation). The workspace is cached under
``$ZHIGUO_BENCH_CACHE`` (default ``/tmp/zhiguo-bench``) by scale, seed and data version, so
reruns skip generation. Scales: tiny (1,500 entities × 3 months, for the test suite), S
(1,500 × 36), M (10,000 × 36: the issue's number), L (100,000 × 36).

    .venv/bin/python benchmarks/supervision_recompute.py --scale M --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable
from sqlalchemy import select

from zhiguo.core import (
    Workspace,
    create_db_engine,
    init_workspace,
    make_sessionmaker,
    open_workspace,
    session_scope,
)
from zhiguo.datacenter.catalog import sync_catalog
from zhiguo.datacenter.ingest import commit_facts
from zhiguo.datacenter.lake import open_table
from zhiguo.demo import generate_world
from zhiguo.demo.reports import generate_flash_reports
from zhiguo.registry import Enterprise, load_records
from zhiguo.supervision.indicators import compute_indicators
from zhiguo.supervision.indicators.compute import factor_table, tree_tables

SCALES: dict[str, tuple[str, int]] = {
    "tiny": ("S", 3),
    "S": ("S", 36),
    "M": ("M", 36),
    "L": ("L", 36),
}
"""scale → (demo world scale, months of flash reports)."""
SEED = 20261125
DATA_VERSION = 1  # bump when the cached workspace's content changes
CACHE = Path(os.environ.get("ZHIGUO_BENCH_CACHE", Path(tempfile.gettempdir()) / "zhiguo-bench"))
REL_TOL = 1e-9
ABS_TOL = 1e-9


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------- the data
def prepare_workspace(
    scale: str, *, cache: Path = CACHE, seed: int = SEED, progress: Callable[[str], None] = say
) -> Workspace:
    """The benchmark workspace for ``scale``: registry + flash reports, built once and cached
    (a folder without its ``READY`` marker is a build that died half-way: rebuilt)."""
    world_scale, months = SCALES[scale]
    folder = cache / f"{scale}-seed{seed}-v{DATA_VERSION}"
    if (folder / "READY").exists():
        progress(f"using cached workspace {folder}")
        return open_workspace(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    world = generate_world(world_scale, seed)
    progress(f"world {world_scale}: {len(world.enterprises):,} enterprises")
    ws = init_workspace(folder)
    engine = create_db_engine(ws.settings)
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as session:
            load_records(session=session, enterprises=world.enterprises, ownership=world.ownership)
            sync_catalog(session)
        with factory() as session:
            pairs = session.execute(select(Enterprise.uscc, Enterprise.id)).all()
        usccs = pa.array([str(u) for u, _ in pairs], pa.string())
        ids = pa.array([int(i) for _, i in pairs], pa.int64())
        reports = generate_flash_reports(world, months=months, seed=seed)
        subs = reports.submissions.filter(pc.is_valid(reports.submissions["submitted_at"]))
        table = open_table(ws.lake, "flash_report")
        now = datetime.now(UTC)
        facts_total = 0
        for period, facts in reports.iter_facts():
            n = facts.num_rows
            eid = ids.take(pc.index_in(facts["uscc"], value_set=usccs))
            stamped = facts.append_column("enterprise_id", eid).append_column(
                "unit_declared", pa.repeat(pa.scalar("yuan"), n)
            )
            when = subs.filter(pc.equal(subs["period"], period)).select(
                ["uscc", "report_type", "submitted_at"]
            )
            stamped = stamped.join(when, ["uscc", "report_type"], join_type="left outer")
            moments = pc.fill_null(
                stamped["submitted_at"].combine_chunks().cast(pa.timestamp("us", tz="UTC")),
                pa.scalar(now, pa.timestamp("us", tz="UTC")),
            )
            with session_scope(factory) as session:
                commit_facts(
                    session=session,
                    table=table,
                    facts=stamped.drop_columns(["submitted_at"]),
                    batch_id=f"bench-{period}",
                    submitter="bench",
                    submitted_at=moments,
                )
            facts_total += n
            progress(f"  committed {period}: {n:,} facts")
    finally:
        engine.dispose()
    (folder / "READY").write_text(
        json.dumps({"scale": scale, "seed": seed, "facts": facts_total}), encoding="utf-8"
    )
    progress(f"workspace ready in {time.perf_counter() - start:.1f}s: {facts_total:,} facts")
    return ws


# ------------------------------------------------------------------------------- ours
@dataclass
class OursRun:
    seconds: float
    parts: dict[str, float]
    rows: pa.Table


def run_ours(ws: Workspace, periods: list[str] | None = None) -> OursRun:
    engine = create_db_engine(ws.settings)
    try:
        with make_sessionmaker(engine)() as session:
            start = time.perf_counter()
            result = compute_indicators(
                session=session,
                lake_root=ws.lake,
                engine_settings=ws.settings.engine,
                periods=periods,
                publish=False,
            )
            elapsed = time.perf_counter() - start
    finally:
        engine.dispose()
    assert result.table is not None
    return OursRun(elapsed, dict(result.seconds), result.table)


def run_publish(ws: Workspace) -> dict[str, float]:
    """One full compute with publish (the figures of each stage)."""
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            result = compute_indicators(
                session=session, lake_root=ws.lake, engine_settings=ws.settings.engine
            )
    finally:
        engine.dispose()
    return dict(result.seconds)


# ------------------------------------------------------------------------------- shared prep
@dataclass
class Inputs:
    dataset: pads.Dataset
    periods: list[str]
    closure: pa.Table
    top: pa.Table
    factors: pa.Table


def prepare_inputs(ws: Workspace) -> Inputs:
    """What both baselines start from: the latest snapshot as an Arrow dataset and the
    ownership tree as of each period end (built by zhiguo's ``tree_tables``)."""
    dataset = DeltaTable(str(ws.lake / "flash_report")).to_pyarrow_dataset()
    con = duckdb.connect()
    try:
        con.register("flash_report", dataset)
        rows = con.sql("SELECT DISTINCT period FROM flash_report ORDER BY period").fetchall()
    finally:
        con.close()
    periods = [str(r[0]) for r in rows]
    engine = create_db_engine(ws.settings)
    try:
        with make_sessionmaker(engine)() as session:
            trees = tree_tables(session, periods)
            factors = factor_table(session, periods)
    finally:
        engine.dispose()
    return Inputs(dataset, periods, trees.closure, trees.top, factors)


# ------------------------------------------------------------------------------- baseline 1
# Written by hand from library.toml (not generated): 32 inputs, 44 indicator × caliber values.
DUCKDB_SQL = """
WITH base AS (
  SELECT enterprise_id, period, report_type,
    sum(value) FILTER (WHERE item_code = 'accounts_receivable' AND caliber = 'opening') AS ar_o,
    sum(value) FILTER (WHERE item_code = 'accounts_receivable' AND caliber = 'closing') AS ar_c,
    sum(value) FILTER (WHERE item_code = 'admin_expenses' AND caliber = 'ytd') AS admin,
    sum(value) FILTER (WHERE item_code = 'bonds_payable' AND caliber = 'closing') AS bonds,
    sum(value) FILTER (WHERE item_code = 'cash_from_sales' AND caliber = 'ytd') AS cash_sales,
    sum(value) FILTER (WHERE item_code = 'current_assets' AND caliber = 'opening') AS ca_o,
    sum(value) FILTER (WHERE item_code = 'current_assets' AND caliber = 'closing') AS ca_c,
    sum(value) FILTER (WHERE item_code = 'current_liabilities' AND caliber = 'closing') AS cl,
    sum(value) FILTER (WHERE item_code = 'depreciation' AND caliber = 'ytd') AS dep,
    sum(value) FILTER (WHERE item_code = 'employees_avg' AND caliber = 'ytd') AS staff,
    sum(value) FILTER (WHERE item_code = 'equity_parent' AND caliber = 'opening') AS eqp_o,
    sum(value) FILTER (WHERE item_code = 'equity_parent' AND caliber = 'closing') AS eqp_c,
    sum(value) FILTER (WHERE item_code = 'finance_expenses' AND caliber = 'ytd') AS fin,
    sum(value) FILTER (WHERE item_code = 'interest_expense' AND caliber = 'ytd') AS intr,
    sum(value) FILTER (WHERE item_code = 'inventory' AND caliber = 'opening') AS inv_o,
    sum(value) FILTER (WHERE item_code = 'inventory' AND caliber = 'closing') AS inv_c,
    sum(value) FILTER (WHERE item_code = 'labour_output' AND caliber = 'ytd') AS lab_out,
    sum(value) FILTER (WHERE item_code = 'long_term_borrowings' AND caliber = 'closing') AS ltb,
    sum(value) FILTER (WHERE item_code = 'net_profit' AND caliber = 'ytd') AS np,
    sum(value) FILTER (WHERE item_code = 'net_profit_parent' AND caliber = 'ytd') AS npp,
    sum(value) FILTER (WHERE item_code = 'non_current_due_within_one_year'
                         AND caliber = 'closing') AS ncd,
    sum(value) FILTER (WHERE item_code = 'operating_cash_flow' AND caliber = 'ytd') AS ocf,
    sum(value) FILTER (WHERE item_code = 'operating_profit' AND caliber = 'ytd') AS op,
    sum(value) FILTER (WHERE item_code = 'operating_profit'
                         AND caliber = 'ytd_prior_year') AS op_py,
    sum(value) FILTER (WHERE item_code = 'operating_revenue' AND caliber = 'ytd') AS rev,
    sum(value) FILTER (WHERE item_code = 'operating_revenue'
                         AND caliber = 'ytd_prior_year') AS rev_py,
    sum(value) FILTER (WHERE item_code = 'rd_expenses' AND caliber = 'ytd') AS rd_exp,
    sum(value) FILTER (WHERE item_code = 'rd_investment' AND caliber = 'ytd') AS rd_inv,
    sum(value) FILTER (WHERE item_code = 'selling_expenses' AND caliber = 'ytd') AS selling,
    sum(value) FILTER (WHERE item_code = 'short_term_borrowings' AND caliber = 'closing') AS stb,
    sum(value) FILTER (WHERE item_code = 'state_capital' AND caliber = 'opening') AS sc_o,
    sum(value) FILTER (WHERE item_code = 'state_capital' AND caliber = 'closing') AS sc_c,
    sum(value) FILTER (WHERE item_code = 'total_assets' AND caliber = 'opening') AS ta_o,
    sum(value) FILTER (WHERE item_code = 'total_assets' AND caliber = 'closing') AS ta_c,
    sum(value) FILTER (WHERE item_code = 'total_costs' AND caliber = 'ytd') AS costs,
    sum(value) FILTER (WHERE item_code = 'total_equity' AND caliber = 'opening') AS te_o,
    sum(value) FILTER (WHERE item_code = 'total_equity' AND caliber = 'closing') AS te_c,
    sum(value) FILTER (WHERE item_code = 'total_liabilities' AND caliber = 'closing') AS tl,
    sum(value) FILTER (WHERE item_code = 'total_profit' AND caliber = 'ytd') AS tp
  FROM flash_report
  WHERE scope = 'total' AND report_type IN ('single', 'consolidated')
    AND item_code IN ('accounts_receivable', 'admin_expenses', 'bonds_payable',
      'cash_from_sales', 'current_assets', 'current_liabilities', 'depreciation',
      'employees_avg', 'equity_parent', 'finance_expenses', 'interest_expense', 'inventory',
      'labour_output', 'long_term_borrowings', 'net_profit', 'net_profit_parent',
      'non_current_due_within_one_year', 'operating_cash_flow', 'operating_profit',
      'operating_revenue', 'rd_expenses', 'rd_investment', 'selling_expenses',
      'short_term_borrowings', 'state_capital', 'total_assets', 'total_costs', 'total_equity',
      'total_liabilities', 'total_profit')
  GROUP BY enterprise_id, period, report_type
),
rep AS (
  SELECT b.*,
    coalesce(f.objective_increase__ytd, 0.0) AS obj_inc,
    coalesce(f.objective_decrease__ytd, 0.0) AS obj_dec,
    CASE WHEN b.report_type = 'single' THEN 1 ELSE 0 END AS n_rep,
    CASE WHEN b.report_type = 'single' AND b.np < 0 THEN 1 ELSE 0 END AS n_loss,
    CASE WHEN b.report_type = 'single' AND b.np < 0 THEN -b.np ELSE 0.0 END AS loss_amt
  FROM base b
  LEFT JOIN factors f ON f.enterprise_id = b.enterprise_id AND f.period = b.period
),
sub AS (
  SELECT c.ancestor_id AS enterprise_id, r.period,
    sum(ar_o) AS ar_o, sum(ar_c) AS ar_c, sum(admin) AS admin, sum(bonds) AS bonds,
    sum(cash_sales) AS cash_sales, sum(ca_o) AS ca_o, sum(ca_c) AS ca_c, sum(cl) AS cl,
    sum(dep) AS dep, sum(staff) AS staff, sum(eqp_o) AS eqp_o, sum(eqp_c) AS eqp_c,
    sum(fin) AS fin, sum(intr) AS intr, sum(inv_o) AS inv_o, sum(inv_c) AS inv_c,
    sum(lab_out) AS lab_out, sum(ltb) AS ltb, sum(np) AS np, sum(npp) AS npp, sum(ncd) AS ncd,
    sum(ocf) AS ocf, sum(op) AS op, sum(op_py) AS op_py, sum(rev) AS rev,
    sum(rev_py) AS rev_py, sum(rd_exp) AS rd_exp, sum(rd_inv) AS rd_inv,
    sum(selling) AS selling, sum(stb) AS stb, sum(sc_o) AS sc_o, sum(sc_c) AS sc_c,
    sum(ta_o) AS ta_o, sum(ta_c) AS ta_c, sum(costs) AS costs, sum(te_o) AS te_o,
    sum(te_c) AS te_c, sum(tl) AS tl, sum(tp) AS tp, sum(obj_inc) AS obj_inc,
    sum(obj_dec) AS obj_dec, sum(n_rep) AS n_rep, sum(n_loss) AS n_loss,
    sum(loss_amt) AS loss_amt
  FROM rep r
  JOIN closure c ON c.descendant_id = r.enterprise_id AND c.period = r.period
  WHERE r.report_type = 'single'
  GROUP BY c.ancestor_id, r.period
),
grp AS (
  SELECT r.* EXCLUDE (report_type, n_rep, n_loss, loss_amt),
    s.n_rep, s.n_loss, s.loss_amt
  FROM rep r
  LEFT JOIN sub s ON s.enterprise_id = r.enterprise_id AND s.period = r.period
  WHERE r.report_type = 'consolidated'
),
port AS (
  SELECT CAST(0 AS BIGINT) AS enterprise_id, g.period,
    sum(ar_o) AS ar_o, sum(ar_c) AS ar_c, sum(admin) AS admin, sum(bonds) AS bonds,
    sum(cash_sales) AS cash_sales, sum(ca_o) AS ca_o, sum(ca_c) AS ca_c, sum(cl) AS cl,
    sum(dep) AS dep, sum(staff) AS staff, sum(eqp_o) AS eqp_o, sum(eqp_c) AS eqp_c,
    sum(fin) AS fin, sum(intr) AS intr, sum(inv_o) AS inv_o, sum(inv_c) AS inv_c,
    sum(lab_out) AS lab_out, sum(ltb) AS ltb, sum(np) AS np, sum(npp) AS npp, sum(ncd) AS ncd,
    sum(ocf) AS ocf, sum(op) AS op, sum(op_py) AS op_py, sum(rev) AS rev,
    sum(rev_py) AS rev_py, sum(rd_exp) AS rd_exp, sum(rd_inv) AS rd_inv,
    sum(selling) AS selling, sum(stb) AS stb, sum(sc_o) AS sc_o, sum(sc_c) AS sc_c,
    sum(ta_o) AS ta_o, sum(ta_c) AS ta_c, sum(costs) AS costs, sum(te_o) AS te_o,
    sum(te_c) AS te_c, sum(tl) AS tl, sum(tp) AS tp, sum(obj_inc) AS obj_inc,
    sum(obj_dec) AS obj_dec, sum(n_rep) AS n_rep, sum(n_loss) AS n_loss,
    sum(loss_amt) AS loss_amt
  FROM grp g JOIN top t ON t.enterprise_id = g.enterprise_id AND t.period = g.period
  GROUP BY g.period
),
lv AS (
  SELECT 'entity' AS level, * EXCLUDE (report_type) FROM rep WHERE report_type = 'single'
  UNION ALL BY NAME SELECT 'subtree' AS level, * FROM sub
  UNION ALL BY NAME SELECT 'group' AS level, * FROM grp
  UNION ALL BY NAME SELECT 'portfolio' AS level, * FROM port
),
x AS (
  SELECT *, CAST(substr(period, 6, 2) AS INTEGER) AS m,
    (ta_o + ta_c) / 2.0 AS ta_avg, (te_o + te_c) / 2.0 AS te_avg,
    (ca_o + ca_c) / 2.0 AS ca_avg, (ar_o + ar_c) / 2.0 AS ar_avg,
    (inv_o + inv_c) / 2.0 AS inv_avg, stb + ncd + ltb + bonds AS ibd
  FROM lv
)
SELECT enterprise_id, level, period,
  tp AS total_profit__default,
  tp + rd_exp AS total_profit__assessment_rd_addback,
  np AS net_profit__default,
  tl / NULLIF(ta_c, 0) * 100.0 AS debt_ratio__default,
  np / NULLIF(te_avg, 0) * 100.0 AS roe__sasac_avg_incl_minority,
  npp / NULLIF(eqp_c, 0) * 100.0 AS roe__fully_diluted_end,
  npp / NULLIF(eqp_o + npp / 2.0, 0) * 100.0 AS roe__csrc_weighted_attrib,
  rd_inv / NULLIF(rev, 0) * 100.0 AS rd_intensity__default,
  lab_out * 12.0 / m / NULLIF(staff, 0) * 1e-4 AS labour_productivity__annualised,
  lab_out / NULLIF(staff, 0) * 1e-4 AS labour_productivity__ytd,
  ocf / NULLIF(rev, 0) * 100.0 AS operating_cash_ratio__default,
  cash_sales / NULLIF(rev, 0) * 100.0 AS cash_from_sales_ratio__default,
  (tp + intr) / NULLIF(ta_avg, 0) * 100.0 AS return_on_assets__default,
  op / NULLIF(rev, 0) * 100.0 AS operating_profit_margin__default,
  ocf / NULLIF(np, 0) AS cash_earnings_cover__default,
  tp / NULLIF(costs, 0) * 100.0 AS cost_profit_ratio__default,
  rev * 12.0 / m / NULLIF(ta_avg, 0) AS asset_turnover__default,
  rev * 12.0 / m / NULLIF(ar_avg, 0) AS receivables_turnover__default,
  rev * 12.0 / m / NULLIF(ca_avg, 0) AS current_asset_turnover__default,
  ocf * 12.0 / m / NULLIF(ta_avg, 0) * 100.0 AS asset_cash_return__default,
  (costs - selling - admin - rd_exp - fin) * 12.0 / m / NULLIF(inv_avg, 0)
    AS inventory_turnover__default,
  (tp + intr) / NULLIF(intr, 0) AS interest_cover__default,
  ca_c / NULLIF(cl, 0) * 100.0 AS current_ratio__default,
  (ca_c - inv_c) / NULLIF(cl, 0) * 100.0 AS quick_ratio__default,
  ocf * 12.0 / m / NULLIF(cl, 0) * 100.0 AS cash_current_liability_ratio__default,
  ibd AS interest_bearing_debt__default,
  ibd / NULLIF(tl, 0) * 100.0 AS interest_bearing_debt_ratio__default,
  (rev - rev_py) / NULLIF(abs(rev_py), 0) * 100.0 AS revenue_growth__default,
  (op - op_py) / NULLIF(abs(op_py), 0) * 100.0 AS operating_profit_growth__default,
  (ta_c - ta_o) / NULLIF(ta_o, 0) * 100.0 AS total_asset_growth__default,
  (sc_c - obj_inc + obj_dec) / NULLIF(sc_o, 0) * 100.0 AS capital_preservation_ratio__default,
  rd_inv / NULLIF(rev, 0) * 100.0 AS tech_input_ratio__default,
  ar_c + inv_c AS two_funds__default,
  (ar_c + inv_c) / NULLIF(ca_c, 0) * 100.0 AS two_funds_share__default,
  (tp + intr + dep) / NULLIF(rev, 0) * 100.0 AS ebitda_margin__default,
  (te_c - te_o) / NULLIF(abs(te_o), 0) * 100.0 AS capital_accumulation__default,
  n_loss / NULLIF(n_rep, 0) * 100.0 AS loss_share__default,
  loss_amt AS loss_amount__default
FROM x
"""


def run_duckdb(ws: Workspace) -> tuple[float, float, pa.Table]:
    """(prep seconds, SQL seconds, the wide result)."""
    start = time.perf_counter()
    inputs = prepare_inputs(ws)
    prep = time.perf_counter() - start
    start = time.perf_counter()
    con = duckdb.connect()
    try:
        con.register("flash_report", inputs.dataset)
        con.register("closure", inputs.closure)
        con.register("top", inputs.top)
        con.register("factors", inputs.factors)
        wide = con.sql(DUCKDB_SQL).to_arrow_table()
    finally:
        con.close()
    return prep, time.perf_counter() - start, wide


# ------------------------------------------------------------------------------- baseline 2
_PANDAS_ITEMS = {
    "accounts_receivable": ("opening", "closing"),
    "admin_expenses": ("ytd",),
    "bonds_payable": ("closing",),
    "cash_from_sales": ("ytd",),
    "current_assets": ("opening", "closing"),
    "current_liabilities": ("closing",),
    "depreciation": ("ytd",),
    "employees_avg": ("ytd",),
    "equity_parent": ("opening", "closing"),
    "finance_expenses": ("ytd",),
    "interest_expense": ("ytd",),
    "inventory": ("opening", "closing"),
    "labour_output": ("ytd",),
    "long_term_borrowings": ("closing",),
    "net_profit": ("ytd",),
    "net_profit_parent": ("ytd",),
    "non_current_due_within_one_year": ("closing",),
    "operating_cash_flow": ("ytd",),
    "operating_profit": ("ytd", "ytd_prior_year"),
    "operating_revenue": ("ytd", "ytd_prior_year"),
    "rd_expenses": ("ytd",),
    "rd_investment": ("ytd",),
    "selling_expenses": ("ytd",),
    "short_term_borrowings": ("closing",),
    "state_capital": ("opening", "closing"),
    "total_assets": ("opening", "closing"),
    "total_costs": ("ytd",),
    "total_equity": ("opening", "closing"),
    "total_liabilities": ("closing",),
    "total_profit": ("ytd",),
}


def run_pandas(ws: Workspace) -> tuple[float, float, pa.Table]:
    """(prep seconds, pandas seconds, the wide result)."""
    import pandas as pd

    start = time.perf_counter()
    inputs = prepare_inputs(ws)
    prep = time.perf_counter() - start
    start = time.perf_counter()
    wanted = pads.field("item_code").isin(list(_PANDAS_ITEMS))
    facts = inputs.dataset.to_table(
        columns=["enterprise_id", "period", "report_type", "item_code", "caliber", "value"],
        filter=(pads.field("scope") == "total")
        & pads.field("report_type").isin(["single", "consolidated"])
        & wanted,
    ).to_pandas()
    facts["input"] = facts["item_code"] + "." + facts["caliber"]
    needed = [f"{i}.{c}" for i, cals in _PANDAS_ITEMS.items() for c in cals]
    facts = facts[facts["input"].isin(needed)]
    keys = ["enterprise_id", "period", "report_type"]
    rep = facts.pivot_table(index=keys, columns="input", values="value", aggfunc="sum")
    rep = rep.reindex(columns=needed).reset_index()
    factors = inputs.factors.to_pandas().rename(
        columns={"objective_increase__ytd": "obj_inc", "objective_decrease__ytd": "obj_dec"}
    )
    rep = rep.merge(factors, on=["enterprise_id", "period"], how="left")
    rep[["obj_inc", "obj_dec"]] = rep[["obj_inc", "obj_dec"]].fillna(0.0)
    single = rep["report_type"] == "single"
    loss = single & (rep["net_profit.ytd"] < 0)
    rep["n_rep"] = single.astype("int64")
    rep["n_loss"] = loss.astype("int64")
    rep["loss_amt"] = (-rep["net_profit.ytd"]).where(loss, 0.0)
    summed = [*needed, "obj_inc", "obj_dec", "n_rep", "n_loss", "loss_amt"]
    counts = ["n_rep", "n_loss", "loss_amt"]

    singles = rep[single]
    closure = inputs.closure.to_pandas()
    sub = (
        singles.merge(
            closure,
            left_on=["enterprise_id", "period"],
            right_on=["descendant_id", "period"],
        )
        .groupby(["ancestor_id", "period"])[summed]
        .sum(min_count=1)
        .reset_index()
        .rename(columns={"ancestor_id": "enterprise_id"})
    )
    cons = rep[rep["report_type"] == "consolidated"].drop(columns=counts)
    grp = cons.merge(
        sub[["enterprise_id", "period", *counts]], on=["enterprise_id", "period"], how="left"
    )
    top = inputs.top.to_pandas()
    port = (
        grp.merge(top, on=["enterprise_id", "period"])
        .groupby("period")[summed]
        .sum(min_count=1)
        .reset_index()
    )
    port["enterprise_id"] = 0
    df = pd.concat(
        [
            singles.assign(level="entity"),
            sub.assign(level="subtree"),
            grp.assign(level="group"),
            port.assign(level="portfolio"),
        ],
        ignore_index=True,
    )

    def col(name: str) -> Any:
        return df[name]

    def div(a: Any, b: Any) -> Any:
        return a / b.where(b != 0)

    def avg(item: str) -> Any:
        return (col(f"{item}.opening") + col(f"{item}.closing")) / 2.0

    m = df["period"].str.slice(5, 7).astype("int64")
    tp, rev = col("total_profit.ytd"), col("operating_revenue.ytd")
    np_, ocf = col("net_profit.ytd"), col("operating_cash_flow.ytd")
    intr, rd_exp = col("interest_expense.ytd"), col("rd_expenses.ytd")
    ibd = (
        col("short_term_borrowings.closing")
        + col("non_current_due_within_one_year.closing")
        + col("long_term_borrowings.closing")
        + col("bonds_payable.closing")
    )
    two = col("accounts_receivable.closing") + col("inventory.closing")
    npp = col("net_profit_parent.ytd")
    cogs = (
        col("total_costs.ytd")
        - col("selling_expenses.ytd")
        - col("admin_expenses.ytd")
        - rd_exp
        - col("finance_expenses.ytd")
    )
    out = {
        "total_profit__default": tp,
        "total_profit__assessment_rd_addback": tp + rd_exp,
        "net_profit__default": np_,
        "debt_ratio__default": div(col("total_liabilities.closing"), col("total_assets.closing"))
        * 100.0,
        "roe__sasac_avg_incl_minority": div(np_, avg("total_equity")) * 100.0,
        "roe__fully_diluted_end": div(npp, col("equity_parent.closing")) * 100.0,
        "roe__csrc_weighted_attrib": div(npp, col("equity_parent.opening") + npp / 2.0) * 100.0,
        "rd_intensity__default": div(col("rd_investment.ytd"), rev) * 100.0,
        "labour_productivity__annualised": div(
            col("labour_output.ytd") * 12.0 / m, col("employees_avg.ytd")
        )
        * 1e-4,
        "labour_productivity__ytd": div(col("labour_output.ytd"), col("employees_avg.ytd")) * 1e-4,
        "operating_cash_ratio__default": div(ocf, rev) * 100.0,
        "cash_from_sales_ratio__default": div(col("cash_from_sales.ytd"), rev) * 100.0,
        "return_on_assets__default": div(tp + intr, avg("total_assets")) * 100.0,
        "operating_profit_margin__default": div(col("operating_profit.ytd"), rev) * 100.0,
        "cash_earnings_cover__default": div(ocf, np_),
        "cost_profit_ratio__default": div(tp, col("total_costs.ytd")) * 100.0,
        "asset_turnover__default": div(rev * 12.0 / m, avg("total_assets")),
        "receivables_turnover__default": div(rev * 12.0 / m, avg("accounts_receivable")),
        "current_asset_turnover__default": div(rev * 12.0 / m, avg("current_assets")),
        "asset_cash_return__default": div(ocf * 12.0 / m, avg("total_assets")) * 100.0,
        "inventory_turnover__default": div(cogs * 12.0 / m, avg("inventory")),
        "interest_cover__default": div(tp + intr, intr),
        "current_ratio__default": div(
            col("current_assets.closing"), col("current_liabilities.closing")
        )
        * 100.0,
        "quick_ratio__default": div(
            col("current_assets.closing") - col("inventory.closing"),
            col("current_liabilities.closing"),
        )
        * 100.0,
        "cash_current_liability_ratio__default": div(
            ocf * 12.0 / m, col("current_liabilities.closing")
        )
        * 100.0,
        "interest_bearing_debt__default": ibd,
        "interest_bearing_debt_ratio__default": div(ibd, col("total_liabilities.closing")) * 100.0,
        "revenue_growth__default": div(
            rev - col("operating_revenue.ytd_prior_year"),
            col("operating_revenue.ytd_prior_year").abs(),
        )
        * 100.0,
        "operating_profit_growth__default": div(
            col("operating_profit.ytd") - col("operating_profit.ytd_prior_year"),
            col("operating_profit.ytd_prior_year").abs(),
        )
        * 100.0,
        "total_asset_growth__default": div(
            col("total_assets.closing") - col("total_assets.opening"), col("total_assets.opening")
        )
        * 100.0,
        "capital_preservation_ratio__default": div(
            col("state_capital.closing") - col("obj_inc") + col("obj_dec"),
            col("state_capital.opening"),
        )
        * 100.0,
        "tech_input_ratio__default": div(col("rd_investment.ytd"), rev) * 100.0,
        "two_funds__default": two,
        "two_funds_share__default": div(two, col("current_assets.closing")) * 100.0,
        "ebitda_margin__default": div(tp + intr + col("depreciation.ytd"), rev) * 100.0,
        "capital_accumulation__default": div(
            col("total_equity.closing") - col("total_equity.opening"),
            col("total_equity.opening").abs(),
        )
        * 100.0,
        "loss_share__default": div(col("n_loss"), col("n_rep")) * 100.0,
        "loss_amount__default": col("loss_amt"),
    }
    result = pd.DataFrame(
        {"enterprise_id": df["enterprise_id"], "level": df["level"], "period": df["period"], **out}
    )
    elapsed = time.perf_counter() - start
    wide = pa.Table.from_pandas(result, preserve_index=False)
    return prep, elapsed, wide


# ------------------------------------------------------------------------------- agreement
@dataclass
class Agreement:
    compared: int
    mismatched: int
    only_ours: int
    only_theirs: int
    examples: list[tuple[Any, ...]]

    @property
    def ok(self) -> bool:
        return self.compared > 0 and not (self.mismatched or self.only_ours or self.only_theirs)


def _long(table: pa.Table) -> pa.Table:
    """Ours' rows as (enterprise_id, level, period, key, value)."""
    key = pc.binary_join_element_wise(table["indicator_code"], table["caliber"], "__")
    return pa.table(
        {
            "enterprise_id": table["enterprise_id"],
            "level": table["level"],
            "period": table["period"],
            "key": key,
            "value": table["value"],
        }
    )


def _unpivot(wide: pa.Table) -> pa.Table:
    """A wide baseline result as (enterprise_id, level, period, key, value)."""
    ids = ("enterprise_id", "level", "period")
    parts = [
        pa.table(
            {
                "enterprise_id": wide["enterprise_id"].cast(pa.int64()),
                "level": wide["level"].cast(pa.string()),
                "period": wide["period"].cast(pa.string()),
                "key": pa.repeat(pa.scalar(name), wide.num_rows),
                "value": wide[name].cast(pa.float64()),
            }
        )
        for name in wide.column_names
        if name not in ids
    ]
    return pa.concat_tables(parts)


def compare(ours: pa.Table, theirs: pa.Table, *, wide: bool = True) -> Agreement:
    """Every value of ``ours`` (indicator_values rows) against ``theirs`` (a wide baseline
    result, or indicator_values rows when ``wide`` is False): both null, or equal within
    ``REL_TOL``; a key on one side only is a disagreement."""
    con = duckdb.connect()
    try:
        con.register("a", _long(ours))
        con.register("b", _unpivot(theirs) if wide else _long(theirs))
        diff = f"""
          CASE
            WHEN a.key IS NULL THEN 'only_theirs'
            WHEN b.key IS NULL THEN 'only_ours'
            WHEN (a.value IS NULL) <> (b.value IS NULL) THEN 'mismatch'
            WHEN a.value IS NOT NULL AND abs(a.value - b.value)
                 > greatest({REL_TOL} * greatest(abs(a.value), abs(b.value)), {ABS_TOL})
              THEN 'mismatch'
            ELSE 'ok' END"""
        joined = f"""
          SELECT coalesce(a.enterprise_id, b.enterprise_id) AS enterprise_id,
                 coalesce(a.level, b.level) AS level, coalesce(a.period, b.period) AS period,
                 coalesce(a.key, b.key) AS key, a.value AS ours, b.value AS theirs,
                 {diff} AS outcome
          FROM a FULL OUTER JOIN b USING (enterprise_id, level, period, key)"""
        counts = dict(con.sql(f"SELECT outcome, count(*) FROM ({joined}) GROUP BY 1").fetchall())
        examples = con.sql(
            f"SELECT * FROM ({joined}) WHERE outcome <> 'ok' ORDER BY ALL LIMIT 5"
        ).fetchall()
    finally:
        con.close()
    return Agreement(
        compared=int(sum(counts.values())),
        mismatched=int(counts.get("mismatch", 0)),
        only_ours=int(counts.get("only_ours", 0)),
        only_theirs=int(counts.get("only_theirs", 0)),
        examples=[tuple(e) for e in examples],
    )


def _check(name: str, agreement: Agreement) -> None:
    say(
        f"  agreement ours vs {name}: {agreement.compared:,} values, "
        f"{agreement.mismatched} differ, {agreement.only_ours} only ours, "
        f"{agreement.only_theirs} only theirs"
    )
    if not agreement.ok:
        raise SystemExit(f"ours and {name} disagree: {agreement.examples}")


# ------------------------------------------------------------------------------- memory
def child_peak_rss_mb(ws_root: Path) -> float:
    """Peak RSS (MB) of ours alone (one full compute, not published), in a fresh process."""
    here = str(Path(__file__).parent)
    code = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {here!r}); import supervision_recompute as b; "
        "from zhiguo.core import open_workspace; "
        f"b.run_ours(open_workspace(Path({str(ws_root)!r}))); "
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the parent
        "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


# ------------------------------------------------------------------------------- the run
def _record(times: dict[str, list[float]], prefix: str, run: OursRun) -> None:
    times.setdefault(prefix, []).append(run.seconds)
    for stage in ("prepare", "engine", "reshape"):
        times.setdefault(f"{prefix}_{stage}", []).append(run.parts[stage])


def measure(
    ws: Workspace, *, repeat: int, pandas: bool = True
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Interleaved repetitions of every side (seconds per side, and ``info``: the periods,
    the number of values and each side's :class:`Agreement` with ours, checked on the first
    repetition — a disagreement raises ``SystemExit``)."""
    times: dict[str, list[float]] = {}
    info: dict[str, Any] = {"agreement": {}}

    def check(name: str, agreement: Agreement) -> None:
        info["agreement"][name] = agreement
        _check(name, agreement)

    for rep in range(repeat):
        ours = run_ours(ws)
        _record(times, "ours", ours)
        prep, sql_s, wide = run_duckdb(ws)
        times.setdefault("duck", []).append(prep + sql_s)
        times.setdefault("duck_sql", []).append(sql_s)
        times.setdefault("prep", []).append(prep)
        line = (
            f"rep {rep}: ours {ours.seconds:.2f}s (engine {ours.parts['engine']:.2f}s) "
            f"duckdb_sql {prep + sql_s:.2f}s (sql {sql_s:.2f}s)"
        )
        if rep == 0:
            info["rows"] = ours.rows.num_rows
            info["periods"] = sorted(set(ours.rows["period"].to_pylist()))
            check("duckdb_sql", compare(ours.rows, wide))
        del wide
        if pandas:
            p_prep, p_s, p_wide = run_pandas(ws)
            times.setdefault("pandas", []).append(p_prep + p_s)
            times.setdefault("pandas_only", []).append(p_s)
            line += f" pandas {p_prep + p_s:.2f}s"
            if rep == 0:
                check("pandas", compare(ours.rows, p_wide))
            del p_wide
        last = info["periods"][-1]
        incr = run_ours(ws, [last])
        _record(times, "incr", incr)
        line += f" incremental({last}) {incr.seconds:.2f}s"
        if rep == 0:
            full_last = ours.rows.filter(pc.equal(ours.rows["period"], last))
            check("incremental", compare(incr.rows, full_last, wide=False))
        say(line)
        del ours, incr
    return times, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip ours' peak RSS")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    ws = prepare_workspace(args.scale, cache=args.cache)
    times, info = measure(ws, repeat=args.repeat, pandas=not args.no_pandas)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    say("publishing once (timed separately) …")
    published = run_publish(ws)
    mem = None if args.no_memory else child_peak_rss_mb(ws.root)
    common = {
        "scale": args.scale,
        "entities": _entity_count(ws),
        "periods": len(info["periods"]),
        "values": info["rows"],
        "ours_s": round(med["ours"], 4),
        "ours_engine_s": round(med["ours_engine"], 4),
        "ours_prepare_s": round(med["ours_prepare"], 4),
        "ours_reshape_s": round(med["ours_reshape"], 4),
        "publish_s": round(published["publish"], 4),
        "peak_rss_mb": round(mem) if mem else None,
        "repeat": args.repeat,
        "machine": f"{os.cpu_count()} cores",
    }
    lines = [
        {
            "benchmark": "supervision_recompute",
            **common,
            "baseline": "duckdb_sql",
            "baseline_s": round(med["duck"], 4),
            "baseline_sql_s": round(med["duck_sql"], 4),
            "shared_prep_s": round(med["prep"], 4),
            "ratio": round(med["ours"] / med["duck"], 4),
            "goal": "<= 1.3",
        }
    ]
    if "pandas" in med:
        lines.append(
            {
                "benchmark": "supervision_recompute",
                **common,
                "baseline": "pandas",
                "baseline_s": round(med["pandas"], 4),
                "baseline_pandas_only_s": round(med["pandas_only"], 4),
                "shared_prep_s": round(med["prep"], 4),
                "ratio": round(med["ours"] / med["pandas"], 4),
                "goal": "<= 0.05 (>= 20x faster)",
            }
        )
    lines.append(
        {
            "benchmark": "supervision_recompute_incremental",
            **common,
            "ours": f"compute_indicators(periods=[{info['periods'][-1]!r}])",
            "ours_s": round(med["incr"], 4),
            "ours_engine_s": round(med["incr_engine"], 4),
            "ours_prepare_s": round(med["incr_prepare"], 4),
            "ours_reshape_s": round(med["incr_reshape"], 4),
            "baseline": "full recompute (all periods)",
            "baseline_s": round(med["ours"], 4),
            "ratio": round(med["incr"] / med["ours"], 4),
            "goal": "<= 0.10",
        }
    )
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))


def _entity_count(ws: Workspace) -> int:
    engine = create_db_engine(ws.settings)
    try:
        with make_sessionmaker(engine)() as session:
            return len(session.scalars(select(Enterprise.id)).all())
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
