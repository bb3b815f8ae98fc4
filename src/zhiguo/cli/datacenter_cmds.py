"""Data-centre commands: ``zhiguo ingest``, ``zhiguo catalog``, ``zhiguo periods``,
``zhiguo lake``. Thin: parse, call one service function, print."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import NotFound, ZhiguoError
from zhiguo.core.periods import Period
from zhiguo.datacenter.catalog import (
    dataset_detail,
    default_registry,
    label_key,
    list_datasets,
    repair_labels,
    sync_catalog,
    verify_labels,
)
from zhiguo.datacenter.engine import open_engine
from zhiguo.datacenter.ingest import (
    close_period,
    ingest_file,
    reopen_period,
    set_deadline,
    submission_states,
)
from zhiguo.datacenter.lake import (
    DataAccess,
    data_access,
    flush_read_audit,
    open_table,
    scoped_snapshot,
)
from zhiguo.security import User, principal_for, resolve_scope
from zhiguo.security.audit import record_event

from .common import WorkspaceOpt, console, err_console, print_problems, workspace_session

catalog_app = typer.Typer(help="数据目录 / dataset catalog", no_args_is_help=True)
periods_app = typer.Typer(
    help="报送期间与催报 / reporting periods and reminders", no_args_is_help=True
)
lake_app = typer.Typer(help="数据湖版本与查询 / lake versions and queries", no_args_is_help=True)

STATUS_ZH = {"on_time": "按时", "late": "逾期报送", "missing": "未报送", "pending": "待报送"}


def ingest(
    target: Annotated[
        str,
        typer.Argument(help="要报送的文件，或 template 生成模板 / file to ingest, or 'template'"),
    ],
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="数据集 / dataset")
    ] = "flash_report",
    workspace: WorkspaceOpt = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="CSV 编码（默认自动识别）/ CSV encoding")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as-user", help="以该用户的报送范围校验 / check with a user's scope"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验不写入 / check only")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="模板输出路径 / template path")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="模板年度 / template year")] = None,
    lang: Annotated[str, typer.Option("--lang", help="模板语言 zh|en")] = "zh",
) -> None:
    """报送数据文件，或生成填报模板 / ingest a file, or write the xlsx template.

    ``zhiguo ingest FILE --dataset flash_report``;
    ``zhiguo ingest template --dataset flash_report``.
    """
    if target == "template":
        _template(dataset, out, year, lang)
        return
    path = Path(target)
    if not path.is_file():
        err_console.print(f"[red]找不到文件 / no such file: {path}[/]")
        raise typer.Exit(2)
    with workspace_session(workspace) as (ws, session):
        submitter = f"cli:{getpass.getuser()}"
        scope = Scope.everything()
        principal = None
        if as_user:
            user = session.scalar(select(User).where(User.username == as_user))
            if user is None:
                err_console.print(f"[red]没有用户 / no user {as_user}[/]")
                raise typer.Exit(2)
            principal = principal_for(user)
            scope = resolve_scope(session=session, principal=principal)
            submitter = as_user
        with console.status(f"校验 / checking {path.name} …"):
            result = ingest_file(
                session=session,
                settings=ws.settings,
                path=path,
                dataset=dataset,
                submitter=submitter,
                scope=scope,
                channel="cli",
                encoding=encoding,
                dry_run=dry_run,
            )
        if not dry_run:
            record_event(
                session,
                event_type="data.submit",
                result="failure" if result.status == "rejected" else "success",
                principal=principal,
                object=f"{dataset}/{result.batch_id}",
                detail={
                    "via": "cli",
                    "submitter": submitter,
                    "file": path.name,
                    "status": result.status,
                    "facts": result.facts,
                    "lake_version": result.lake_version,
                },
            )
        session.commit()
    if result.problems:
        print_problems([p.as_dict() for p in result.problems])
    summary = (
        f"{result.status} · 批次 batch {result.batch_id} · {result.facts} 条 facts · "
        f"{result.entities} 户 entities · 版本 version {result.lake_version} · "
        f"错误 {len(result.errors)} errors · 警告 {len(result.warnings)} warnings"
    )
    if result.report_path:
        summary += f"\n校验报告 / report: {result.report_path}"
    if result.status == "rejected":
        err_console.print(
            f"[bold red]已拒绝，未写入任何数据 / rejected, nothing written[/]\n{summary}"
        )
        raise typer.Exit(1)
    if result.status == "duplicate":
        console.print(f"[yellow]相同文件已报送过，未做任何更改 / already accepted[/]\n{summary}")
        return
    console.print(f"[green]{'校验通过 / checked' if dry_run else '已接收 / accepted'}[/] {summary}")


def _template(dataset: str, out: Path | None, year: int | None, lang: str) -> None:
    if dataset != "flash_report":
        err_console.print(
            f"[red]数据集 {dataset} 没有 xlsx 模板 / no xlsx template for {dataset}[/]"
        )
        raise typer.Exit(2)
    from zhiguo.datacenter.flashreport import write_template, write_template_in

    y = year or datetime.now(UTC).year
    # without --out: the standard name (财务快报模板_2026.xlsx) in the current folder
    target = (
        write_template(out, year=y, lang=lang)
        if out
        else write_template_in(Path.cwd(), year=y, lang=lang)
    )
    console.print(f"模板已写入 / template written: {target}")


@catalog_app.command("list")
def catalog_list(workspace: WorkspaceOpt = None) -> None:
    """列出数据集 / list datasets."""
    with workspace_session(workspace) as (ws, session):
        sync_catalog(session, key=label_key(ws.root / "keys"))
        rows = list_datasets(session)
        table = Table(title="数据目录 / catalog")
        for col in ("名称 name", "标题 title", "平台 owner", "级别 classification"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.name, f"{r.title_zh} / {r.title_en}", r.owner_platform, r.classification
            )
        console.print(table)


@catalog_app.command("verify-labels")
def catalog_verify_labels(
    workspace: WorkspaceOpt = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="从代码声明重写并重签 / rewrite and re-sign from code")
    ] = False,
) -> None:
    """校验密级标记完整性（HMAC-SM3）/ verify the catalog's classification labels."""
    with workspace_session(workspace) as (ws, session):
        key = label_key(ws.root / "keys")
        sync_catalog(session, key=key)  # sign new rows; never re-signs a failing one
        checks = verify_labels(session, key)
        bad = [c for c in checks if not c.ok]
        for check in checks:
            mark = "[green]OK[/]" if check.ok else f"[red]TAMPERED ({check.reason})[/]"
            console.print(f"{check.name}: {mark}")
        if bad and repair:
            fixed = repair_labels(session, key)
            console.print(f"已修复 / repaired: {', '.join(fixed)}")
            return
    if bad:
        err_console.print(
            f"[red]{len(bad)} 个数据集的密级标记被篡改 / labels tampered: "
            f"{', '.join(c.name for c in bad)}[/]"
        )
        raise typer.Exit(1)


