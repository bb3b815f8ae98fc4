"""``zhiguo plan5g``: choose 5G sites among the SOE candidates for a coverage target or a
budget, against the latest published demand, and print the plan with its certified bound.

Set cover (``--target-coverage``, share of all demand) or budgeted maximal covering
(``--budget``, CNY); sites in service are pinned (in the plan at no cost). Progress goes to
stderr, the result table to stdout; a target no allowed site set reaches exits 1 with the
zh + en error and the share that *is* reachable. The run is audited as ``plans.run``.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from zhiguo.core.access import Scope
from zhiguo.core.errors import ZhiguoError
from zhiguo.operations.planning import service
from zhiguo.security.audit import record_event

from .common import WorkspaceOpt, console, err_console, report_error, workspace_session

__all__ = ["plan5g"]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2%}"


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def plan5g(
    target_coverage: Annotated[
        float | None,
        typer.Option(
            "--target-coverage", help="覆盖目标（需求占比，0–1）/ target share of demand, 0–1"
        ),
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="预算（元）/ budget, CNY")
    ] = None,
    band: Annotated[
        str, typer.Option("--band", help="频段 / NR band (n78, n41, n28, n79)")
    ] = "n78",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="求解时限（秒）/ solver time limit, s")
    ] = 60.0,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="覆盖门限 RSRP（dBm，默认取设置）/ RSRP threshold, dBm"),
    ] = None,
    exclude: Annotated[
        str, typer.Option("--exclude", help="排除的站点编码，逗号分隔 / site codes to exclude")
    ] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """5G 选址规划（最小成本覆盖或预算内最大覆盖，附下界与差距）/ plan 5G sites with a
    certified bound and gap."""
    if (target_coverage is None) == (budget is None):
        raise typer.BadParameter(
            "give exactly one of --target-coverage or --budget / "
            "请且仅请指定 --target-coverage 或 --budget 之一"
        )
    mode = "set_cover" if target_coverage is not None else "max_cover"
    exclusions = [c.strip() for c in exclude.split(",") if c.strip()]
    operator = _operator()
    with workspace_session(workspace) as (ws, session):
        try:
            with err_console.status("规划中 / planning …") as status:

                def progress(msg: str) -> None:
                    status.update(f"规划中 / planning … {msg}")
                    err_console.print(f"[dim]{msg}[/]", highlight=False)

                plan = service.plan_for_city(
                    session,
                    settings=ws.settings.operations,
                    lake_root=ws.lake,
                    scope=Scope.everything(),
                    mode=mode,
                    band=band,
                    target_coverage=target_coverage,
                    budget=budget,
                    time_limit_s=time_limit,
                    threshold_dbm=threshold,
                    exclusions=exclusions,
                    created_by=f"cli:{operator}",
                    progress=progress,
                )
        except ZhiguoError as exc:
            report_error(exc)
            raise typer.Exit(1) from exc
        record_event(
            session,
            event_type="plans.run",
            object=f"plan:{plan.id}",
            detail={
                "via": "cli",
                "os_user": operator,
                "mode": mode,
                "band": plan.band,
                "target_coverage": target_coverage,
                "budget": budget,
                "exclusions": exclusions,
            },
        )
        out = service.plan_as_dict(session, plan, scope=Scope.everything())
    _print_plan(out)


def _print_plan(p: dict[str, object]) -> None:
    cover = p["mode"] == "set_cover"
    title = f"规划 plan #{p['id']} · {p['band']} · " + (
        "最小成本覆盖 set cover" if cover else "预算内最大覆盖 max cover"
    )
    table = Table(title=title)
    table.add_column("指标 figure")
    table.add_column("本方案 plan", justify="right")
    table.add_column("贪心 greedy", justify="right")

    def f(key: str) -> float | None:
        v = p.get(key)
        return None if v is None else float(v)  # type: ignore[arg-type]

    table.add_row("成本 cost (CNY)", _money(f("cost")), _money(f("greedy_cost")))
    table.add_row("覆盖 coverage", _pct(f("coverage_share")), _pct(f("greedy_coverage_share")))
    if cover:
        table.add_row("下界 lower bound (CNY)", _money(f("bound")), "")
    else:
        table.add_row("上界 upper bound (coverage)", _pct(f("bound_coverage_share")), "")
    table.add_row("差距 gap", _pct(f("gap")), _pct(f("greedy_gap")))
    table.add_row(
        "站点 sites (新建 new + 已建 pinned)",
        f"{p['new_sites']} + {p['pinned_sites']}",
        "",
    )
    table.add_row("候选 candidates", str(p["candidates"]), "")
    table.add_row("需求行 demand rows (pixels)", f"{p['rows']} ({p['pixels']})", "")
    table.add_row("下界方法 bound method", str(p["bound_method"]), "")
    table.add_row("用时 seconds", f"{f('seconds') or 0.0:.1f}", "")
    console.print(table)
