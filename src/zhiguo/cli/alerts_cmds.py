"""Early-warning commands: ``zhiguo warnings run | list | rules``. Thin: parse, call one
service function of ``zhiguo.supervision.alerts``, print."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.periods import Period
from zhiguo.security import User, principal_for, resolve_scope
from zhiguo.supervision.alerts import (
    OUTCOMES,
    alert_as_dict,
    list_alerts,
    run_alerts,
    workspace_rules,
)

from .common import WorkspaceOpt, console, err_console, workspace_session

app = typer.Typer(help="预警 / early warnings", no_args_is_help=True)

SEVERITY_ZH = {
    "red": "[red]红 red[/]",
    "orange": "[dark_orange]橙 orange[/]",
    "yellow": "[yellow]黄 yellow[/]",
}
OUTCOME_ZH = {"raised": "新增", "escalated": "升级", "refreshed": "持续", "unchanged": "不变"}
FAMILY_ZH = {
    "threshold": "阈值",
    "trend": "趋势",
    "yoy": "同比",
    "peer": "同业偏离",
    "guarantee": "担保",
    "loss": "亏损",
    "data_quality": "数据质量",
}

AsUserOpt = Annotated[
    str | None,
    typer.Option("--as-user", help="以该用户的身份与范围 / act as this user, with their scope"),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="额外的规则文件（可重复）/ extra rule file (repeatable)"),
]


def _caller(session: Session, as_user: str | None) -> tuple[str, Scope]:
    if not as_user:
        return f"cli:{getpass.getuser()}", Scope.everything()
    user = session.scalar(select(User).where(User.username == as_user))
    if user is None:
        err_console.print(f"[red]没有用户 / no user {as_user}[/]")
        raise typer.Exit(2)
    return as_user, resolve_scope(session=session, principal=principal_for(user))


@app.command("run")
def run(
    period: Annotated[str, typer.Option("--period", "-p", help="期间 YYYY-MM / period")],
    workspace: WorkspaceOpt = None,
    as_user: AsUserOpt = None,
    rules: RulesOpt = None,
) -> None:
    """运行预警规则 / run the early-warning rules for a period."""
    p = Period.parse(period)
    with workspace_session(workspace) as (ws, session):
        actor, scope = _caller(session, as_user)
        lake = ws.root / "lake"
        ruleset = workspace_rules(lake, rules or ())
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task(f"预警规则 / rules {p}", total=None)

            def tick(code: str, done: int, total: int) -> None:
                label = f"预警规则 / rules {p} {code}".rstrip()
                bar.update(task, description=label, completed=done, total=total)

            summary = run_alerts(
                session=session,
                lake_root=lake,
                engine_settings=ws.settings.engine,
                period=p,
                actor=actor,
                scope=scope,
                rules=ruleset,
                ingest_settings=ws.settings.ingest,
                progress=tick,
            )
    table = Table(title=f"预警运行 / alert run {summary.period}")
    table.add_column("类别 family")
    table.add_column("等级 severity")
    for outcome in OUTCOMES:
        table.add_column(f"{OUTCOME_ZH[outcome]} {outcome}", justify="right")
    for row in summary.rows():
        family = row["family"]
        table.add_row(
            f"{FAMILY_ZH.get(family, family)} {family}",
            SEVERITY_ZH.get(row["severity"], row["severity"]),
            *(str(row[o]) for o in OUTCOMES),
        )
    table.add_row("[bold]合计 total[/]", "", *(f"[bold]{summary.total(o)}[/]" for o in OUTCOMES))
    console.print(table)
    for ne in summary.not_evaluable:
        console.print(
            f"[yellow]无法评估 / not evaluable[/] {ne.rule_code}: {ne.reason_zh} / {ne.reason_en}"
        )
    console.print(
        f"{len(summary.rules_applied)} 条规则 rules · {summary.candidates} 条候选 candidates · "
        f"指标版本 indicator version {summary.indicator_version} · {summary.seconds:.2f} s"
    )


@app.command("list")
def list_cmd(
    workspace: WorkspaceOpt = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="期间 / period")] = None,
    status: Annotated[str | None, typer.Option("--status", help="状态 / status")] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", help="等级 red|orange|yellow")
    ] = None,
    as_user: AsUserOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="条数 / rows")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="跳过 / skip")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """列出预警 / list alerts (within the caller's scope)."""
    with workspace_session(workspace) as (_ws, session):
        _actor, scope = _caller(session, as_user)
        items, total = list_alerts(
            session=session,
            scope=scope,
            period=period,
            status=status,
            severity=severity,
            limit=limit,
            offset=offset,
        )
        rows = [alert_as_dict(a) for a in items]
    if as_json:
        doc = {"total": total, "items": rows}
        console.print_json(json.dumps(doc, ensure_ascii=False, default=str))
        return
    table = Table(title=f"预警 / alerts（{len(rows)} / {total}）")
    for col in (
        "id",
        "等级 severity",
        "规则 rule",
        "企业 enterprise",
        "期间 periods",
        "状态 status",
    ):
        table.add_column(col)
    table.add_column("说明 message", overflow="fold")
    for r in rows:
        periods = (
            r["period"] if r["period"] == r["last_period"] else f"{r['period']}–{r['last_period']}"
        )
        table.add_row(
            str(r["id"]),
            SEVERITY_ZH.get(r["severity"], r["severity"]),
            r["rule_code"],
            str(r["enterprise_id"]),
            periods,
            r["status"],
            r["message_zh"],
        )
    console.print(table)


@app.command("rules")
def rules_cmd(
    workspace: WorkspaceOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="只列该年适用 / in force in")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """列出预警规则 / list the rule set (built-in plus the workspace's own files)."""
    from zhiguo.core.workspace import open_workspace

    ws = open_workspace(workspace)
    ruleset = workspace_rules(ws.root / "lake")
    shown = list(ruleset.in_force(year)) if year else list(ruleset)
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in shown], ensure_ascii=False))
        return
    table = Table(title="预警规则 / alert rules")
    for col in ("代码 code", "版本 version", "年度 years", "类别 family", "等级 severity"):
        table.add_column(col)
    table.add_column("名称 title", overflow="fold")
    for r in shown:
        sev = " ".join(SEVERITY_ZH.get(s, s) for s in r.severities())
        off = "" if r.enabled else " [dim](停用 disabled)[/]"
        table.add_row(
            r.code, r.version, r.years, r.family, sev, f"{r.title_zh} / {r.title_en}{off}"
        )
    console.print(table)
