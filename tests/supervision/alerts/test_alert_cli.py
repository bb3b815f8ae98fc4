"""``zhiguo warnings run | list | rules`` from the command line (the sub-app on its own, as the
lead wires it into ``zhiguo.cli.main`` under the name ``warnings``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from zhiguo.cli.alerts_cmds import app
from zhiguo.core.access import Role
from zhiguo.security import add_user
from zhiguo.supervision.alerts import RunNotAllowed, builtin_rules
from zhiguo.testing import SAMPLE

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_run_prints_a_summary_and_list_shows_the_alerts(alert_world: Any, kit: Any) -> None:
    ids, ws = alert_world.ids, str(alert_world.ws.root)
    alert_world.commit_values(
        [
            kit.iv(ids["G1"], "2026-03", "debt_ratio", 72.0, level="group"),
            kit.iv(ids["A11"], "2026-03", "net_profit", -5.0),
        ]
    )
    with alert_world.factory() as session:
        add_user(
            session=session,
            username="b11",
            role=Role.ENTERPRISE_OFFICER,
            enterprise_uscc=SAMPLE["B11"],
            password="Str0ng-enough-pass!",
        )
        add_user(
            session=session,
            username="a1",
            role=Role.ENTERPRISE_OFFICER,
            enterprise_uscc=SAMPLE["A1"],
            password="Str0ng-enough-pass!",
        )
        session.commit()
    result = _invoke("run", "--period", "2026-03", "-w", ws)
    assert result.exit_code == 0, result.output
    out = _plain(result.output)
    assert "threshold" in out and "loss" in out and "data_quality" in out
    assert re.search(r"合计 total\s*│\s*│\s*\d+", out), out
    assert "not evaluable" in out and "guarantee.cap" in out
    listed = _invoke("list", "--json", "-w", ws)
    assert listed.exit_code == 0, listed.output
    doc = json.loads(_plain(listed.output))
    by_rule = {(a["rule_code"], a["enterprise_id"]) for a in doc["items"]}
    assert ("debt_ratio.control_line", ids["G1"]) in by_rule
    assert ("loss.net_loss", ids["A11"]) in by_rule
    red = json.loads(_plain(_invoke("list", "--json", "--severity", "red", "-w", ws).output))
    assert [(a["rule_code"], a["severity"]) for a in red["items"]] == [
        ("debt_ratio.control_line", "red")
    ]
    # an enterprise user sees only its own subtree's alerts
    mine = json.loads(_plain(_invoke("list", "--json", "--as-user", "a1", "-w", ws).output))
    assert {a["enterprise_id"] for a in mine["items"]} <= {ids["A1"], ids["A11"], ids["A12"]}
    assert ("loss.net_loss", ids["A11"]) in {
        (a["rule_code"], a["enterprise_id"]) for a in mine["items"]
    }
    table = _plain(_invoke("list", "--period", "2026-03", "-w", ws).output)
    assert "debt_ratio.control_line" in table and "红" in table
    # running the rules needs the whole portfolio
    refused = _invoke("run", "--period", "2026-03", "--as-user", "b11", "-w", ws)
    assert isinstance(refused.exception, RunNotAllowed)
    again = _plain(_invoke("run", "--period", "2026-03", "-w", ws).output)
    assert re.search(r"合计 total\s*│\s*│\s*0\s*│\s*0\s*│\s*0\s*│\s*\d+", again), again


def test_rules_lists_the_set_and_a_workspace_file(alert_world: Any) -> None:
    ws = alert_world.ws.root
    shown = _invoke("rules", "--json", "-w", str(ws))
    assert shown.exit_code == 0, shown.output
    assert len(json.loads(_plain(shown.output))) == len(builtin_rules())
    folder = Path(ws) / "rules" / "alerts"
    folder.mkdir(parents=True)
    (folder / "city.toml").write_text(
        """
[[rule]]
code = "city.loss"
version = "1"
valid_from = 2026
family = "loss"
title_zh = "城市亏损规则"
title_en = "City loss rule"
severity = "orange"
params = { measure = "net_loss" }
""",
        encoding="utf-8",
    )
    table = _plain(_invoke("rules", "--year", "2026", "-w", str(ws)).output)
    assert "city.loss" in table and "debt_ratio.control_line" in table
    # trend.cash_ratio: the 2025 version (营业收现率) is in force, not the 2023–24 one
    assert "营业收现率连续下降" in table and "营业现金比率连续下降" not in table
