"""``zhiguo backup`` / ``zhiguo restore``: the workspace as one verified archive (等保 备份恢复).

The commands only parse options, load every package's models (so the dump covers every
table) and call :mod:`zhiguo.core.backup`; progress goes to the console line by line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from zhiguo.core.backup import create_backup, restore_backup
from zhiguo.core.workspace import open_workspace
from zhiguo.security.audit import record_event

from .common import WorkspaceOpt, console, err_console, load_all_models, workspace_session

__all__ = ["backup", "load_all_models", "restore"]


def _say(message: str) -> None:
    console.print(f"  {message}", highlight=False)


def backup(
    workspace: WorkspaceOpt = None,
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="备份文件（.tar / .tar.gz / .tar.xz）/ archive to write "
            "(default: zhiguo-backup-<UTC time>.tar.gz in the current folder)",
        ),
    ] = None,
    include_keys: Annotated[
        bool,
        typer.Option(
            "--include-keys",
            help="同时备份 keys/ 密钥目录（通常应单独保管）"
            " / also archive keys/ (normally kept apart)",
        ),
    ] = False,
) -> None:
    """备份工作区 / back up the workspace (metadata DB, lake, inbox, audit, reports)."""
    ws = open_workspace(workspace)
    if include_keys:
        err_console.print(
            "[bold yellow]警告：备份将包含密钥（keys/）。持有此文件者可解密全部加密字段，"
            "请与数据备份分开、加密保管。\nWARNING: the archive will hold the keys (keys/): "
            "whoever holds it can decrypt every encrypted field. Keep it apart and encrypted.[/]"
        )
    dest = to or Path(f"zhiguo-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz")
    console.print(f"备份 backing up {ws.root} → {dest}")
    result = create_backup(
        ws, dest, metadata=load_all_models(), include_keys=include_keys, progress=_say
    )
    _audit(ws.root, "backup.create", str(result.path), result.manifest)
    rows = sum(t["rows"] for t in result.manifest["tables"])
    console.print(
        f"[green]备份完成 / backup written:[/] {result.path} "
        f"({len(result.manifest['members'])} members, {rows} rows)"
    )


def restore(
    archive: Annotated[Path, typer.Argument(help="备份文件 / archive to restore", exists=True)],
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="恢复到的工作区目录 / target workspace")
    ],
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="目标数据库 URL（默认工作区内 SQLite）/ target DB"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖非空的目标 / overwrite a non-empty target")
    ] = False,
) -> None:
    """从备份恢复工作区 / restore a workspace from an archive (verified by SM3 first)."""
    console.print(f"恢复 restoring {archive} → {workspace}")
    result = restore_backup(
        archive,
        workspace,
        database_url=database_url,
        force=force,
        metadata=load_all_models(),
        progress=_say,
    )
    _audit(result.workspace, "backup.restore", str(archive.resolve()), result.manifest)
    console.print(f"[green]恢复完成 / restored:[/] {result.workspace}")
    if not result.manifest.get("include_keys"):
        err_console.print(
            "[yellow]备份不含密钥：请将原工作区的 keys/ 目录（或 ZHIGUO_* 密钥环境变量）另行恢复，"
            "否则加密字段无法解密、审计树头无法验签。\nThe archive holds no keys: restore the "
            "keys/ folder (or the ZHIGUO_* key variables) separately, or encrypted fields "
            "cannot be decrypted nor audit tree heads verified.[/]"
        )


def _audit(root: Path, event_type: str, target: str, manifest: dict[str, Any]) -> None:
    """Record the backup or restore in the workspace's audit chain (等保 安全审计)."""
    with workspace_session(root) as (_ws, session):
        record_event(
            session,
            event_type=event_type,
            object=target,
            detail={
                "alembic_revision": manifest.get("alembic_revision"),
                "created_at": manifest.get("created_at"),
                "members": len(manifest.get("members") or {}),
            },
        )
