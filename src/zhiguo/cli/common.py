"""What every command shares: the --workspace option, opening a DB session, printing
errors plainly (code, zh and en, location) and the exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from zhiguo.core.db import create_db_engine, make_sessionmaker, session_scope
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
