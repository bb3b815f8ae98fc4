"""``zhiguo users …``: accounts, roles and clearances (三员分立), lockouts, second factors and
API tokens.

The console (no ``--as-user``) is the operator on the server: it may bootstrap accounts,
disable, unlock and reset second factors. Changing a role or a clearance is access policy:
it needs ``--as-user`` naming a security admin, and is audited under that name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role
from zhiguo.security import (
    admin_create_user,
    admin_disable_user,
    admin_reset_totp,
    admin_set_clearance,
    admin_set_role,
    admin_unlock_user,
    get_user,
    issue_api_token,
    list_api_tokens,
    list_users,
    parse_duration,
    parse_scopes,
    principal_for,
    set_password,
    withdraw_api_token,
)

from .common import WorkspaceOpt, console, workspace_session

app = typer.Typer(help="用户与角色 / users and roles", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌 / API tokens for machine clients", no_args_is_help=True)
app.add_typer(token_app, name="token")

AsUserOpt = Annotated[
    str | None,
    typer.Option("--as-user", help="以此管理员身份执行（审计记录其名）/ act as this administrator"),
]


def _actor(session: Session, as_user: str | None) -> Principal | None:
    return principal_for(get_user(session=session, username=as_user)) if as_user else None


@app.command("add")
def add_cmd(
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    role: Annotated[Role, typer.Option("--role", help="角色 / role")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="所属企业 USCC（企业角色必填）")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="显示名 / display name")] = "",
    carrier: Annotated[
        str | None,
        typer.Option("--carrier", help="运营商（carrier 角色）: telecom|mobile|unicom|cbn|tower"),
    ] = None,
    password_prompt: Annotated[
        bool, typer.Option("--password", help="交互输入密码（否则自动生成）/ prompt for one")
    ] = False,
    as_user: AsUserOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """新增用户（首次登录须改密）；未指定密码时生成强密码并只显示一次 / add a user."""
    password = None
    if password_prompt:
        password = typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    with workspace_session(workspace) as (ws, session):
        created = admin_create_user(
            session=session,
            actor=_actor(session, as_user),
            username=username,
            role=role,
            enterprise_uscc=enterprise,
            password=password,
            display_name=name,
            settings=ws.settings.security,
            carrier=carrier,
        )
    console.print(f"[green]已创建 / created[/] {username} ({role.value})")
    if created.password:
        console.print(f"初始密码（仅显示一次）/ initial password (shown once): {created.password}")


@app.command("list")
def list_cmd(workspace: WorkspaceOpt = None) -> None:
    """列出用户 / list users."""
    now = datetime.now(UTC)
    with workspace_session(workspace) as (_ws, session):
        users = list_users(session=session)
        table = Table()
        for header in ("用户名 username", "角色 role"):
            table.add_column(header, no_wrap=True)
        for header in ("企业", "密级", "2FA", "状态"):
            table.add_column(header)
        for u in users:
            locked = (
                u.locked_until is not None
                and (
                    u.locked_until if u.locked_until.tzinfo else u.locked_until.replace(tzinfo=UTC)
                )
                > now
            )
            state = "停用" if u.disabled else ("锁定" if locked else "启用")
            table.add_row(
                u.username,
                u.role,
                str(u.enterprise_id or ""),
                u.clearance,
                "✓" if u.totp_enrolled_at else "",
                state,
            )
    console.print(table)


@app.command("disable")
def disable_cmd(username: str, as_user: AsUserOpt = None, workspace: WorkspaceOpt = None) -> None:
    """停用用户并立即结束其会话与令牌 / disable a user; sessions and tokens end at once."""
    with workspace_session(workspace) as (_ws, session):
        admin_disable_user(session=session, actor=_actor(session, as_user), username=username)
    console.print(f"已停用 / disabled: {username}")


@app.command("unlock")
def unlock_cmd(username: str, as_user: AsUserOpt = None, workspace: WorkspaceOpt = None) -> None:
    """解除登录失败锁定 / lift a lockout after failed logins."""
    with workspace_session(workspace) as (_ws, session):
        admin_unlock_user(session=session, actor=_actor(session, as_user), username=username)
    console.print(f"已解锁 / unlocked: {username}")


@app.command("reset-totp")
def reset_totp_cmd(
    username: str, as_user: AsUserOpt = None, workspace: WorkspaceOpt = None
) -> None:
    """清除动态口令（手机丢失），下次登录重新绑定 / forget a second factor (lost phone)."""
    with workspace_session(workspace) as (_ws, session):
        admin_reset_totp(session=session, actor=_actor(session, as_user), username=username)
    console.print(f"已清除动态口令 / second factor reset: {username}")


@app.command("set-role")
def set_role_cmd(
    username: str,
    role: Annotated[Role, typer.Argument(help="新角色 / new role")],
    as_user: Annotated[str, typer.Option("--as-user", help="安全管理员 / a security admin")],
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="USCC")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """修改角色（仅安全管理员）/ change a role (security admin only)."""
    with workspace_session(workspace) as (_ws, session):
        admin_set_role(
            session=session,
            actor=_actor(session, as_user),
            username=username,
            role=role,
            enterprise_uscc=enterprise,
        )
    console.print(f"已修改角色 / role changed: {username} → {role.value}")


@app.command("set-clearance")
def set_clearance_cmd(
    username: str,
    clearance: Annotated[str, typer.Argument(help="general | important | core")],
    as_user: Annotated[str, typer.Option("--as-user", help="安全管理员 / a security admin")],
    workspace: WorkspaceOpt = None,
) -> None:
    """修改密级许可（仅安全管理员）/ change a clearance (security admin only)."""
    with workspace_session(workspace) as (_ws, session):
        admin_set_clearance(
            session=session, actor=_actor(session, as_user), username=username, clearance=clearance
        )
    console.print(f"已修改密级许可 / clearance changed: {username} → {clearance}")


@app.command("set-password")
def set_password_cmd(username: str, workspace: WorkspaceOpt = None) -> None:
    """设置密码 / set a user's password."""
    password = typer.prompt("新密码 / new password", hide_input=True, confirmation_prompt=True)
    with workspace_session(workspace) as (ws, session):
        set_password(
            session=session, username=username, password=password, settings=ws.settings.security
        )
    console.print(f"已更新 / updated: {username}")


