"""``zhiguo leases …``: the lease pipeline and the rent earned per owning enterprise.

The console (no ``--as-user``) is the platform operator and sees every lease; ``--as-user``
shows what that user sees (a carrier its own leases, an enterprise its group's).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.operations import leasing
from zhiguo.security import get_user, principal_for, resolve_scope

from .common import WorkspaceOpt, console, workspace_session

app = typer.Typer(help="站址租赁 / carrier leases of SOE sites", no_args_is_help=True)

AsUserOpt = Annotated[
    str | None,
    typer.Option("--as-user", help="以此用户的视角查看 / see what this user sees"),
]


def _caller(session: Session, as_user: str | None) -> leasing.LeaseCaller:
    if as_user is None:
        return leasing.LeaseCaller("console", Role.PLATFORM_ADMIN, Scope.everything())
    user = get_user(session=session, username=as_user)
    principal = principal_for(user)
    scope = resolve_scope(session=session, principal=principal)
    return leasing.LeaseCaller(user.username, principal.role, scope, user.carrier)


@app.command("list")
def list_cmd(
    state: Annotated[
        str | None, typer.Option("--state", help="只看此状态 / only this state")
    ] = None,
    as_user: AsUserOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """列出租赁（按状态分组计数）/ list leases, with counts by state."""
    if state is not None and state not in leasing.STATES:
        console.print(f"[red]未知状态 / unknown state[/] {state}: {', '.join(leasing.STATES)}")
        raise typer.Exit(1)
    with workspace_session(workspace) as (_ws, session):
        views = leasing.list_leases(session=session, caller=_caller(session, as_user), state=state)
        table = Table()
        for header in ("#", "站址 site", "产权企业 owner", "运营商 carrier", "状态 state"):
            table.add_column(header)
        for header in ("年租金 rent", "租期 term"):
            table.add_column(header, justify="right")
        for v in views:
            lease = v.lease
            zh, en = leasing.STATE_LABELS[lease.state]
            term = (
                f"{lease.start_date} – {lease.ended_on or lease.end_date}"
                if lease.start_date
                else "—"
            )
            rent = f"{lease.rent_cny_year:,.2f}" if lease.rent_cny_year is not None else "—"
            table.add_row(
                str(lease.id), v.site_code, v.owner, lease.carrier, f"{zh} {en}", rent, term
            )
        console.print(table)
        counts = {s: sum(1 for v in views if v.lease.state == s) for s in leasing.STATES}
        console.print(
            "  ".join(f"{leasing.STATE_LABELS[s][0]} {s}: {n}" for s, n in counts.items() if n)
            or "无租赁 / no leases"
        )


@app.command("revenue")
def revenue_cmd(
    year: Annotated[int | None, typer.Option("--year", help="年度 / calendar year")] = None,
    period: Annotated[str | None, typer.Option("--period", help="月份 YYYY-MM / a month")] = None,
    as_user: AsUserOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """租金收入（按产权企业，按天折算）/ rent earned per owning enterprise, prorated by day."""
    if (year is None) == (period is None):
        console.print("[red]请给出 --year 或 --period 之一 / give --year or --period[/]")
        raise typer.Exit(1)
    with workspace_session(workspace) as (_ws, session):
        report = leasing.revenue(
            session=session, caller=_caller(session, as_user), period=period or str(year)
        )
        table = Table(title=f"{report.first} – {report.last}")
        for header in ("企业 enterprise", "USCC"):
            table.add_column(header)
        for header in ("租赁 leases", "收入 revenue (CNY)"):
            table.add_column(header, justify="right")
        for row in report.rows:
            table.add_row(row.enterprise, row.uscc, str(row.leases), f"{row.revenue_cny:,.2f}")
        table.add_row(
            "合计 total", "", str(sum(r.leases for r in report.rows)), f"{report.total_cny:,.2f}"
        )
        console.print(table)


@app.command("publish")
def publish_cmd(workspace: WorkspaceOpt = None) -> None:
    """发布租赁数据集 operations.leases（整表快照）/ publish the lease table to the lake."""
    with workspace_session(workspace) as (ws, session):
        version = leasing.publish_leases(session=session, lake_root=ws.lake, actor="console")
    console.print(f"[green]已发布 / published[/] operations.leases v{version}")
