"""Indicator commands: ``zhiguo indicators list|show|compute|values|add``.
Thin: parse, call one service function, print."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Annotated, Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import typer
from rich.table import Table

from zhiguo.core.access import Scope
from zhiguo.supervision.indicators import (
    GROUPS,
    add_definitions,
    compute_indicators,
    load_definitions_file,
    load_library,
    read_indicator_values,
)

from .common import WorkspaceOpt, console, workspace_session

app = typer.Typer(help="监管指标 / supervision indicators", no_args_is_help=True)


@app.command("list")
def list_indicators(
    workspace: WorkspaceOpt = None,
    set_name: Annotated[
        str | None, typer.Option("--set", help="指标集，如 yili_wulv / indicator set")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="年度 / year")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """指标库 / the indicator library (built-in and analysts' definitions)."""
    with workspace_session(workspace) as (_ws, session):
        library = load_library(session)
    codes = list(library.specs)
    if set_name:
        codes = list(library.set_for_year(set_name, year or time.localtime().tm_year))
    rows: list[dict[str, Any]] = []
    for code in codes:
        spec = library.specs[code]
        if year and not spec.valid_in(year):
            continue
        rows.append(
            {
                "code": code,
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "group": spec.group,
                "unit": spec.unit,
                "direction": spec.direction,
                "calibers": dict(spec.calibers),
                "default_caliber": spec.default_caliber,
                "source": library.sources.get(code, "builtin"),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    out = Table(title=f"指标库 / indicator library v{library.version} ({len(rows)})")
    for c in ("code", "名称", "分组 group", "单位", "方向", "口径 calibers", "来源"):
        out.add_column(c)
    for r in rows:
        out.add_row(
            r["code"],
            r["name_zh"],
            GROUPS[r["group"]][0],
            r["unit"],
            "越高越好" if r["direction"] == "higher" else "越低越好",
            ", ".join(r["calibers"]),
            r["source"],
        )
    console.print(out)


@app.command("show")
def show_indicator(code: str, workspace: WorkspaceOpt = None) -> None:
    """一个指标的定义与公式 / one indicator's definition and formulas."""
    with workspace_session(workspace) as (_ws, session):
        library = load_library(session)
    spec = library.get(code)
    console.print(f"[bold]{spec.code}[/] {spec.name_zh} / {spec.name_en} · {spec.unit}")
    console.print(f"分组 group: {spec.group} · 方向 direction: {spec.direction}")
    console.print(f"期间 basis: {spec.period_basis} · 汇总 aggregation: {spec.aggregation}")
    for caliber, formula in spec.calibers.items():
        mark = " (默认 default)" if caliber == spec.default_caliber else ""
        compiled = library.indicators[(code, caliber)]
        console.print(f"  {caliber}{mark}: {formula}  [dim]#{compiled.digest}[/]")
    if spec.description:
        console.print(spec.description)


@app.command("compute")
def compute(
    workspace: WorkspaceOpt = None,
    period: Annotated[
        list[str] | None,
        typer.Option("--period", "-p", help="期间（可多次；默认全部）/ period(s); default all"),
    ] = None,
    as_of_version: Annotated[
        int | None,
        typer.Option("--as-of-version", help="按快报的历史版本重算 / from an earlier version"),
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish/--no-publish", help="发布到数据湖 / publish to the lake")
    ] = True,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="另存结果 .parquet/.csv / save rows")
    ] = None,
) -> None:
    """计算全部指标（各层级）并发布 / compute every indicator at every level and publish.

    ``--as-of-version N --no-publish -o old.csv`` recomputes from flash_report version N
    without touching what is published.
    """
    t0 = time.perf_counter()
    with workspace_session(workspace) as (ws, session):
        result = compute_indicators(
            session=session,
            lake_root=ws.lake,
            engine_settings=ws.settings.engine,
            periods=period or None,
            source_version=as_of_version,
            publish=publish,
            actor=f"cli:{getpass.getuser()}",
            progress=lambda msg: console.print(f"[dim]·[/] {msg}"),
        )
        session.commit()
    if out is not None and result.table is None:
        with workspace_session(workspace) as (ws, _session):
            result.table = read_indicator_values(
                lake_root=ws.lake,
                engine_settings=ws.settings.engine,
                scope=Scope.everything(),
                periods=result.periods,
            )
    if out is not None and result.table is not None:
        if out.suffix.lower() == ".csv":
            pacsv.write_csv(result.table, out)
        else:
            pq.write_table(result.table, out)
        console.print(f"已保存 saved {out}")
    where = (
        f"supervision.indicator_values v{result.published_version}"
        if result.published_version is not None
        else "未发布 not published"
    )
    console.print(
        f"[green]完成[/] {result.rows:,} 个指标值 values · {len(result.periods)} 期 periods · "
        f"快报 flash_report v{result.source_version} → {where} · "
        f"{time.perf_counter() - t0:.1f}s"
    )


@app.command("values")
def values(
    workspace: WorkspaceOpt = None,
    period: Annotated[str, typer.Option("--period", "-p", help="期间 / period")] = "",
    level: Annotated[
        str, typer.Option("--level", help="entity|group|subtree|portfolio")
    ] = "portfolio",
    enterprise_id: Annotated[
        int | None, typer.Option("--enterprise-id", help="企业编号 / enterprise id")
    ] = None,
    indicator: Annotated[
        list[str] | None, typer.Option("--indicator", "-i", help="指标代码 / indicator code")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """查看已发布的指标值 / published indicator values."""
    with workspace_session(workspace) as (ws, _session):
        table = read_indicator_values(
            lake_root=ws.lake,
            engine_settings=ws.settings.engine,
            scope=Scope.everything(),
            period=period or None,
            level=level,
            enterprise_ids=[enterprise_id] if enterprise_id is not None else None,
            indicators=indicator or None,
        )
    rows = table.select(
        ["enterprise_id", "period", "indicator_code", "caliber", "value", "unit", "status"]
    ).to_pylist()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return
    out = Table(title=f"指标值 / values · {level} · {period or '*'} ({len(rows)})")
    for c in ("enterprise", "period", "indicator", "caliber", "value", "unit", "status"):
        out.add_column(c)
    for r in rows[:500]:
        value = "—" if r["value"] is None else f"{r['value']:,.4f}"
        out.add_row(
            str(r["enterprise_id"]),
            r["period"],
            r["indicator_code"],
            r["caliber"],
            value,
            r["unit"],
            r["status"],
        )
    console.print(out)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="指标定义文件 .toml/.json / definitions file")],
    workspace: WorkspaceOpt = None,
) -> None:
    """新增或修改指标（整库校验后保存为新版本）/ add or change indicators from a file."""
    specs = load_definitions_file(file)
    with workspace_session(workspace) as (_ws, session):
        rows = add_definitions(
            session=session, specs=specs, source="file", actor=f"cli:{getpass.getuser()}"
        )
        session.commit()
        saved = [(r.code, r.version) for r in rows]
    for code, version in saved:
        console.print(f"[green]已保存[/] {code} v{version}")
