"""``zhiguo registry …``: import, export and browse the enterprise registry."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, InputError
from zhiguo.core.inbox import keep_file, record_outcome
from zhiguo.datacenter.ingest import refuse_unsafe_xlsx
from zhiguo.registry import (
    ImportReport,
    TreeNode,
    export_registry,
    get_enterprise,
    import_registry,
    ownership_csv_path,
    tree,
    write_report,
)
from zhiguo.security.audit import record_event

from .common import (
    WorkspaceOpt,
    console,
    print_problems,
    report_error,
    workspace_session,
)

app = typer.Typer(
    help="企业名录与产权树 / enterprise registry and ownership tree", no_args_is_help=True
)


def _summary(report: ImportReport) -> None:
    table = Table(title=f"{report.file}", show_lines=False)
    for col in ("新增 created", "更新 updated", "未变 unchanged", "删除 removed", "拒绝 rejected"):
        table.add_column(col, justify="right")
    table.add_row(
        *(str(report.count(a)) for a in ("created", "updated", "unchanged", "removed", "rejected"))
    )
    console.print(table)


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="xlsx 或 csv 文件 / xlsx or csv file", exists=True)],
    workspace: WorkspaceOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验不写入 / validate only")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="逐行报告写入 .csv/.xlsx / per-row report")
    ] = None,
) -> None:
    """导入企业名录（全部成功或全部不写入）/ import the registry, all or nothing."""
    with workspace_session(workspace) as (ws, session):
        # Every received file is kept (with its CSV ownership sibling) before anything else.
        sender = f"cli:{getpass.getuser()}"
        sibling = ownership_csv_path(file)
        kept = [
            keep_file(ws.inbox, "registry", f.name, f.read_bytes(), sender=sender)
            for f in (
                [file, sibling] if file.suffix.lower() == ".csv" and sibling.is_file() else [file]
            )
        ]
        try:
            with console.status("校验并导入中 / validating and importing …"):
                refuse_unsafe_xlsx(file)  # bombs never reach the xlsx parser
                result = import_registry(session=session, path=file, dry_run=dry_run)
            if not dry_run:
                record_event(
                    session,
                    event_type="data.import",
                    object=f"registry/{file.name}",
                    detail={
                        "via": "cli",
                        "os_user": sender,
                        "files": {r.original_name: r.sha256 for r in kept},
                        "rows": len(result.rows),
                    },
                )
        except ImportRejected as exc:
            for received in kept:
                record_outcome(
                    received, {"result": "rejected", "problems": exc.details["problems"]}
                )
            report_error(exc)
            print_problems(exc.details["problems"])
            if report is not None:
                write_report(report, ImportReport.model_validate(exc.details["report"]))
            raise typer.Exit(1) from exc
    # Recorded after the session committed: "accepted" means durably in the registry.
    for received in kept:
        record_outcome(received, {"result": "dry_run" if dry_run else "accepted"})
    warnings = [p for p in result.problems if p["severity"] != "error"]
    if warnings:
        print_problems(warnings)
    _summary(result)
    if report is not None:
        write_report(report, result)
    if dry_run:
        console.print("[yellow]校验通过，未写入（--dry-run）/ valid; nothing written (dry run)[/]")
    else:
        console.print("[green]已导入 / imported[/]")


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="目标 .xlsx 或 .csv / target file")],
    workspace: WorkspaceOpt = None,
) -> None:
    """导出企业名录（格式与导入相同）/ export the registry in the import format."""
    with (
        workspace_session(workspace) as (_ws, session),
        console.status("导出中 / exporting …"),
    ):
        written = export_registry(session=session, scope=Scope.everything(), path=file)
        record_event(
            session,
            event_type="data.export",
            object=f"registry/{file.name}",
            detail={"via": "cli", "os_user": f"cli:{getpass.getuser()}"},
        )
    for path in written:
        console.print(f"已写入 / written: {path}")


def _add(branch: Tree, node: TreeNode) -> None:
    for child in node.children:
        share = f" [dim]{child.share_pct.normalize():f}%[/]" if child.share_pct is not None else ""
        label = f"{child.name} [cyan]{child.uscc}[/]{share}"
        if child.truncated or (not child.children and child.descendants):
            label += f" [dim](+{child.descendants})[/]"
        _add(branch.add(label), child)


@app.command("tree")
def tree_cmd(
    uscc: Annotated[str, typer.Argument(help="企业统一社会信用代码 / the enterprise's USCC")],
    workspace: WorkspaceOpt = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认今天）/ as of date")
    ] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=10)] = 4,
) -> None:
    """打印产权树 / print the ownership tree below an enterprise."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise InputError(
            f"--as-of 日期无效：{as_of}（应为 YYYY-MM-DD）",
            f"--as-of is not a valid date: {as_of} (expected YYYY-MM-DD)",
        ) from exc
    with workspace_session(workspace) as (_ws, session):
        ent = get_enterprise(session=session, scope=Scope.everything(), uscc=uscc)
        root = tree(
            session=session,
            scope=Scope.everything(),
            root_id=ent.id,
            as_of=day,
            max_depth=depth,
            max_children=10_000,
        )
    top = Tree(f"[bold]{ent.name_zh}[/] [cyan]{ent.uscc}[/] [dim]{root.descendants} 户下属[/]")
    _add(top, root)
    console.print(top)