@catalog_app.command("show")
def catalog_show(
    name: Annotated[str, typer.Argument(help="数据集名称 / dataset name")],
    workspace: WorkspaceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """数据集详情：字段、分级、版本、血缘 / dataset detail: columns, labels, versions, lineage."""
    with workspace_session(workspace) as (ws, session):
        try:
            detail = dataset_detail(session, ws.root / "lake", name)
        except ZhiguoError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
    spec = detail.spec
    if as_json:
        doc = {
            "spec": spec.model_dump(mode="json"),
            "effective_classification": spec.effective_classification.value,
            "version": detail.version,
            "rows": detail.rows,
            "files": detail.files,
            "commits": detail.commits,
        }
        console.print_json(json.dumps(doc, ensure_ascii=False, default=str))
        return
    console.print(f"[bold]{spec.name}[/] {spec.title_zh} / {spec.title_en}")
    console.print(spec.description)
    console.print(
        f"分级 classification: {spec.effective_classification.label_zh} "
        f"({spec.effective_classification.value}) · 主键 key: {', '.join(spec.primary_key)} · "
        f"保留 retention: {spec.retention_days or '永久 forever'}"
    )
    console.print(
        f"版本 version: {detail.version} · 行数 rows: {detail.rows} · 文件 files: {detail.files}"
    )
    cols = Table(title="字段 / columns")
    for header in ("name", "type", "unit", "标签 label", "级别 level", "个人信息 PI"):
        cols.add_column(header)
    for c in spec.columns:
        cols.add_row(
            c.name,
            c.type,
            c.unit or "",
            f"{c.label_zh} / {c.label_en}",
            c.classification.value,
            c.personal_info or "",
        )
    console.print(cols)
    lineage = Table(title="血缘 / lineage (latest 50)")
    for header in ("version", "operation", "batch", "inbox sha256", "rows", "by", "at"):
        lineage.add_column(header)
    for cm in detail.commits:
        lineage.add_row(
            str(cm["version"]),
            cm["operation"],
            str(cm["batch_id"] or ""),
            str(cm["inbox_sha256"] or "")[:12],
            str(cm["rows"]),
            cm["committed_by"],
            str(cm["committed_at"])[:19],
        )
    console.print(lineage)


@periods_app.command("status")
def periods_status(
    period: Annotated[str, typer.Argument(help="期间 YYYY-MM")],
    workspace: WorkspaceOpt = None,
    dataset: Annotated[str, typer.Option("--dataset", "-d")] = "flash_report",
    overdue: Annotated[
        bool, typer.Option("--overdue", help="只列催报清单 / reminder list only")
    ] = False,
) -> None:
    """各企业报送情况（按时/逾期/未报）/ who submitted, late, missing."""
    with workspace_session(workspace) as (ws, session):
        states = submission_states(
            session,
            scope=Scope.everything(),
            dataset=dataset,
            period=Period.parse(period),
            settings=ws.settings.ingest,
        )
    counts = {k: sum(1 for s in states if s.status == k) for k in STATUS_ZH}
    if overdue:
        states = [s for s in states if s.status in ("missing", "late")]
    table = Table(
        title=f"{period} 报送情况 / submissions — "
        + " · ".join(f"{STATUS_ZH[k]} {v}" for k, v in counts.items())
    )
    for c in ("USCC", "企业 enterprise", "级次", "状态 status", "报送时间 submitted", "逾期天数"):
        table.add_column(c)
    for s in states[:500]:
        table.add_row(
            s.uscc,
            s.name_zh,
            str(s.level),
            STATUS_ZH[s.status],
            str(s.submitted_at or "")[:19],
            str(s.days_late or ""),
        )
    console.print(table)
    if len(states) > 500:
        console.print(f"… 另有 {len(states) - 500} 户 / more")


@periods_app.command("close")
def periods_close(
    period: Annotated[str, typer.Argument(help="期间 YYYY-MM")],
    workspace: WorkspaceOpt = None,
    dataset: Annotated[str, typer.Option("--dataset", "-d")] = "flash_report",
) -> None:
    """关账：该期间不再接收数据 / close a period."""
    with workspace_session(workspace) as (ws, session):
        close_period(
            session,
            dataset,
            Period.parse(period),
            by=f"cli:{getpass.getuser()}",
            settings=ws.settings.ingest,
        )
    console.print(f"{period} 已关账 / closed")


@periods_app.command("reopen")
def periods_reopen(
    period: Annotated[str, typer.Argument(help="期间 YYYY-MM")],
    workspace: WorkspaceOpt = None,
    dataset: Annotated[str, typer.Option("--dataset", "-d")] = "flash_report",
) -> None:
    """重新开放期间 / reopen a period."""
    with workspace_session(workspace) as (ws, session):
        reopen_period(session, dataset, Period.parse(period), settings=ws.settings.ingest)
    console.print(f"{period} 已重新开放 / reopened")


@periods_app.command("deadline")
def periods_deadline(
    period: Annotated[str, typer.Argument(help="期间 YYYY-MM")],
    when: Annotated[str, typer.Argument(help="截止时间 ISO 8601, e.g. 2026-11-20T18:00+08:00")],
    workspace: WorkspaceOpt = None,
    dataset: Annotated[str, typer.Option("--dataset", "-d")] = "flash_report",
) -> None:
    """设置报送截止时间 / set a period's deadline."""
    moment = datetime.fromisoformat(when)
    if moment.tzinfo is None:
        err_console.print("[red]请带时区 / include a time zone (e.g. +08:00)[/]")
        raise typer.Exit(2)
    with workspace_session(workspace) as (ws, session):
        set_deadline(session, dataset, Period.parse(period), moment, settings=ws.settings.ingest)
    console.print(f"{period} 截止 / deadline {moment.isoformat()}")


@lake_app.command("history")
def lake_history(
    name: Annotated[str, typer.Argument(help="数据集 / dataset")],
    workspace: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option("--limit")] = 20,
) -> None:
    """表的版本历史 / a table's versions."""
    with workspace_session(workspace) as (ws, _session):
        table = open_table(ws.root / "lake", name)
        hist = table.history(limit)
    out = Table(title=f"{name} 版本 / versions")
    for c in ("version", "time", "operation", "batch"):
        out.add_column(c)
    for h in hist:
        out.add_row(
            str(h.version),
            h.timestamp.isoformat(timespec="seconds"),
            h.operation,
            str(h.metadata.get("batch_id", "")),
        )
    console.print(out)


