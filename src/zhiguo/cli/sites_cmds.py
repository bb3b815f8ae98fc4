"""``zhiguo sites …``: import, list, republish and generate SOE site resources."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Scope
from zhiguo.core.errors import ImportRejected, InputError
from zhiguo.operations.geo import City, city_from_settings
from zhiguo.operations.sites.service import import_sites, list_sites, publish_sites
from zhiguo.operations.sites.synthetic import generate_sites, write_sites
from zhiguo.operations.sites.types import SITE_STATUSES, SITE_TYPES, status_code, type_code
from zhiguo.registry import Enterprise
from zhiguo.security import get_user, principal_for, resolve_scope
from zhiguo.security.audit import record_event

from .common import WorkspaceOpt, console, print_problems, report_error, workspace_session

__all__ = ["app"]

app = typer.Typer(help="国企站址资源 / SOE site resources", no_args_is_help=True)

Datum = Literal["wgs84", "gcj02"]


def _acting(session: Session, username: str | None) -> tuple[Principal | None, Scope, str]:
    """Who the command acts as: ``--as USER`` (that user's role and scope), else the
    operator at the console with the whole portfolio (like the registry import)."""
    if not username:
        return None, Scope.everything(), f"cli:{getpass.getuser()}"
    user = get_user(session=session, username=username)
    if user.disabled:
        raise InputError(f"用户 {username} 已停用", f"User {username} is disabled")
    principal = principal_for(user)
    scope = resolve_scope(session=session, principal=principal)
    return principal, scope, f"cli:{getpass.getuser()} as {principal.username}"


@app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV / xlsx / GeoJSON 站址文件 / site file", exists=True)
    ],
    workspace: WorkspaceOpt = None,
    datum: Annotated[
        str | None,
        typer.Option("--datum", help="坐标系 wgs84|gcj02（默认 wgs84，或 GeoJSON 内声明的）"),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="xlsx 工作表 / sheet")] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="以该用户的身份与管辖范围导入 / import as this user"),
    ] = None,
) -> None:
    """导入站址（全部成功或全部不写入），并发布数据集 operations.sites / import sites."""
    if datum is not None and datum.lower() not in ("wgs84", "gcj02"):
        raise InputError(
            f"--datum 须为 wgs84 或 gcj02，而不是 {datum}",
            f"--datum must be wgs84 or gcj02, not {datum}",
        )
    with workspace_session(workspace) as (ws, session):
        principal, scope, actor = _acting(session, as_user)
        try:
            result = import_sites(
                session=session,
                path=file,
                lake_root=ws.lake,
                inbox=ws.inbox,
                scope=scope,
                actor=actor,
                datum=datum,
                sheet=sheet,
                ops=ws.settings.operations,
                file_label=file.name,
                progress=lambda msg: console.print(f"[dim]· {msg}[/]", highlight=False),
            )
        except ImportRejected as exc:
            report_error(exc)
            print_problems(exc.details["problems"], limit=10_000)
            raise typer.Exit(1) from exc
        record_event(
            session,
            event_type="sites.import",
            principal=principal,
            object=f"operations.sites/{file.name}",
            detail={
                "via": "cli",
                "actor": actor,
                "sha256": result.sha256,
                "rows": result.rows,
                "new": result.imported,
                "updated": result.updated,
                "version": result.version,
            },
        )
    table = Table(title=file.name)
    for col in ("新增 new", "更新 updated", "未变 unchanged", "数据集版本 version"):
        table.add_column(col, justify="right")
    table.add_row(
        str(result.imported), str(result.updated), str(result.unchanged), str(result.version)
    )
    console.print(table)
    seconds = " ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items())
    console.print(f"[green]已导入 / imported[/] [dim]{seconds}[/]")


def _district(city: City, text: str | None) -> int | None:
    if text is None:
        return None
    if text.strip().lstrip("-").isdigit():
        return int(text)
    for d in city.districts:
        if text.strip() in (d.name_zh, d.name_en, d.name_zh.rstrip("区")):
            return d.code
    raise InputError(f"未知的区：{text}", f"Unknown district: {text}")


@app.command("list")
def list_cmd(
    workspace: WorkspaceOpt = None,
    site_type: Annotated[str | None, typer.Option("--type", help="类型 / type")] = None,
    status: Annotated[str | None, typer.Option("--status", help="状态 / status")] = None,
    district: Annotated[
        str | None, typer.Option("--district", help="区名或编号 / district name or code")
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="以该用户的范围 / as user")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """列出站址 / list sites."""
    kind = type_code(site_type) if site_type else None
    if site_type and kind is None:
        raise InputError(f"未知的站址类型：{site_type}", f"Unknown site type: {site_type}")
    state = status_code(status) if status else None
    if status and state is None:
        raise InputError(f"未知的站址状态：{status}", f"Unknown site status: {status}")
    with workspace_session(workspace) as (ws, session):
        city = city_from_settings(ws.settings.operations)
        _principal, scope, _actor = _acting(session, as_user)
        sites, total = list_sites(
            session=session,
            scope=scope,
            site_type=kind,
            status=state,
            district=_district(city, district),
            limit=limit,
            city=city,
        )
    if as_json:
        typer.echo(
            json.dumps(
                {"total": total, "items": [s.model_dump(mode="json") for s in sites]},
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    table = Table(title=f"站址 / sites: {len(sites)} / {total}")
    for col in (
        "编码 code",
        "名称 name",
        "类型 type",
        "区 district",
        "挂高 m",
        "状态 status",
        "产权单位 owner",
    ):
        table.add_column(col, overflow="fold")
    for s in sites:
        table.add_row(
            s.code,
            s.name_zh,
            SITE_TYPES[s.site_type].label_zh if s.site_type in SITE_TYPES else s.site_type,
            s.district_zh,
            f"{s.height_m:g}",
            SITE_STATUSES[s.status].label_zh if s.status in SITE_STATUSES else s.status,
            s.enterprise_name,
        )
    console.print(table)


@app.command("publish")
def publish_cmd(workspace: WorkspaceOpt = None) -> None:
    """重新发布 operations.sites（与数据库一致）/ republish the dataset from the DB."""
    with workspace_session(workspace) as (ws, session):
        actor = f"cli:{getpass.getuser()}"
        version = publish_sites(session=session, lake_root=ws.lake, actor=actor)
        record_event(
            session,
            event_type="sites.publish",
            object="operations.sites",
            detail={"via": "cli", "actor": actor, "version": version},
        )
    console.print(f"[green]已发布 / published[/] operations.sites v{version}")


@app.command("sample")
def sample_cmd(
    file: Annotated[Path, typer.Argument(help="目标 .csv/.xlsx/.geojson / target file")],
    workspace: WorkspaceOpt = None,
    n: Annotated[int, typer.Option("--n", min=1, max=200_000)] = 500,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    datum: Annotated[str, typer.Option("--datum", help="wgs84|gcj02")] = "wgs84",
    owner: Annotated[
        list[str] | None, typer.Option("--owner", help="产权单位 USCC（可多次）/ owner USCC")
    ] = None,
) -> None:
    """生成虚构的演示站址文件 / write a fictitious demo site file."""
    if datum not in ("wgs84", "gcj02"):
        raise InputError(f"--datum 须为 wgs84 或 gcj02：{datum}", f"--datum: wgs84|gcj02: {datum}")
    with workspace_session(workspace) as (ws, session):
        owners = list(
            owner or session.scalars(select(Enterprise.uscc).where(Enterprise.level == 1))
        )
        city = city_from_settings(ws.settings.operations)
    if not owners:
        raise InputError(
            "名录中没有企业：请先导入名录或用 --owner",
            "No owners: import the registry first or pass --owner",
        )
    rows = generate_sites(city, owners, n=n, seed=seed)
    write_sites(rows, file, datum=datum)
    console.print(f"已写入 / written: {file} ({n} sites, {datum})")
