"""``zhiguo leases``: the pipeline and revenue at the console, and a carrier user made with
``zhiguo users add --role carrier --carrier …``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from zhiguo.cli import app as main_app
from zhiguo.cli.lease_cmds import app
from zhiguo.core import (
    Role,
    Scope,
    create_db_engine,
    make_sessionmaker,
    open_workspace,
    session_scope,
)
from zhiguo.operations.geo import Projector
from zhiguo.operations.leasing import LeaseCaller, create_lease, create_request, transition_lease
from zhiguo.operations.sites.models import Site
from zhiguo.registry import Enterprise, load_records
from zhiguo.security import User
from zhiguo.testing import SAMPLE, sample_records

runner = CliRunner()


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _world(tmp_path: Path) -> str:
    """A workspace with the sample registry, a carrier user and one active lease (A1's site,
    36 500 CNY a year over 2026) and one still at the survey step (B1's site)."""
    ws = str(tmp_path / "ws")
    assert runner.invoke(main_app, ["init", ws]).exit_code == 0
    workspace = open_workspace(Path(ws))
    engine = create_db_engine(workspace.settings)
    x, y = (float(v[0]) for v in Projector().to_xy([114.06], [22.54]))
    admin = LeaseCaller("console", Role.PLATFORM_ADMIN, Scope.everything())
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            load_records(
                session=session, enterprises=sample_records()[0], ownership=sample_records()[1]
            )
            lease_ids = []
            for n, owner in enumerate(("A1", "B1")):
                eid = session.scalar(select(Enterprise.id).where(Enterprise.uscc == SAMPLE[owner]))
                site = Site(
                    code=f"CLI-{n}", name_zh=f"命令行站址{n}", name_en=f"CLI site {n}",
                    site_type="rooftop", enterprise_id=eid, lon=114.06, lat=22.54, x_m=x + 100 * n,
                    y_m=y, height_m=30.0, status="available", carriers="", power_kw=10.0,
                    has_fibre=True, restrictions="", source_file="t", source_sha256="0" * 64,
                )  # fmt: skip
                session.add(site)
                session.flush()
                req = create_request(
                    session=session, caller=admin, carrier="mobile", band="n78", lon=114.06,
                    lat=22.54, radius_m=500,
                )  # fmt: skip
                lease_ids.append(
                    create_lease(
                        session=session, caller=admin, request_id=req.id, site_id=site.id
                    ).id
                )
            steps = [("survey", {}), ("approval", {}),
                     ("contract", {"rent_cny_year": Decimal(36500), "start": date(2026, 1, 1),
                                   "end": date(2026, 12, 31)}),
                     ("active", {})]  # fmt: skip
            for to, kw in steps:
                transition_lease(session=session, caller=admin, lease_id=lease_ids[0], to=to, **kw)  # type: ignore[arg-type]
            transition_lease(session=session, caller=admin, lease_id=lease_ids[1], to="survey")
    finally:
        engine.dispose()
    return ws


def test_a_carrier_user_is_made_at_the_console(tmp_path: Path) -> None:
    ws = _world(tmp_path)
    result = runner.invoke(
        main_app, ["users", "add", "cm", "--role", "carrier", "--carrier", "mobile", "-w", ws]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        main_app, ["users", "add", "cx", "--role", "public", "--carrier", "mobile", "-w", ws]
    )
    assert bad.exit_code != 0  # a carrier only for the carrier role
    engine = create_db_engine(open_workspace(Path(ws)).settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            user = session.scalar(select(User).where(User.username == "cm"))
            assert user is not None and (user.role, user.carrier, user.enterprise_id) == (
                "carrier", "mobile", None,
            )  # fmt: skip
            assert session.scalar(select(User).where(User.username == "cx")) is None
    finally:
        engine.dispose()
    mine = runner.invoke(app, ["list", "--as-user", "cm", "-w", ws], env={"COLUMNS": "200"})
    assert mine.exit_code == 0, mine.output
    assert "CLI-0" in mine.output and "CLI-1" in mine.output


def test_leases_list_and_revenue(tmp_path: Path) -> None:
    ws = _world(tmp_path)
    listed = runner.invoke(app, ["list", "-w", ws], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    out = _plain(listed.output)
    assert "CLI-0" in out and "CLI-1" in out
    assert "active: 1" in out and "survey: 1" in out
    only = _plain(
        runner.invoke(app, ["list", "--state", "survey", "-w", ws], env={"COLUMNS": "200"}).output
    )
    assert "CLI-1" in only and "CLI-0" not in only
    assert runner.invoke(app, ["list", "--state", "nope", "-w", ws]).exit_code == 1
    year = runner.invoke(app, ["revenue", "--year", "2026", "-w", ws], env={"COLUMNS": "200"})
    assert year.exit_code == 0, year.output
    assert "36,500.00" in year.output and "示例测试一集团A1公司" in year.output
    march = runner.invoke(app, ["revenue", "--period", "2026-03", "-w", ws], env={"COLUMNS": "200"})
    assert "3,100.00" in march.output  # 36 500 × 31 / 365
    assert runner.invoke(app, ["revenue", "-w", ws]).exit_code == 1


def test_leases_publish(tmp_path: Path) -> None:
    ws = _world(tmp_path)
    result = runner.invoke(app, ["publish", "-w", ws])
    assert result.exit_code == 0, result.output
    assert "operations.leases v1" in _plain(result.output)  # v0: the empty table
    assert "v2" in _plain(runner.invoke(app, ["publish", "-w", ws]).output)
