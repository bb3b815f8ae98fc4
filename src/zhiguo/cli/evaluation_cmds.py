"""企业绩效评价 and the objective-factor ledger from the command line: ``zhiguo benchmarks``,
``zhiguo evaluate``, ``zhiguo factors``. Thin: parse, call one service function, print."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected
from zhiguo.registry import get_enterprise
from zhiguo.supervision.evaluation import (
    evaluate as evaluate_enterprises,
)
from zhiguo.supervision.evaluation import (
    import_benchmarks,
    list_benchmarks,
    list_editions,
    load_scheme,
)
from zhiguo.supervision.ledger import add_factor, factor_types, list_factors

from .common import (
    WorkspaceOpt,
    console,
    err_console,
    print_problems,
    report_error,
    workspace_session,
)

benchmarks_app = typer.Typer(
    help="企业绩效评价标准值 / performance-evaluation standard values", no_args_is_help=True
)
factors_app = typer.Typer(
    help="国有资本客观增减因素台账 / objective factors of state capital", no_args_is_help=True
)

CLASS_ZH = {"commercial_1": "商业一类", "commercial_2": "商业二类", "public_welfare": "公益类"}


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@benchmarks_app.command("import")
def benchmarks_import(
    file: Annotated[Path, typer.Argument(help="标准值文件 .xlsx/.csv / standard-value file")],
    workspace: WorkspaceOpt = None,
    edition: Annotated[
        int | None, typer.Option("--edition", help="标准值年度 / edition (year)")
    ] = None,
    fictitious: Annotated[
        bool, typer.Option("--fictitious", help="标记为示例数据 / mark as fictitious")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验不写入 / check only")] = False,
) -> None:
    """导入标准值（全部成功或全部不写入；同一年度重新导入即替换）/ import standard values."""
    if not file.is_file():
        err_console.print(f"[red]找不到文件 / no such file: {file}[/]")
        raise typer.Exit(2)
    scheme = load_scheme()
    with workspace_session(workspace) as (ws, session):
        try:
            result = import_benchmarks(
                session=session,
                path=file,
                known_indicators=set(scheme.indicators),
                directions=scheme.directions,
                indicator_aliases={s.name_zh: c for c, s in scheme.indicators.items()},
                actor=_actor(),
                edition=edition,
                fictitious=fictitious,
                inbox=ws.inbox,
                dry_run=dry_run,
            )
        except ImportRejected as exc:
            report_error(exc)
            print_problems(exc.details["problems"])
            raise typer.Exit(1) from exc
    if result.problems:
        print_problems(result.problems)
    label = "示例数据 fictitious" if result.fictitious else ""
    console.print(
        f"[green]{'校验通过 / valid' if dry_run else '已导入 / imported'}[/] {result.file}: "
        f"年度 editions {', '.join(map(str, result.editions))} · {result.rows} 行 rows · "
        f"替换 replaced {result.replaced} {label}"
    )


@benchmarks_app.command("list")
def benchmarks_list(
    workspace: WorkspaceOpt = None,
    edition: Annotated[
        int | None, typer.Option("--edition", help="列出该年度的标准值 / rows of an edition")
    ] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="指标代码")] = None,
) -> None:
    """列出已导入的标准值年度，或某年度的标准值 / list editions, or one edition's rows."""
    with workspace_session(workspace) as (_ws, session):
        if edition is None:
            editions = list_editions(session=session)
            table = Table(title="标准值年度 / editions")
            for col in ("年度 edition", "行 rows", "行业 industries", "指标 indicators",
                        "示例 fictitious", "来源 source"):  # fmt: skip
                table.add_column(col)
            for e in editions:
                table.add_row(
                    str(e.edition), str(e.rows), str(e.industries), str(e.indicators),
                    "是 yes" if e.fictitious else "", e.source,
                )  # fmt: skip
            console.print(table)
            return
        rows = list_benchmarks(session=session, edition=edition, indicator_code=indicator)
        table = Table(title=f"{edition} 年标准值 / standard values")
        for col in ("指标", "行业", "规模", "优秀", "良好", "平均", "较低", "较差", "示例"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.indicator_code, r.industry_code, r.size_class, f"{r.excellent:g}",
                f"{r.good:g}", f"{r.average:g}", f"{r.low:g}", f"{r.poor:g}",
                "是" if r.fictitious else "",
            )  # fmt: skip
        console.print(table)
        console.print(f"{len(rows)} 行 / rows")


