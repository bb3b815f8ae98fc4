"""The command line as a newcomer uses it: help, init, demo, registry and users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.core.access import Role
from zhiguo.demo import CREDENTIALS_FILE, build_demo
from zhiguo.testing import SAMPLE, sample_records, write_registry_xlsx

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_help_groups_commands_by_platform() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "160"})
    out = _plain(result.output)
    assert result.exit_code == 0
    for panel in ("工作区 Workspace", "大数据中心 Data centre", "信息安全 Security"):
        assert panel in out
    for command in ("init", "demo", "serve", "registry", "users"):
        assert re.search(rf"│ {command}\b", out), command


def test_init_creates_a_workspace(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ws" / "zhiguo.toml").is_file()


def test_demo_builds_and_registry_tree_prints(tmp_path: Path) -> None:
    ws = tmp_path / "demo-ws"
    result = runner.invoke(app, ["demo", "--scale", "S", "--no-serve", "--workspace", str(ws)])
    assert result.exit_code == 0, result.output
    assert "1500" in result.output and "admin" in result.output
    credentials = (ws / CREDENTIALS_FILE).read_text(encoding="utf-8")
    assert credentials.count("\n") == 13  # a header and one line per demo user
    roles = {line.split("\t")[2] for line in credentials.splitlines()[1:]}
    assert {r.value for r in Role} == roles  # every role, the 三员 included
    assert "首次登录须修改密码" in result.output  # secure by default: no tour mode
    assert (ws / CREDENTIALS_FILE).stat().st_mode & 0o077 == 0
    group = credentials.splitlines()[4].split("\t")[3]  # officer1's group
    tree = runner.invoke(app, ["registry", "tree", group, "--workspace", str(ws)])
    assert tree.exit_code == 0, tree.output
    assert group in tree.output and "├──" in tree.output
    again = runner.invoke(app, ["demo", "--no-serve", "--workspace", str(ws)])
    assert again.exit_code == 0 and "already" in again.output
    _the_lake_holds_36_months_and_every_bad_file_is_refused(ws)


def _the_lake_holds_36_months_and_every_bad_file_is_refused(ws: Path) -> None:
    """The data-centre issue's "done when": 36 months in the lake; each file of the demo's
    bad-files folder, submitted by officer1, is refused with its precise error and leaves
    ``zhiguo catalog show flash_report`` exactly as it was."""
    months = runner.invoke(
        app,
        ["lake", "query", "SELECT count(DISTINCT period) AS months FROM flash_report",
         "-w", str(ws)],
    )  # fmt: skip
    assert months.exit_code == 0 and re.search(r"│\s*36\s*│", _plain(months.output))
    show = ["catalog", "show", "flash_report", "--json", "-w", str(ws)]
    before = runner.invoke(app, show)
    assert before.exit_code == 0
    listed = (ws / "bad-files" / "README.txt").read_text(encoding="utf-8").splitlines()
    bad = [line.split("\t")[0] for line in listed if not line.startswith("#")]
    assert len(bad) >= 18
    for name in bad:
        result = runner.invoke(
            app,
            ["ingest", str(ws / "bad-files" / name), "--as-user", "officer1", "-w", str(ws)],
            env={"COLUMNS": "200"},
        )
        out = _plain(result.output)
        assert result.exit_code == 1, (name, out[-500:])
        assert re.search(r"ZG-INGEST-\d{3}", out), (name, out[-500:])
        assert "rejected, nothing written" in out, name
        assert runner.invoke(app, show).output == before.output, name


def test_reset_refuses_a_non_demo_workspace(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "prod")])
    with pytest.raises(Exception, match="not a demo workspace"):
        build_demo(tmp_path / "prod", reset=True, months=0, operations=False)


def test_registry_import_reports_and_exports_round_trip(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    ents, owns = sample_records()
    src = write_registry_xlsx(tmp_path / "in.xlsx", ents, owns)
    first = runner.invoke(app, ["registry", "import", str(src), "-w", str(ws)])
    assert first.exit_code == 0, first.output
    assert "imported" in first.output
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["registry", "export", str(out), "-w", str(ws)]).exit_code == 0
    report = tmp_path / "report.csv"
    second = runner.invoke(
        app, ["registry", "import", str(out), "-w", str(ws), "--report", str(report)]
    )
    assert second.exit_code == 0
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + len(ents) + len(owns)
    assert all(",unchanged," in line for line in lines[1:])


def test_registry_import_rejection_exits_1_and_names_the_row(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    ents, owns = sample_records()
    owns[0] = owns[0].model_copy(update={"parent_uscc": owns[0].child_uscc})
    src = write_registry_xlsx(tmp_path / "bad.xlsx", ents, owns)
    result = runner.invoke(app, ["registry", "import", str(src), "-w", str(ws)])
    assert result.exit_code == 1
    out = _plain(result.output)
    assert "ZG-INPUT-100" in out and "nothing was written" in out
    assert "ZG-REG-032" in out
    tree = runner.invoke(app, ["registry", "tree", SAMPLE["G1"], "-w", str(ws)])
    assert tree.exit_code != 0  # nothing was imported


def test_users_add_generates_a_password(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    result = runner.invoke(
        app, ["users", "add", "ana", "--role", "regulator-analyst", "-w", str(ws)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"initial password \(shown once\): \S{16}", _plain(result.output))
    listed = runner.invoke(app, ["users", "list", "-w", str(ws)])
    assert "ana" in listed.output and "regulator-analyst" in listed.output


def test_workspace_from_environment(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    result = runner.invoke(app, ["users", "list"], env={"ZHIGUO_WORKSPACE": str(ws)})
    assert result.exit_code == 0, result.output


def test_imported_files_are_kept_in_the_inbox_even_when_rejected(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    ents, owns = sample_records()
    owns[0] = owns[0].model_copy(update={"share_pct": 0})
    src = write_registry_xlsx(tmp_path / "bad.xlsx", ents, owns)
    assert runner.invoke(app, ["registry", "import", str(src), "-w", str(ws)]).exit_code == 1
    kept = list((ws / "inbox" / "registry").glob("*.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == src.read_bytes()
    meta = kept[0].with_suffix(".json").read_text(encoding="utf-8")
    assert "rejected" in meta and "ZG-REG-033" in meta


def test_reset_never_deletes_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    precious = tmp_path / "notws" / "important"
    precious.mkdir(parents=True)
    (precious / "data.txt").write_text("x")
    with pytest.raises(Exception, match="not a workspace"):
        build_demo(tmp_path / "notws", reset=True, months=0, operations=False)
    assert (precious / "data.txt").read_text() == "x"


def test_reset_of_a_demo_on_postgresql_empties_its_database(db_url: str, tmp_path: Path) -> None:
    url = None if db_url.startswith("sqlite") else db_url
    first = build_demo(tmp_path / "d", database_url=url, reset=True, months=2, operations=False)
    again = build_demo(tmp_path / "d", reset=True, months=2, operations=False)
    assert first.created and again.created and len(again.users) == 12
    assert first.users[0].password != again.users[0].password


def test_a_registry_workbook_bomb_is_refused_before_any_parser(tmp_path: Path) -> None:
    """calamine aborts the whole process on a workbook declaring A1:XFD1048576; the registry
    import goes through the same structural guard as data submissions."""
    import zipfile

    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    ents, owns = sample_records()
    good = write_registry_xlsx(tmp_path / "good.xlsx", ents, owns)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                head, _sep, tail = data.partition(b"<dimension ref=")
                data = head + b'<dimension ref="A1:XFD1048576"/>' + tail.partition(b"/>")[2]
            dst.writestr(item, data)
    result = runner.invoke(app, ["registry", "import", str(bomb), "-w", str(ws)])
    assert result.exit_code == 1
    assert "ZG-INGEST-023" in _plain(result.output)
