"""``zhiguo users …``: add, list, disable users and set passwords."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from zhiguo.core.access import Role
from zhiguo.security import add_user, disable_user, list_users, set_password

from .common import WorkspaceOpt, console, workspace_session

app = typer.Typer(help="用户与角色 / users and roles", no_args_is_help=True)


@app.command("add")
def add_cmd(
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    role: Annotated[Role, typer.Option("--role", help="角色 / role")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="所属企业 USCC（企业角色必填）")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="显示名 / display name")] = "",
    password_prompt: Annotated[
        bool, typer.Option("--password", help="交互输入密码（否则自动生成）/ prompt for one")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """新增用户；未指定密码时生成强密码并只显示一次 / add a user."""
    password = None
    if password_prompt:
        password = typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    with workspace_session(workspace) as (_ws, session):
        created = add_user(
            session=session,
            username=username,
            role=role,
            enterprise_uscc=enterprise,
            password=password,
            display_name=name,
        )
    console.print(f"[green]已创建 / created[/] {username} ({role.value})")
    if created.password:
        console.print(f"初始密码（仅显示一次）/ initial password (shown once): {created.password}")


@app.command("list")
def list_cmd(workspace: WorkspaceOpt = None) -> None:
    """列出用户 / list users."""
    with workspace_session(workspace) as (_ws, session):
        users = list_users(session=session)
        table = Table("用户名 username", "角色 role", "企业 enterprise", "状态 state")
        for u in users:
            table.add_row(
                u.username, u.role, str(u.enterprise_id or ""), "停用" if u.disabled else "启用"
            )
    console.print(table)


@app.command("disable")
def disable_cmd(username: str, workspace: WorkspaceOpt = None) -> None:
    """停用用户并立即结束其会话 / disable a user and end their sessions."""
    with workspace_session(workspace) as (_ws, session):
        disable_user(session=session, username=username)
    console.print(f"已停用 / disabled: {username}")


@app.command("set-password")
def set_password_cmd(username: str, workspace: WorkspaceOpt = None) -> None:
    """设置密码 / set a user's password."""
    password = typer.prompt("新密码 / new password", hide_input=True, confirmation_prompt=True)
    with workspace_session(workspace) as (_ws, session):
        set_password(session=session, username=username, password=password)
    console.print(f"已更新 / updated: {username}")
