"""``zhiguo coverage run`` and ``zhiguo demand import|synth``.

Two Typer apps: ``app`` (coverage) and ``demand_app`` (demand). Progress goes to stderr; the
summary table (or ``--json``, the run JSON of the web API) to stdout. Rejected input exits 1
with the located zh + en problems."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zhiguo.core.errors import ImportRejected, ZhiguoError
from zhiguo.core.inbox import keep_file, record_outcome
from zhiguo.operations.coverage.run import CoverageResult, run_coverage
from zhiguo.operations.coverage.runs import RunInfo, run_json
from zhiguo.operations.demand import publish_demand, read_demand_file, synthetic_demand
from zhiguo.operations.geo import city_from_settings
from zhiguo.security.audit import record_event

from .common import (
    WorkspaceOpt,
    console,
    err_console,
    print_problems,
    report_error,
    workspace_session,
)

__all__ = ["app", "demand_app"]

app = typer.Typer(
    help="覆盖预测（最佳服务小区 RSRP、SINR、覆盖率）/ coverage prediction", no_args_is_help=True
)
demand_app = typer.Typer(
    help="需求栅格（人口或话务权重）/ demand raster (population or traffic)", no_args_is_help=True
)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f} %"


def _summary_table(result: CoverageResult) -> Table:
    table = Table(
        title=f"覆盖率 / coverage — {result.band}, RSRP ≥ {result.threshold_dbm:g} dBm, "
        f"{result.sites:,} sites ({result.sites_mode}), {result.resolution_m:g} m"
    )
    for col in (
        "区 district",
        "像元 pixels",
        "覆盖像元 covered",
        "面积覆盖率 area",
        "需求覆盖率 demand",
    ):
        table.add_column(col, justify="right" if "区" not in col else "left")
    for s in [*result.districts, result.city]:
        table.add_row(
            f"{s.name_zh} {s.name_en}", f"{s.pixels:,}", f"{s.covered_pixels:,}",
            _pct(s.area_share), _pct(s.demand_share),
            style="bold" if s.code < 0 else None,
        )  # fmt: skip
    return table


@app.command("run")
def run_cmd(
    band: Annotated[str, typer.Option("--band", help="频段 / band: n78 | n41 | n28 | n79")] = "n78",
    resolution: Annotated[
        float | None, typer.Option("--resolution", help="栅格分辨率 / raster resolution, m")
    ] = None,
    cutoff: Annotated[
        float | None, typer.Option("--cutoff", help="截止距离 / cut-off distance, m")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="覆盖门限 / RSRP threshold, dBm")
    ] = None,
    sites: Annotated[
        str,
        typer.Option("--sites", help="built = 已建（in_service）；all = 全部可用站点 / potential"),
    ] = "built",
    no_demand: Annotated[
        bool, typer.Option("--no-demand", help="不计需求覆盖率 / skip the demand share")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出运行 JSON / print the run JSON")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """计算覆盖并发布（数据集、热力图、汇总表）/ compute coverage, publish it and its heat maps."""
    if sites not in ("built", "all"):
        raise typer.BadParameter("--sites built | all")
    try:
        with workspace_session(workspace) as (ws, session):
            ops = ws.settings.operations
            city = city_from_settings(ops)
            result = run_coverage(
                session,
                lake_root=ws.lake,
                reports_root=ws.reports,
                city=city,
                band=band,
                resolution_m=resolution if resolution is not None else ops.resolution_m,
                cutoff_m=cutoff if cutoff is not None else ops.cutoff_m,
                threshold_dbm=threshold if threshold is not None else ops.rsrp_threshold_dbm,
                sites=sites,
                demand=None if no_demand else "latest",
                actor=f"cli:{getpass.getuser()}",
                progress=lambda m: err_console.print(f"[dim]·[/] {m}", highlight=False),
            )
            record_event(
                session,
                event_type="operations.coverage_run",
                object=f"coverage_run:{result.run_id}",
                detail={"via": "cli", "band": result.band, "sites": result.sites,
                        "sites_mode": sites, "area_share": result.city.area_share},
            )  # fmt: skip
    except ZhiguoError as exc:
        report_error(exc)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(run_json(RunInfo.of(result)), ensure_ascii=False, indent=2))
        return
    console.print(_summary_table(result))
    secs = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
    console.print(f"run {result.run_id}: {secs}", highlight=False)
    for kind, path in result.files.items():
        console.print(f"  {kind}: {path}", highlight=False)


@demand_app.command("synth")
def synth_cmd(
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / seed")] = 0,
    resolution: Annotated[
        float | None, typer.Option("--resolution", help="分辨率 / resolution, m")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """生成并发布虚构的合成需求栅格 / generate and publish a fictitious synthetic demand raster."""
    try:
        with workspace_session(workspace) as (ws, session):
            city = city_from_settings(ws.settings.operations)
            res = resolution if resolution is not None else ws.settings.operations.resolution_m
            with console.status("生成中 / generating …"):
                raster = synthetic_demand(city, resolution_m=res, seed=seed)
                done = publish_demand(
                    raster, lake_root=ws.lake, city=city, session=session,
                    actor=f"cli:{getpass.getuser()}",
                )  # fmt: skip
            record_event(
                session, event_type="data.publish", object=f"operations.demand/{done.raster_id}",
                detail={"via": "cli", "source": raster.source, "rows": done.rows},
            )  # fmt: skip
    except ZhiguoError as exc:
        report_error(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"[green]已发布 / published[/] operations.demand v{done.version}: raster {done.raster_id}, "
        f"{done.rows:,} pixels, total {done.total:,.0f} {raster.unit} (fictitious)",
        highlight=False,
    )


@demand_app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV（lon,lat,weight 或 x_m,y_m,weight）或 GeoTIFF", exists=True)
    ],
    datum: Annotated[
        str, typer.Option("--datum", help="CSV 经纬度坐标系 / CSV datum: wgs84 | gcj02")
    ] = "wgs84",
    unit: Annotated[str, typer.Option("--unit", help="people | traffic")] = "people",
    resolution: Annotated[
        float | None, typer.Option("--resolution", help="分辨率 / resolution, m")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """导入需求栅格（全部成功或全部不写入）/ import a demand raster, all or nothing."""
    with workspace_session(workspace) as (ws, session):
        sender = f"cli:{getpass.getuser()}"
        kept = keep_file(ws.inbox, "demand", file.name, file.read_bytes(), sender=sender)
        ops = ws.settings.operations
        try:
            city = city_from_settings(ops)
            res = resolution if resolution is not None else ops.resolution_m
            with console.status("校验并导入中 / validating and importing …"):
                raster = read_demand_file(
                    file, city, resolution_m=res, datum=datum, unit=unit,
                    tolerance_m=ops.boundary_tolerance_m,
                )  # fmt: skip
                done = publish_demand(
                    raster, lake_root=ws.lake, city=city, session=session, actor=sender
                )
            record_event(
                session, event_type="data.import", object=f"operations.demand/{file.name}",
                detail={"via": "cli", "os_user": sender, "sha256": kept.sha256, "rows": done.rows},
            )  # fmt: skip
        except ImportRejected as exc:
            record_outcome(kept, {"result": "rejected", "problems": exc.details["problems"]})
            report_error(exc)
            print_problems(exc.details["problems"])
            raise typer.Exit(1) from exc
        except ZhiguoError as exc:
            record_outcome(kept, {"result": "rejected"})
            report_error(exc)
            raise typer.Exit(1) from exc
    record_outcome(kept, {"result": "accepted"})
    console.print(
        f"[green]已导入 / imported[/] operations.demand v{done.version}: {done.rows:,} pixels, "
        f"total {done.total:,.2f} {raster.unit}",
        highlight=False,
    )
