"""``zhiguo coverage run`` and ``zhiguo demand synth|import`` (the two Typer apps, invoked
directly: the lead registers them as ``coverage`` and ``demand``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from sqlalchemy import select
from typer.testing import CliRunner

from zhiguo.cli import app as main_app
from zhiguo.cli.common import workspace_session
from zhiguo.cli.coverage_cmds import app as coverage_app
from zhiguo.cli.coverage_cmds import demand_app
from zhiguo.operations.geo import load_city
from zhiguo.operations.sites.models import Site
from zhiguo.registry.models import Enterprise
from zhiguo.testing import sample_records, write_registry_xlsx

runner = CliRunner()
# as the lead registers them in zhiguo.cli.main
app = typer.Typer()
app.add_typer(coverage_app, name="coverage")
app.add_typer(demand_app, name="demand")
FUTIAN = (114.0550, 22.5400)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert runner.invoke(main_app, ["init", str(ws)]).exit_code == 0
    ents, owns = sample_records()
    src = write_registry_xlsx(tmp_path / "registry.xlsx", ents, owns)
    assert runner.invoke(main_app, ["registry", "import", str(src), "-w", str(ws)]).exit_code == 0
    city = load_city()
    x, y = city.projector.to_xy(*FUTIAN)
    with workspace_session(ws) as (_ws, session):
        ent = session.execute(select(Enterprise.id)).scalars().first()
        assert ent is not None
        session.add(
            Site(
                code="S-1", name_zh="福田楼顶", site_type="rooftop", enterprise_id=ent,
                lon=FUTIAN[0], lat=FUTIAN[1], x_m=float(x), y_m=float(y), district_code=1,
                height_m=30.0, status="in_service",
            )
        )  # fmt: skip
    return ws


def test_synth_then_run_prints_the_table_and_json(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    synth = runner.invoke(
        demand_app, ["synth", "--seed", "2", "--resolution", "500", "-w", str(ws)]
    )
    assert synth.exit_code == 0, synth.output
    assert "operations.demand" in _plain(synth.output)
    run = runner.invoke(
        app, ["coverage", "run", "--band", "n78", "--resolution", "500", "-w", str(ws)]
    )
    assert run.exit_code == 0, run.output
    out = _plain(run.output)
    assert "全市" in out and "Futian" in out and "%" in out
    assert "heatmap.png" in out
    as_json = runner.invoke(
        app,
        ["coverage", "run", "--band", "n41", "--resolution", "500", "--threshold", "-100",
         "--json", "--sites", "all", "-w", str(ws)],
    )  # fmt: skip
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    assert doc["band"] == "n41" and doc["threshold_dbm"] == -100
    assert doc["summary"]["sites"] == 1
    assert 0 < doc["summary"]["demand_share"] < 1
    assert (ws / "reports" / "coverage" / doc["run_id"] / "heatmap.png").is_file()


def test_bad_options_and_files_exit_1(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    bad = runner.invoke(
        app, ["coverage", "run", "--band", "n99", "--resolution", "500", "-w", str(ws)]
    )
    assert bad.exit_code == 1 and "ZG-RADIO-004" in _plain(bad.output)
    coarse = runner.invoke(app, ["coverage", "run", "--resolution", "5000", "-w", str(ws)])
    assert coarse.exit_code == 1 and "ZG-COV-001" in _plain(coarse.output)
    csv = tmp_path / "d.csv"
    csv.write_text(f"lon,lat,weight\n{FUTIAN[0]},{FUTIAN[1]},-3\n", encoding="utf-8")
    rejected = runner.invoke(app, ["demand", "import", str(csv), "-w", str(ws)])
    assert rejected.exit_code == 1
    assert "ZG-DEMAND-012" in _plain(rejected.output)
    assert not (ws / "lake" / "operations.demand").exists()
    csv.write_text(f"lon,lat,weight\n{FUTIAN[0]},{FUTIAN[1]},3\n", encoding="utf-8")
    ok = runner.invoke(app, ["demand", "import", str(csv), "--resolution", "500", "-w", str(ws)])
    assert ok.exit_code == 0, ok.output
    assert "imported" in _plain(ok.output)
