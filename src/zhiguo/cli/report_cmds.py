"""Report commands: ``zhiguo report monthly --period 2026-09``. Thin: parse, call
``supervision.reports.build_monthly_report``, print where the files went."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from zhiguo.core.access import Scope
from zhiguo.core.errors import ZhiguoError
from zhiguo.security import User, principal_for, resolve_scope
from zhiguo.supervision.reports import build_monthly_report

from .common import WorkspaceOpt, console, err_console, report_error, workspace_session

app = typer.Typer(help="监管报告 / supervision reports", no_args_is_help=True)


@app.callback()
def _reports() -> None:
    """监管报告 / supervision reports."""


class Format(StrEnum):
    xlsx = "xlsx"
    pdf = "pdf"
    both = "both"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


_STAGES = {
    "gather": "汇集数据 / gathering figures",
    "xlsx": "写入 xlsx / writing xlsx",
    "pdf": "绘制 PDF / drawing PDF",
}


@app.command("monthly")
def monthly(
    period: Annotated[str, typer.Option("--period", "-p", help="期间 YYYY-MM")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="xlsx | pdf | both")] = Format.both,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="输出目录（默认工作区 reports/）/ output folder"),
    ] = None,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="报告语言 zh|en（默认工作区设置）")
    ] = None,
    workspace: WorkspaceOpt = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as-user", help="按该用户的数据范围生成 / with a user's scope"),
    ] = None,
) -> None:
    """月度监管报告（xlsx/PDF）/ the monthly supervision report as xlsx and/or PDF."""
    formats = ("xlsx", "pdf") if fmt is Format.both else (fmt.value,)
    try:
        with workspace_session(workspace) as (ws, session):
            scope = Scope.everything()
            if as_user:
                user = session.scalar(select(User).where(User.username == as_user))
                if user is None:
                    err_console.print(f"[red]没有用户 / no user {as_user}[/]")
                    raise typer.Exit(2)
                scope = resolve_scope(session=session, principal=principal_for(user))
            with Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as bar:
                current: list[TaskID] = []

                def stage(name: str) -> None:
                    if current:
                        bar.update(current[-1], completed=1)
                    current.append(bar.add_task(_STAGES.get(name, name), total=1))

                paths = build_monthly_report(
                    session=session,
                    lake_root=ws.lake,
                    engine_settings=ws.settings.engine,
                    ingest_settings=ws.settings.ingest,
                    scope=scope,
                    period=period,
                    out_dir=out_dir or ws.reports,
                    formats=formats,
                    lang=(lang.value if lang else ws.settings.i18n.default_lang),
                    demo=ws.settings.demo_mode,
                    progress=stage,
                )
                if current:
                    bar.update(current[-1], completed=1)
    except ZhiguoError as exc:
        report_error(exc)
        raise typer.Exit(2) from None
    for path in paths:
        console.print(f"[green]已生成 / written:[/] {path}")