@token_app.command("create")
def token_create_cmd(
    username: str,
    scope: Annotated[
        list[str], typer.Option("--scope", help="read | write [:registry|:datacenter|…]")
    ],
    expires: Annotated[str, typer.Option("--expires", help="有效期 / lifetime: 30d, 12h")] = "30d",
    name: Annotated[str, typer.Option("--name", help="用途说明 / what it is for")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """为用户签发 API 令牌（只显示一次）/ issue an API token (shown once)."""
    with workspace_session(workspace) as (ws, session):
        user = get_user(session=session, username=username)
        created = issue_api_token(
            session=session,
            user=user,
            scopes=parse_scopes(scope),
            lifetime=parse_duration(expires),
            settings=ws.settings.security,
            name=name,
        )
        expires_at = created.record.expires_at.isoformat(timespec="minutes")
    console.print(f"[green]已签发 / issued[/] {created.record.scopes} until {expires_at}")
    console.print(f"令牌（仅显示一次）/ token (shown once): {created.token}", highlight=False)


@token_app.command("list")
def token_list_cmd(username: str, workspace: WorkspaceOpt = None) -> None:
    """列出用户的 API 令牌 / list a user's API tokens."""
    with workspace_session(workspace) as (_ws, session):
        user = get_user(session=session, username=username)
        table = Table("id", "前缀 prefix", "权限 scopes", "到期 expires", "状态 state")
        for t in list_api_tokens(session=session, user_id=user.id):
            table.add_row(
                str(t.id),
                t.prefix,
                t.scopes,
                t.expires_at.isoformat(timespec="minutes"),
                "撤销 revoked" if t.revoked else "有效 live",
            )
    console.print(table)


@token_app.command("revoke")
def token_revoke_cmd(username: str, token_id: int, workspace: WorkspaceOpt = None) -> None:
    """撤销 API 令牌 / revoke an API token."""
    with workspace_session(workspace) as (_ws, session):
        owner = principal_for(get_user(session=session, username=username))
        withdraw_api_token(session=session, actor=owner, token_id=token_id)
    console.print(f"已撤销 / revoked: {token_id}")
