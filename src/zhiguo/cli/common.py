"""What every command shares: the --workspace option, opening a DB session, printing
errors plainly (code, zh and en, location) and the exit codes."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

import zhiguo
from zhiguo.core.db import Base, create_db_engine, make_sessionmaker, session_scope
from zhiguo.core.errors import ZhiguoError
from zhiguo.core.workspace import Workspace, open_workspace

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="ZHIGUO_WORKSPACE",
        help="工作区目录 / workspace folder (default: current folder)",
        show_default=False,
    ),
]


def load_all_models() -> MetaData:
    """Import every ``models`` module of zhiguo, so ``Base.metadata`` declares every table
    (backups dump them all; key rotation finds every encrypted column)."""
    for info in pkgutil.walk_packages(zhiguo.__path__, "zhiguo."):
        if info.name.rsplit(".", 1)[-1] == "models" and ".migrations" not in info.name:
            importlib.import_module(info.name)
    return Base.metadata


def report_error(exc: ZhiguoError) -> None:
    err_console.print(f"[bold red]{exc.code}[/] {exc.message('zh')}", highlight=False)
    err_console.print(f"[dim]{exc.message('en')}[/]", highlight=False)


@contextmanager
def workspace_session(workspace: Path | None) -> Iterator[tuple[Workspace, Session]]:
    ws = open_workspace(workspace)
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield ws, session
    finally:
        engine.dispose()


def print_problems(problems: list[dict[str, object]], limit: int = 200) -> None:
    table = Table(title="问题清单 / problems", show_lines=False)
    for col in ("级别", "代码 code", "工作表 sheet", "行 row", "列 column", "说明 message"):
        table.add_column(col, overflow="fold")
    for p in problems[:limit]:
        loc = p.get("location") or {}
        assert isinstance(loc, dict)
        table.add_row(
            "错误" if p["severity"] == "error" else "警告",
            str(p["code"]),
            str(loc.get("sheet") or loc.get("file") or ""),
            str(loc.get("row") or ""),
            str(loc.get("column") or ""),
            f"{p['message_zh']}\n[dim]{p['message_en']}[/]",
        )
    err_console.print(table)
    if len(problems) > limit:
        err_console.print(f"… 另有 {len(problems) - limit} 条 / {len(problems) - limit} more")
