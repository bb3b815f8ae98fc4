"""The ``zhiguo`` command: one Typer app, commands grouped by platform in ``--help``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import zhiguo
from zhiguo.core.errors import ZhiguoError
from zhiguo.core.workspace import init_workspace, open_workspace

from . import (
    alerts_cmds,
    audit_cmds,
    backup_cmds,
    coverage_cmds,
    datacenter_cmds,
    evaluation_cmds,
    indicators_cmds,
    keys_cmds,
    lease_cmds,
    plan_cmds,
    radio_cmds,
    registry_cmds,
    report_cmds,
    sites_cmds,
    users_cmds,
)
from .common import WorkspaceOpt, console, report_error

PANEL_WS = "工作区 Workspace"
PANEL_DC = "大数据中心 Data centre"
PANEL_SUP = "智慧监管 Supervision"
PANEL_SEC = "信息安全 Security"

app = typer.Typer(
    name="zhiguo",
    help="智国 zhiguo — 国资监管平台：一中心三平台 / state-owned asset supervision platform.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(registry_cmds.app, name="registry", rich_help_panel=PANEL_DC)
app.command("ingest", rich_help_panel=PANEL_DC)(datacenter_cmds.ingest)
app.add_typer(datacenter_cmds.catalog_app, name="catalog", rich_help_panel=PANEL_DC)
app.add_typer(datacenter_cmds.periods_app, name="periods", rich_help_panel=PANEL_DC)
app.add_typer(datacenter_cmds.lake_app, name="lake", rich_help_panel=PANEL_DC)
app.add_typer(indicators_cmds.app, name="indicators", rich_help_panel=PANEL_SUP)
app.add_typer(alerts_cmds.app, name="warnings", rich_help_panel=PANEL_SUP)
app.add_typer(report_cmds.app, name="report", rich_help_panel=PANEL_SUP)
app.add_typer(evaluation_cmds.benchmarks_app, name="benchmarks", rich_help_panel=PANEL_SUP)
app.command("evaluate", rich_help_panel=PANEL_SUP)(evaluation_cmds.evaluate)
app.add_typer(evaluation_cmds.factors_app, name="factors", rich_help_panel=PANEL_SUP)
app.add_typer(users_cmds.app, name="users", rich_help_panel=PANEL_SEC)
app.add_typer(audit_cmds.app, name="audit", rich_help_panel=PANEL_SEC)
app.add_typer(keys_cmds.app, name="keys", rich_help_panel=PANEL_SEC)
app.command("backup", rich_help_panel=PANEL_WS)(backup_cmds.backup)
app.command("restore", rich_help_panel=PANEL_WS)(backup_cmds.restore)
PANEL_OPS = "智慧运营 Operations"
app.add_typer(radio_cmds.app, name="radio", rich_help_panel=PANEL_OPS)
app.add_typer(sites_cmds.app, name="sites", rich_help_panel=PANEL_OPS)
app.add_typer(coverage_cmds.app, name="coverage", rich_help_panel=PANEL_OPS)
app.add_typer(coverage_cmds.demand_app, name="demand", rich_help_panel=PANEL_OPS)
app.command("plan5g", rich_help_panel=PANEL_OPS)(plan_cmds.plan5g)
app.add_typer(lease_cmds.app, name="leases", rich_help_panel=PANEL_OPS)


def _version(value: bool) -> None:
    if value:
        console.print(f"zhiguo {zhiguo.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="版本 / version")
    ] = False,
) -> None:
    """智国 zhiguo."""


@app.command(rich_help_panel=PANEL_WS)
def init(
    directory: Annotated[Path, typer.Argument(help="新工作区目录 / new workspace folder")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="PostgreSQL URL（默认 SQLite）")
    ] = None,
) -> None:
    """创建工作区 / create a workspace (zhiguo.toml, meta.db, lake/, inbox/, audit/, reports/)."""
    ws = init_workspace(directory, database_url=database_url)
    console.print(f"[green]工作区已就绪 / workspace ready:[/] {ws.root}")


@app.command(rich_help_panel=PANEL_WS)
def demo(
    scale: Annotated[str, typer.Option("--scale", help="S≈1,500 / M≈10,000 / L≈100,000")] = "S",
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", envvar="ZHIGUO_WORKSPACE", help="示例工作区")
    ] = Path("demo-ws"),
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / seed")] = 20261125,
    reset: Annotated[bool, typer.Option("--reset", help="重建示例工作区 / rebuild")] = False,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="构建后启动服务 / serve afterwards")
    ] = True,
    insecure_logins: Annotated[
        bool,
        typer.Option(
            "--demo-insecure-logins",
            help="导览模式：示例账号免改密、免动态口令（切勿用于真实数据）/ tour mode: demo "
            "logins skip the password change and the second factor",
        ),
    ] = False,
) -> None:
    """构建示例世界（虚构数据）并启动平台 / build the fictitious demo world and serve it.

    示例账号须在首次登录时修改密码，监管与管理员角色须绑定动态口令 / demo users change
    their password at the first login; regulator and admin roles enrol a second factor."""
    from zhiguo.demo import CREDENTIALS_FILE, SCALES, build_demo

    scale = scale.upper()
    if scale not in SCALES:
        raise typer.BadParameter(f"--scale must be one of {', '.join(SCALES)}")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        stages = {
            "registry": "企业名录 / registry",
            "reports": "36 个月财务快报 / flash reports",
            "indicators": "监管指标计算 / indicators",
            "operations": "站址、需求、覆盖、规划、租赁 / operations",
        }
        tasks: dict[str, object] = {}

        def tick(stage: str, n: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stages.get(stage, stage), total=total)
            bar.update(tasks[stage], total=total, advance=n)  # type: ignore[arg-type]

        result = build_demo(
            workspace,
            scale=scale,
            seed=seed,
            reset=reset,
            progress=tick,
            insecure_logins=insecure_logins,
        )
    ws = result.workspace
    if result.created:
        console.print(
            f"[green]示例世界已生成[/]：{len(result.world.enterprises)} 户企业，"
            f"{len(result.world.groups)} 家一级企业，{result.facts:,} 条快报数据"
            f"（全部为虚构示例数据 / all fictitious）"
        )
        if (ops := result.operations) is not None:
            gap = "—" if ops.plan_gap is None else f"{ops.plan_gap:.2%}"
            console.print(
                f"智慧运营：{ops.sites:,} 个国企站址，"
                f"需求 {ops.demand_people / 1e6:.1f} 百万人（虚构），"
                f"n78 现网覆盖 {ops.coverage_area_share:.1%}（面积），规划 #{ops.plan_id} "
                f"与界差 {gap}，{ops.leases} 份租赁 / operations: sites, demand, coverage, "
                "plan and leases (all fictitious)"
            )
        console.print("登录账号 / demo logins (saved in " + str(ws.root / CREDENTIALS_FILE) + "):")
        for u in result.users:
            console.print(f"  {u.username:<10} {u.password}  [dim]{u.role} {u.enterprise}[/]")
        if insecure_logins:
            console.print(
                "[bold yellow]导览模式 / TOUR MODE[/]：示例账号无需改密、无需动态口令，"
                "切勿用于真实数据 / demo logins skip the password change and the second "
                "factor — never use with real data"
            )
        else:
            console.print(
                "首次登录须修改密码；监管与管理员角色须绑定动态口令（TOTP）/ change the "
                "password at first login; regulator and admin roles enrol a TOTP app"
            )
    else:
        console.print(
            f"[yellow]工作区已有示例世界，保持不变 / workspace already holds the demo world[/]; "
            f"账号见 / logins in {ws.root / CREDENTIALS_FILE}（--reset 重建 / to rebuild）"
        )
    if serve_after:
        _serve(ws.root)


def _serve(root: Path, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    from zhiguo.web import create_app

    ws = open_workspace(root)
    bind_host = host or ws.settings.server.host
    bind_port = port or ws.settings.server.port
    console.print(
        f"[bold green]zhiguo 已启动[/] http://{bind_host}:{bind_port}  "
        f"(API 文档 /api/docs, Ctrl+C 退出)"
    )
    uvicorn.run(
        create_app(ws.settings),
        host=bind_host,
        port=bind_port,
        log_level="info",
        server_header=False,  # name no server software or version (等保 入侵防范)
    )


@app.command(rich_help_panel=PANEL_WS)
def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
) -> None:
    """启动 Web 平台 / serve the web platform."""
    _serve(workspace or Path("."), host, port)


def main() -> None:
    """Entry point: domain errors print as code + zh + en, exit status 2 (1 = rejected input)."""
    try:
        app()
    except ZhiguoError as exc:
        report_error(exc)
        sys.exit(2)


if __name__ == "__main__":
    main()