@lake_app.command("optimize")
def lake_optimize(
    name: Annotated[str, typer.Argument(help="数据集 / dataset")],
    workspace: WorkspaceOpt = None,
    target_mb: Annotated[int, typer.Option("--target-mb", help="目标文件大小 / file size")] = 128,
) -> None:
    """合并小文件（新版本，数据不变）/ compact small files into a new version."""
    with workspace_session(workspace) as (ws, _session):
        table = open_table(ws.root / "lake", name)
        before = table.version()
        metrics = table.compact(target_mb=target_mb)
        after = table.version()
    removed, added = metrics.get("numFilesRemoved", 0), metrics.get("numFilesAdded", 0)
    console.print(f"{name}: 版本 version {before} → {after} · 文件 files −{removed} +{added}")


@lake_app.command("query")
def lake_query(
    sql: Annotated[
        str, typer.Argument(help="SQL（DuckDB 方言），数据集名即表名 / dataset names are tables")
    ],
    workspace: WorkspaceOpt = None,
    version: Annotated[
        int | None, typer.Option("--version", help="按版本读取 / as of version")
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """在数据湖上查询（经统一查询层）/ query the lake through the engine."""
    with workspace_session(workspace) as (ws, session):
        # the shell operator, for the command's one data.read audit record (labels verified)
        operator = Principal(
            user_id=0, username=f"cli:{getpass.getuser()}", role=Role.PLATFORM_ADMIN
        )
        access = DataAccess(session=session, keys_dir=ws.root / "keys", principal=operator)
        with data_access(access):
            tables = {}
            for spec in default_registry():
                table = open_table(ws.root / "lake", spec.name)
                if table.exists():
                    tables[spec.name] = scoped_snapshot(table, Scope.everything(), version=version)
            if not tables:
                raise NotFound("数据湖为空", "The lake is empty")
            result = open_engine(ws.settings.engine).query(sql, tables=tables)
            flush_read_audit(access)
    out = Table()
    for c in result.column_names:
        out.add_column(c)
    for row in result.slice(0, limit).to_pylist():
        out.add_row(*(str(v) for v in row.values()))
    console.print(out)
    console.print(f"{result.num_rows} 行 / rows")
