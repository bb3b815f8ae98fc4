"""The workspace: one self-contained folder per deployment (or per demo).

``zhiguo init DIR`` lays it out; every command finds its settings, metadata DB, lake, inbox,
audit trail and reports through it, so a workspace can be backed up or moved as one folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from .errors import WorkspaceError
from .settings import SETTINGS_FILE, Settings, load_settings

__all__ = ["SUBDIRS", "Workspace", "init_workspace", "open_workspace"]

SUBDIRS = ("lake", "inbox", "audit", "reports")


@dataclass(frozen=True)
class Workspace:
    """A laid-out workspace folder and its settings."""

    root: Path
    settings: Settings

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def audit(self) -> Path:
        return self.root / "audit"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def _default_toml(demo: bool) -> dict[str, Any]:
    return {
        "demo_mode": demo,
        "database": {"url": ""},
        "server": {"host": "127.0.0.1", "port": 8000},
        "i18n": {"default_lang": "zh"},
        "engine": {"backend": "duckdb"},
    }


def init_workspace(
    root: Path | str, *, demo: bool = False, database_url: str | None = None
) -> Workspace:
    """Create (or complete) a workspace and migrate its metadata DB to the latest schema.

    Idempotent: an existing ``zhiguo.toml`` is kept as the operator left it.
    """
    from .db import create_db_engine, migrate

    path = Path(root).resolve()
    if path.exists() and not path.is_dir():
        raise WorkspaceError(f"{path} 已存在且不是目录", f"{path} exists and is not a directory")
    path.mkdir(parents=True, exist_ok=True)
    for sub in SUBDIRS:
        (path / sub).mkdir(exist_ok=True)
    toml_path = path / SETTINGS_FILE
    if not toml_path.exists():
        doc = _default_toml(demo)
        if database_url:
            doc["database"]["url"] = database_url
        toml_path.write_text(
            "# zhiguo workspace settings; ZHIGUO_* environment variables override these.\n"
            + tomli_w.dumps(doc),
            encoding="utf-8",
        )
    ws = open_workspace(path)
    engine = create_db_engine(ws.settings)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return ws


def open_workspace(root: Path | str | None = None, **overrides: Any) -> Workspace:
    """Open an existing workspace or say clearly that it is not one."""
    settings = load_settings(root, **overrides)
    path = settings.workspace
    if not (path / SETTINGS_FILE).is_file():
        raise WorkspaceError(
            f"{path} 不是 zhiguo 工作区（缺少 {SETTINGS_FILE}）；请先运行 zhiguo init {path}",
            f"{path} is not a zhiguo workspace (no {SETTINGS_FILE}); run `zhiguo init {path}`",
        )
    return Workspace(root=path, settings=settings)