def evaluate(
    period: Annotated[str, typer.Option("--period", "-p", help="期间 YYYY-MM")],
    workspace: WorkspaceOpt = None,
    klass: Annotated[
        str | None,
        typer.Option("--class", help="功能分类 commercial_1|commercial_2|public_welfare"),
    ] = None,
    level: Annotated[str, typer.Option("--level", help="entity|group|subtree")] = "group",
    edition: Annotated[int | None, typer.Option("--edition", help="标准值年度")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """企业绩效评价：按功能分类评分、定级、排名 / score, grade and rank per class."""
    with workspace_session(workspace) as (ws, session):
        results = evaluate_enterprises(
            session=session,
            lake_root=ws.lake,
            engine_settings=ws.settings.engine,
            scope=Scope.everything(),
            period=period,
            supervision_class=klass,
            level=level,
            edition=edition,
        )
    if as_json:
        doc = [r.model_dump(mode="json") for r in results]
        console.print_json(json.dumps(doc, ensure_ascii=False))
        return
    table = Table(title=f"{period} 企业绩效评价 / performance evaluation ({level})")
    for col in ("分类 class", "排名 rank", "企业 enterprise", "得分 score", "等级 grade",
                "覆盖 coverage", "说明 note"):  # fmt: skip
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(
            CLASS_ZH.get(r.supervision_class, r.supervision_class),
            f"{r.rank}/{r.ranked_in_class}" if r.rank else "—",
            r.name_zh,
            f"{r.total_score:.2f}" if r.total_score is not None else "—",
            r.grade_zh or "—",
            f"{r.coverage_pct:.0f}%",
            r.reason_zh or "",
        )
    console.print(table)
    console.print(f"{len(results)} 户 / enterprises")


@factors_app.command("types")
def factors_types() -> None:
    """客观增减因素类型（国资委令第9号）/ objective factor types."""
    table = Table(title="客观因素类型 / factor types")
    for col in ("方向 direction", "代码 code", "名称 name"):
        table.add_column(col, overflow="fold")
    for t in factor_types():
        table.add_row(t.direction, t.code, f"{t.name_zh}\n[dim]{t.name_en}[/]")
    console.print(table)


@factors_app.command("add")
def factors_add(
    enterprise: Annotated[str, typer.Option("--enterprise", "-e", help="USCC 或企业编号 / id")],
    period: Annotated[str, typer.Option("--period", "-p", help="发生期间 YYYY-MM")],
    direction: Annotated[str, typer.Option("--direction", help="increase|decrease")],
    factor_type: Annotated[str, typer.Option("--type", help="因素类型代码 / factor type")],
    amount: Annotated[float, typer.Option("--amount", help="金额（元）/ amount in yuan")],
    workspace: WorkspaceOpt = None,
    description: Annotated[str, typer.Option("--description", help="说明")] = "",
    evidence: Annotated[
        Path | None, typer.Option("--evidence", help="证明材料文件 / evidence file")
    ] = None,
) -> None:
    """登记一项客观增减因素 / record an objective factor."""
    if evidence is not None and not evidence.is_file():
        err_console.print(f"[red]找不到文件 / no such file: {evidence}[/]")
        raise typer.Exit(2)
    scope = Scope.everything()
    with workspace_session(workspace) as (ws, session):
        ent = (
            get_enterprise(session=session, scope=scope, enterprise_id=int(enterprise))
            if enterprise.isdigit()
            else get_enterprise(session=session, scope=scope, uscc=enterprise)
        )
        row = add_factor(
            session=session,
            inbox=ws.inbox,
            scope=scope,
            enterprise_id=ent.id,
            period=period,
            direction=direction,
            factor_type=factor_type,
            amount=amount,
            description=description,
            evidence=(evidence.name, evidence.read_bytes()) if evidence else None,
            actor=_actor(),
        )
        console.print(
            f"[green]已登记 / recorded[/] #{row.id} {ent.name_zh} {row.period} "
            f"{row.direction} {row.factor_type} {row.amount:,.2f} 元"
        )


@factors_app.command("list")
def factors_list(
    workspace: WorkspaceOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="年度 / year")] = None,
    enterprise: Annotated[
        int | None, typer.Option("--enterprise-id", help="企业编号 / enterprise id")
    ] = None,
) -> None:
    """列出客观增减因素 / list objective factors."""
    with workspace_session(workspace) as (_ws, session):
        rows = list_factors(
            session=session, scope=Scope.everything(), enterprise_id=enterprise, year=year
        )
        table = Table(title="客观增减因素 / objective factors")
        for col in ("#", "企业 id", "期间", "方向", "类型", "金额（元）", "证明材料", "登记人"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                str(r.id), str(r.enterprise_id), r.period, r.direction, r.factor_type,
                f"{r.amount:,.2f}", r.evidence_name or "", r.entered_by,
            )  # fmt: skip
        console.print(table)
