"""``zhiguo keys …``: the field key ring — status, rotate (re-encrypting online), retire.

Thin: the work is in :mod:`zhiguo.core.crypto` (``add_active_key``, ``reencrypt``,
``key_usage``, ``retire_key``); here are options, progress lines and the audit record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from zhiguo.core.crypto import (
    FIELD_KEYS_ENV,
    FIELD_KEYS_FILE,
    KeyFileInvalid,
    RotationReport,
    add_active_key,
    key_ring_for,
    key_usage,
    reencrypt,
    retire_key,
)
from zhiguo.core.db import create_db_engine, make_sessionmaker, session_scope
from zhiguo.core.workspace import Workspace, open_workspace
from zhiguo.security.audit import record_event

from .common import WorkspaceOpt, console, load_all_models

__all__ = ["app"]

app = typer.Typer(help="字段加密密钥 / field encryption keys (SM4-GCM)", no_args_is_help=True)

BatchOpt = Annotated[
    int, typer.Option("--batch", min=1, help="每个事务重新加密的值数 / values per transaction")
]


def _key_file(ws: Workspace) -> Path:
    return ws.root / FIELD_KEYS_FILE


def _progress(column: str, done: int, total: int) -> None:
    console.print(f"  {column}: {done:,}/{total:,}", highlight=False)


def _reencrypt(ws: Workspace, engine: Engine, batch: int, event: str) -> RotationReport:
    report = reencrypt(engine, load_all_models(), batch_size=batch, progress=_progress)
    with session_scope(make_sessionmaker(engine)) as session:
        record_event(
            session,
            event_type="keys.rotate",
            object=str(key_ring_for(engine).source),
            detail={
                "action": event,
                "active": report.active,
                "resealed": report.resealed,
                "passes": report.passes,
            },
        )
    return report


@app.command("status")
def status_cmd(workspace: WorkspaceOpt = None) -> None:
    """密钥来源、当前密钥与各字段的密钥使用情况 / key source, active key, usage per field."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        loader = key_ring_for(engine)
        console.print(f"来源 / source: {loader.source}", highlight=False)
        if loader.environ_ring is None and not _key_file(ws).exists():
            console.print("尚无密钥文件，首次加密时创建 / no key file yet; created at first use")
        else:
            ring = loader.current()
            console.print(f"当前密钥 / active key: {ring.active}; 全部 / all: {sorted(ring.keys)}")
        table = Table("字段 field", "密钥 key", "值数 values")
        for column, counts in key_usage(engine, load_all_models()).items():
            if not counts:
                table.add_row(column, "-", "0")
            for kid, n in sorted(counts.items()):
                table.add_row(column, kid, f"{n:,}")
        console.print(table)
    finally:
        engine.dispose()


@app.command("rotate")
def rotate_cmd(
    workspace: WorkspaceOpt = None,
    batch: BatchOpt = 500,
    key_id: Annotated[
        str | None, typer.Option("--key-id", help="新密钥编号（默认 k<N+1>）/ new key id")
    ] = None,
) -> None:
    """新增密钥并设为当前，再分批重新加密所有字段（服务不停）/ add a key, make it active,
    re-encrypt every field in short batches while the platform keeps running."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        if key_ring_for(engine).environ_ring is not None:
            raise KeyFileInvalid(
                f"密钥来自环境变量 {FIELD_KEYS_ENV}：请在其中加入新密钥并设为 active，"
                "然后运行 zhiguo keys reencrypt",
                f"Keys come from {FIELD_KEYS_ENV}: add a new key there, make it active, "
                "then run `zhiguo keys reencrypt`",
            )
        previous, ring = add_active_key(_key_file(ws), key_id)
        console.print(f"当前密钥 / active key: {previous or '-'} → [bold]{ring.active}[/]")
        report = _reencrypt(ws, engine, batch, "rotate")
    finally:
        engine.dispose()
    console.print(
        f"[green]已重新加密 / re-encrypted[/] {report.total:,} 个值 / values "
        f"（{report.passes} 轮 / passes）; "
        f"旧密钥可用 zhiguo keys retire 停用 / retire old keys with `zhiguo keys retire`"
    )


@app.command("reencrypt")
def reencrypt_cmd(workspace: WorkspaceOpt = None, batch: BatchOpt = 500) -> None:
    """把不在当前密钥下的值重新加密 / re-encrypt values not under the active key
    (after changing ZHIGUO_FIELD_KEYS, or to finish an interrupted rotation)."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        report = _reencrypt(ws, engine, batch, "reencrypt")
    finally:
        engine.dispose()
    console.print(f"[green]已重新加密 / re-encrypted[/] {report.total:,} → {report.active}")


@app.command("retire")
def retire_cmd(
    kid: Annotated[str, typer.Argument(help="要停用的密钥编号 / key id to retire")],
    workspace: WorkspaceOpt = None,
) -> None:
    """停用旧密钥（仅当没有值再使用它）/ remove an old key once no value uses it."""
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        if key_ring_for(engine).environ_ring is not None:
            raise KeyFileInvalid(
                f"密钥来自环境变量 {FIELD_KEYS_ENV}，请在其中删除",
                f"Keys come from {FIELD_KEYS_ENV}; remove the key there",
            )
        with session_scope(make_sessionmaker(engine)) as session:
            record_event(  # written first: if the audit write fails, nothing is retired
                session,
                event_type="keys.rotate",
                object=str(_key_file(ws)),
                detail={"action": "retire", "retired": kid},
            )
            session.flush()
            ring = retire_key(engine, load_all_models(), _key_file(ws), kid)
    finally:
        engine.dispose()
    console.print(f"已停用 / retired: {kid}; 剩余 / remaining: {sorted(ring.keys)}")
