"""``zhiguo audit …``: verify, seal, list, export and prune the tamper-evident audit log.

The CLI runs as the workspace's operator on the server itself; what it does to the log
(exports, pruning) is audited like the same act through the web.
"""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from zhiguo.core.db import create_db_engine
from zhiguo.core.workspace import open_workspace
from zhiguo.security.audit import (
    AuditFilter,
    enable_auto_seal,
    export_lines,
    list_records,
    prune,
    record_event,
    seal,
    verify_log,
)

from .common import WorkspaceOpt, console, err_console, workspace_session

app = typer.Typer(help="安全审计日志 / tamper-evident audit log", no_args_is_help=True)


def _operator() -> dict[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return {"via": "cli", "os_user": user}


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"不是日期/时间 / not a date or time: {value}") from exc


@app.command("verify")
def verify_cmd(
    from_seq: Annotated[
        int | None, typer.Option("--from", help="从该序号起校验哈希链 / check from this seq")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """校验每条记录的 SM3 哈希、链接与签名树头；发现篡改时退出码 1 / verify the log."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        report = verify_log(engine, ws.settings, from_seq=from_seq)
    finally:
        engine.dispose()
    if as_json:
        import json

        console.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for f in report.findings:
            err_console.print(f"[bold red]{f.code}[/] {f.message_zh}", highlight=False)
            err_console.print(f"[dim]{f.message_en}[/]", highlight=False)
        state = "[green]完好 / intact[/]" if report.ok else "[bold red]已被篡改 / TAMPERED[/]"
        console.print(
            f"{state}: {report.records:,} 条记录 / records (seq {report.first_seq or '-'}–"
            f"{report.last_seq}), {report.heads_checked} 个树头 / tree heads checked "
            f"(latest {report.latest_head}), {report.seconds:.2f} s"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("seal")
def seal_cmd(workspace: WorkspaceOpt = None) -> None:
    """签发默克尔树头（SM2）/ write a signed tree head over every record."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        head = seal(engine, ws.settings)
    finally:
        engine.dispose()
    if head is None:
        console.print("最新记录已有树头 / the latest record is already sealed")
    else:
        console.print(f"[green]树头 / tree head[/] {head.tree_size}: {head.root}")


@app.command("list")
def list_cmd(
    since: Annotated[str | None, typer.Option("--since", help="起始时间 / from (ISO)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止时间 / to (ISO)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="用户名 / username")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="事件类型 / event type")] = None,
    result: Annotated[str | None, typer.Option("--result", help="结果 / result")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    workspace: WorkspaceOpt = None,
) -> None:
    """列出审计记录（最新在前）/ list audit records, newest first."""
    filters = AuditFilter(
        since=_when(since), until=_when(until), username=user, event_type=event_type, result=result
    )
    with workspace_session(workspace) as (ws, session):
        rows, total = list_records(
            session=session,
            filters=filters,
            timezone=ws.settings.audit.display_timezone,
            limit=limit,
        )
    table = Table("seq", "时间 at", "用户 user", "事件 event", "对象 object", "结果 result")
    for r in rows:
        table.add_row(str(r.seq), r.at, r.username, r.event_type, r.object, r.result)
    console.print(table)
    console.print(f"共 {total} 条 / {total} matching")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="csv | jsonl")] = "jsonl",
    since: Annotated[str | None, typer.Option("--from", help="起始时间 / from (ISO)")] = None,
    until: Annotated[str | None, typer.Option("--to", help="截止时间 / to (ISO)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """导出审计记录（导出本身被审计为 audit.export）/ export records (itself audited)."""
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("--format must be csv or jsonl")
    kind: Literal["csv", "jsonl"] = "csv" if fmt == "csv" else "jsonl"
    filters = AuditFilter(since=_when(since), until=_when(until))
    with workspace_session(workspace) as (ws, session):
        record_event(
            session,
            event_type="audit.export",
            object=str(output or "stdout"),
            detail={**_operator(), "format": kind, "from": since, "to": until},
        )
        lines = export_lines(
            session=session,
            filters=filters,
            fmt=kind,
            timezone=ws.settings.audit.display_timezone,
        )
        if output is None:
            for line in lines:
                sys.stdout.write(line)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                fh.writelines(lines)
            console.print(f"[green]已导出 / exported[/] {output}")


@app.command("prune")
def prune_cmd(
    retention_days: Annotated[
        int | None,
        typer.Option("--retention-days", help="保存天数（≥180，默认取配置）/ keep days"),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """归档并删除超过保存期的记录（签名锚点；不少于 180 天）/ archive and prune old records."""
    with workspace_session(workspace) as (ws, session):
        enable_auto_seal(session.get_bind().engine, ws.settings)
        done = prune(session, ws.settings, retention_days=retention_days)
    if done.pruned:
        console.print(
            f"[green]已归档并清理 / archived and pruned[/] {done.pruned} 条 / records "
            f"(≤ seq {done.up_to_seq}) → {done.archive}"
        )
    else:
        console.print("没有超过保存期的记录 / nothing older than the retention period")
