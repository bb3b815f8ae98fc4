"""``zhiguo sites …``: import with progress (exit 1 with every located problem when
rejected), list (table and JSON), sample files, republish, and ``--as`` an officer."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from zhiguo.cli import app as main_app
from zhiguo.cli.sites_cmds import app
from zhiguo.core import create_db_engine, make_sessionmaker, open_workspace, session_scope
from zhiguo.core.access import Role
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE, sample_records, write_registry_xlsx

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert runner.invoke(main_app, ["init", str(ws)]).exit_code == 0
    ents, owns = sample_records()
    src = write_registry_xlsx(tmp_path / "registry.xlsx", ents, owns)
    done = runner.invoke(main_app, ["registry", "import", str(src), "-w", str(ws)])
    assert done.exit_code == 0, done.output
    return ws


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["站址编码", "站址名称", "类型", "产权单位统一社会信用代码", "经度", "纬度", "挂高(米)"]
        )
        w.writerows(rows)
    return path


def test_sample_import_list_and_publish(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    sample = tmp_path / "demo.xlsx"
    made = runner.invoke(app, ["sample", str(sample), "--n", "60", "--seed", "2", "-w", str(ws)])
    assert made.exit_code == 0, made.output and sample.is_file()
    done = runner.invoke(app, ["import", str(sample), "-w", str(ws)], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    out = _plain(done.output)
    assert "read 60 rows" in out and "published operations.sites v" in out
    listed = runner.invoke(app, ["list", "--json", "--type", "智慧杆", "-w", str(ws)])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert data["total"] >= 1 and {s["site_type"] for s in data["items"]} == {"smart_pole"}
    by_district = runner.invoke(app, ["list", "--district", "福田", "-w", str(ws)])
    assert by_district.exit_code == 0, by_district.output
    again = runner.invoke(app, ["publish", "-w", str(ws)])
    assert again.exit_code == 0 and "published" in _plain(again.output)


def test_rejected_import_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    path = _csv(
        tmp_path / "bad.csv",
        [
            ["C-1", "福田一号", "屋顶", SAMPLE["A1"], 22.5431, 114.0579, 30],  # swapped
            ["C-2", "南山一号", "智慧杆", SAMPLE["A1"], 113.93, 22.53, 25],  # pole too tall
        ],
    )
    result = runner.invoke(app, ["import", str(path), "-w", str(ws)], env={"COLUMNS": "220"})
    assert result.exit_code == 1
    out = _plain(result.output)
    assert "ZG-SITES-040" in out and "ZG-SITES-051" in out
    assert "nothing was written" in out and "未写入" in out
    assert re.search(r"bad\.csv\s*│\s*2\s*│", out), out
    listed = json.loads(runner.invoke(app, ["list", "--json", "-w", str(ws)]).output)
    assert listed["total"] == 0


def test_import_as_an_officer_is_limited_to_its_group(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    workspace = open_workspace(ws)
    engine = create_db_engine(workspace.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        add_user(
            session=session,
            username="off_g1",
            role=Role.ENTERPRISE_OFFICER,
            enterprise_uscc=SAMPLE["G1"],
            password="OfficerG1-Pass-2024!",
            must_change_password=False,
        )
    engine.dispose()
    path = _csv(
        tmp_path / "g2.csv", [["C-9", "龙岗一号", "园区", SAMPLE["B1"], 114.247, 22.72, 25]]
    )
    refused = runner.invoke(
        app, ["import", str(path), "--as", "off_g1", "-w", str(ws)], env={"COLUMNS": "220"}
    )
    assert refused.exit_code == 1 and "ZG-SITES-072" in _plain(refused.output)
    accepted = runner.invoke(app, ["import", str(path), "-w", str(ws)])
    assert accepted.exit_code == 0, accepted.output
    mine = json.loads(
        runner.invoke(app, ["list", "--json", "--as", "off_g1", "-w", str(ws)]).output
    )
    assert mine["total"] == 0
