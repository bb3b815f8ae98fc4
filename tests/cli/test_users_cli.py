"""``zhiguo users``: 三员分立 at the console, lockouts, second factors and API tokens."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.core import (
    ZhiguoError,
    create_db_engine,
    make_sessionmaker,
    open_workspace,
    session_scope,
)
from zhiguo.security import User, set_password

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _run(*args: str) -> tuple[int, str]:
    """Exit code and output; a domain error counts as ``zhiguo.cli.main`` reports it (2)."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    if isinstance(result.exception, ZhiguoError):
        return 2, _plain(result.output) + str(result.exception)
    return result.exit_code, _plain(result.output)


def test_roles_and_clearances_only_by_a_security_admin(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    _run("init", ws)
    for name, role in [("sec", "security-admin"), ("sys", "system-admin"), ("ana", "public")]:
        assert _run("users", "add", name, "--role", role, "-w", ws)[0] == 0
    code, out = _run("users", "set-role", "ana", "regulator-analyst", "--as-user", "sys", "-w", ws)
    assert code == 2 and "ZG-SEC-015" in out
    code, out = _run("users", "set-role", "ana", "regulator-analyst", "-w", ws)
    assert code != 0  # --as-user is required
    code, out = _run("users", "set-role", "sec", "system-admin", "--as-user", "sec", "-w", ws)
    assert code == 2 and "ZG-SEC-015" in out  # never one's own
    assert (
        _run("users", "set-role", "ana", "regulator-analyst", "--as-user", "sec", "-w", ws)[0] == 0
    )
    assert _run("users", "set-clearance", "ana", "important", "--as-user", "sec", "-w", ws)[0] == 0
    code, out = _run("users", "set-clearance", "ana", "secret", "--as-user", "sec", "-w", ws)
    assert code == 2
    code, out = _run("users", "add", "x", "--role", "audit-admin", "--as-user", "sys", "-w", ws)
    assert code == 2 and "ZG-SEC-015" in out  # an admin role is granted by the security admin
    listed = _run("users", "list", "-w", ws)[1]
    assert re.search(r"ana\s+│\s+regulator-analyst\s+│\s+│\s+important", listed)


def test_token_create_list_revoke(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    _run("init", ws)
    _run("users", "add", "robot", "--role", "regulator-analyst", "-w", ws)
    code, out = _run("users", "token", "create", "robot", "--scope", "read:supervision",
                     "--expires", "30d", "-w", ws)  # fmt: skip
    assert code == 0, out
    token = re.search(r"token \(shown once\): (zg_\S+)", out)
    assert token is not None
    listed = _run("users", "token", "list", "robot", "-w", ws)[1]
    assert token.group(1)[:8] in listed and "read:supervision" in listed
    assert token.group(1) not in listed
    assert _run("users", "token", "create", "robot", "--scope", "root", "-w", ws)[0] != 0
    assert _run("users", "token", "revoke", "robot", "1", "-w", ws)[0] == 0
    assert "revoked" in _run("users", "token", "list", "robot", "-w", ws)[1]


def test_unlock_and_reset_totp(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    _run("init", ws)
    _run("users", "add", "ana", "--role", "regulator-analyst", "-w", ws)
    workspace = open_workspace(ws)
    engine = create_db_engine(workspace.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            set_password(session=session, username="ana", password="Known-Pass-2026!")
            user = session.query(User).filter_by(username="ana").one()
            user.failed_logins, user.totp_secret = 3, "JBSWY3DPEHPK3PXP"
        assert _run("users", "unlock", "ana", "-w", ws)[0] == 0
        assert _run("users", "reset-totp", "ana", "-w", ws)[0] == 0
        with session_scope(make_sessionmaker(engine)) as session:
            user = session.query(User).filter_by(username="ana").one()
            assert (user.failed_logins, user.totp_secret) == (0, None)
    finally:
        engine.dispose()
