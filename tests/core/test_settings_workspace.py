from __future__ import annotations

from pathlib import Path

import pytest

from zhiguo.core import ConfigError, WorkspaceError, init_workspace, load_settings, open_workspace
from zhiguo.core.db import create_db_engine, current_revision


def test_init_lays_out_the_workspace(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    for name in ("zhiguo.toml", "meta.db", "lake", "inbox", "audit", "reports"):
        assert (ws.root / name).exists(), name
    engine = create_db_engine(ws.settings)
    assert current_revision(engine) is not None
    engine.dispose()


def test_init_is_idempotent_and_keeps_operator_settings(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    toml = ws.root / "zhiguo.toml"
    toml.write_text(toml.read_text().replace("port = 8000", "port = 8123"))
    again = init_workspace(tmp_path / "ws")
    assert again.settings.server.port == 8123


def test_environment_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(tmp_path / "ws")
    monkeypatch.setenv("ZHIGUO_SERVER_PORT", "9001")
    monkeypatch.setenv("ZHIGUO_ENGINE_BACKEND", "spark")
    settings = load_settings(tmp_path / "ws")
    assert settings.server.port == 9001
    assert settings.engine.backend == "spark"


def test_workspace_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(tmp_path / "ws")
    monkeypatch.setenv("ZHIGUO_WORKSPACE", str(tmp_path / "ws"))
    assert open_workspace().root == (tmp_path / "ws").resolve()


def test_default_database_is_sqlite_in_the_workspace(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    assert ws.settings.database_url == f"sqlite:///{ws.root / 'meta.db'}"


def test_opening_a_non_workspace_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as info:
        open_workspace(tmp_path)
    assert "zhiguo init" in info.value.message_en
    assert info.value.code == "ZG-CONF-002"


def test_invalid_toml_value_is_a_config_error(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    toml = ws.root / "zhiguo.toml"
    toml.write_text(toml.read_text().replace("port = 8000", 'port = "eighty"'))
    with pytest.raises(ConfigError):
        load_settings(ws.root)


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    toml = ws.root / "zhiguo.toml"
    toml.write_text(toml.read_text() + "\nnot_a_setting = 1\n")
    with pytest.raises(ConfigError):
        load_settings(ws.root)
