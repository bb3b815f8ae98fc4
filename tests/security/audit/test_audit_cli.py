"""``zhiguo audit``: seal, verify (exit 1 and the seq on tampering), list, export (audited)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import AuditWorld
from zhiguo.cli.main import app

runner = CliRunner()


def _run(w: AuditWorld, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", *args, "--workspace", str(w.settings.workspace)])
    return result.exit_code, result.output


def test_seal_verify_list_export(audit_world: AuditWorld) -> None:
    w = audit_world
    w.append(7, event_type="data.submit")
    code, out = _run(w, "seal")
    assert code == 0 and "7" in out
    code, out = _run(w, "verify")
    assert code == 0 and "intact" in out
    code, out = _run(w, "list", "--type", "data.submit", "--limit", "3")
    assert code == 0 and "data.submit" in out and "7 matching" in out
    target = w.settings.workspace / "out.jsonl"
    code, out = _run(w, "export", "--format", "jsonl", "--output", str(target))
    assert code == 0
    rows = [json.loads(x) for x in target.read_text().splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, 9))
    assert rows[-1]["event_type"] == "audit.export"  # the export recorded itself first
    assert rows[0]["at"].endswith("+08:00")
    code, out = _run(w, "export", "--format", "csv")
    assert code == 0 and out.startswith("seq,at,")


def test_verify_names_the_tampered_seq_and_exits_1(audit_world: AuditWorld) -> None:
    w = audit_world
    w.append(5)
    w.raw("UPDATE audit_log SET username = 'mallory' WHERE seq = 4")
    code, out = _run(w, "verify")
    assert code == 1
    assert "ZG-AUDIT-010" in out and "第 4 条" in out and "seq 4" in out
    code, out = _run(w, "verify", "--json")
    assert code == 1 and json.loads(out)["findings"][0]["seq"] == 4


def test_prune_refuses_less_than_180_days(audit_world: AuditWorld) -> None:
    args = ["audit", "prune", "--retention-days", "90", "-w", str(audit_world.settings.workspace)]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == "ZG-AUDIT-020"
