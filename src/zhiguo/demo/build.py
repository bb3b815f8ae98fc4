"""Build the demo workspace: the fictitious world, loaded into a fresh workspace, plus demo
users with generated passwords (no default credentials, ever)."""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
import tomli_w
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.core.db import create_db_engine, empty_database, make_sessionmaker, session_scope
from zhiguo.core.errors import WorkspaceError
from zhiguo.core.periods import Period
from zhiguo.core.settings import SETTINGS_FILE, load_settings
from zhiguo.core.workspace import Workspace, init_workspace, open_workspace
from zhiguo.datacenter.flashreport import all_items
from zhiguo.datacenter.ingest import close_period
from zhiguo.registry import Enterprise, count_enterprises, load_records
from zhiguo.security import User, add_user
from zhiguo.supervision.alerts import run_alerts
from zhiguo.supervision.indicators import compute_indicators

from .bad_files import write_bad_files
from .load_reports import load_flash_reports
from .operations import OperationsDemo, build_operations
from .reports import DemoReports, generate_flash_reports
from .standard_values import load_demo_standard_values
from .world import SCALES, World, demo_contacts, generate_world

__all__ = ["CREDENTIALS_FILE", "DemoResult", "DemoUser", "build_demo"]

CREDENTIALS_FILE = "demo-credentials.txt"
Progress = Callable[[str, int, int], None]  # (stage, advance, total)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    enterprise: str
    password: str


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    world: World
    users: list[DemoUser]
    created: bool  # False: the workspace already held a demo world and was left as it was
    facts: int = 0  # flash-report figures loaded into the lake
    operations: OperationsDemo | None = None  # sites, demand, coverage, plan, leases


def _demo_users(world: World) -> list[tuple[str, Role, str | None, str]]:
    names = {e.uscc: e for e in world.enterprises}
    first, second = world.groups[0], world.groups[1]
    return [
        ("admin", Role.PLATFORM_ADMIN, None, "平台管理员（示例）"),
        ("analyst", Role.REGULATOR_ANALYST, None, "国资委分析员（示例）"),
        ("leader", Role.REGULATOR_LEADER, None, "国资委领导（示例）"),
        ("officer1", Role.ENTERPRISE_OFFICER, first, f"{names[first].short_name}填报员（示例）"),
        ("officer2", Role.ENTERPRISE_OFFICER, second, f"{names[second].short_name}填报员（示例）"),
        ("eleader1", Role.ENTERPRISE_LEADER, first, f"{names[first].short_name}领导（示例）"),
        ("ops1", Role.OPERATIONS_STAFF, first, f"{names[first].short_name}运营人员（示例）"),
        ("citizen", Role.PUBLIC, None, "公众用户（示例）"),
        # 三员分立: system, security and audit administrators
        ("sysadmin", Role.SYSTEM_ADMIN, None, "系统管理员（示例）"),
        ("secadmin", Role.SECURITY_ADMIN, None, "安全管理员（示例）"),
        ("auditadmin", Role.AUDIT_ADMIN, None, "审计管理员（示例）"),
    ]


def _fill_contacts(session: Session, world: World) -> None:
    """Fictitious 法定代表人 and phones for every enterprise and demo user (see
    :func:`demo_contacts`), stored SM4-GCM-encrypted through ``EncryptedText``."""
    contacts = demo_contacts(world)
    ids = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    rows = [
        {"id": ids[uscc], "legal_representative": name, "contact_phone": phone}
        for uscc, (name, phone) in contacts.items()
    ]
    session.execute(update(Enterprise), rows)
    for i, user in enumerate(session.scalars(select(User).order_by(User.id))):
        user.phone = f"1380000{9000 + i:04d}"  # fictitious, like every demo phone


def _tour_logins(ws: Workspace) -> Workspace:
    """Tour mode in the workspace's settings: no second factor, a warning banner."""
    toml_path = ws.root / SETTINGS_FILE
    doc = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    security = doc.setdefault("security", {})
    security["mfa_required_roles"] = []
    security["demo_insecure_logins"] = True
    header = (
        "# zhiguo demo workspace; TOUR MODE (--demo-insecure-logins): demo logins skip the\n"
        "# password change and the second factor. Never use for real data.\n"
    )
    toml_path.write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    return open_workspace(ws.root)


def _reset(root: Path) -> str | None:
    """Remove a demo workspace folder; returns its database URL when that lives elsewhere
    (PostgreSQL), so the caller can empty it too. Refuses anything that is not plainly a
    demo workspace: a folder without ``zhiguo.toml`` is only removed when empty."""
    if not root.exists():
        return None
    toml = root / SETTINGS_FILE
    if not toml.exists():
        if any(root.iterdir()):
            raise WorkspaceError(
                f"{root} 不是工作区且非空，拒绝删除",
                f"{root} is not a workspace and not empty; refusing to delete it",
            )
        return None
    settings = load_settings(root)
    if not settings.demo_mode:
        raise WorkspaceError(
            f"{root} 不是示例工作区，拒绝重置（demo_mode = false）",
            f"{root} is not a demo workspace; refusing to reset it (demo_mode = false)",
        )
    shutil.rmtree(root)
    return settings.database.url or None


def build_demo(
    root: Path | str,
    *,
    scale: str = "S",
    seed: int = 20261125,
    reset: bool = False,
    database_url: str | None = None,
    progress: Progress | None = None,
    months: int = 36,
    insecure_logins: bool = False,
    operations: bool = True,
) -> DemoResult:
    """Create (or, with ``reset``, re-create) a demo workspace holding the demo world:
    the registry, demo users and ``months`` months of flash reports (0 = none) ending in
    the last period due before the demo's "today".

    Demo users get generated passwords that must be changed at the first login, and the
    regulator and administrator roles enrol a second factor (TOTP) then — unless
    ``insecure_logins`` (the tour): passwords count as changed and the workspace's
    ``zhiguo.toml`` turns the second factor off, with a warning on every page.

    ``operations`` adds the operations platform's fictitious sites, demand, as-built
    coverage, a plan and leases (about half a minute at S)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}")
    path = Path(root).resolve()
    old_url = _reset(path) if reset else None
    if old_url:
        engine = create_db_engine(old_url)
        try:
            empty_database(engine)  # the demo's own PostgreSQL schema, not only the folder
        finally:
            engine.dispose()
    ws = init_workspace(path, demo=True, database_url=database_url or old_url)
    if insecure_logins:
        ws = _tour_logins(ws)
    if not ws.settings.demo_mode:
        raise WorkspaceError(
            f"{path} 不是示例工作区（demo_mode = false）", f"{path} is not a demo workspace"
        )
    tick = progress or (lambda _stage, _n, _total: None)
    world = generate_world(scale, seed)
    engine = create_db_engine(ws.settings)
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as session:
            if count_enterprises(session=session, scope=Scope.everything()) > 0:
                return DemoResult(workspace=ws, world=world, users=[], created=False)
            total = len(world.enterprises) + len(world.ownership)
            load_records(
                session=session,
                enterprises=world.enterprises,
                ownership=world.ownership,
                progress=lambda n: tick("registry", n, total),
            )
            users = []
            facts = 0
            for username, role, uscc, display in _demo_users(world):
                created = add_user(
                    session=session,
                    username=username,
                    role=role,
                    enterprise_uscc=uscc,
                    display_name=display,
                    must_change_password=not insecure_logins,
                )
                assert created.password is not None
                users.append(DemoUser(username, role.value, uscc or "", created.password))
            carrier = add_user(
                session=session,
                username="carrier1",
                role=Role.CARRIER,
                carrier="mobile",
                display_name="运营商用户（示例）",
                must_change_password=not insecure_logins,
            )
            assert carrier.password is not None
            users.append(DemoUser("carrier1", Role.CARRIER.value, "", carrier.password))
            _fill_contacts(session, world)
            session.commit()
            ops_demo: OperationsDemo | None = None
            if operations:
                ops_demo = build_operations(session, ws, world, scale=scale, seed=seed, tick=tick)
            if months > 0:
                reports = generate_flash_reports(world, months=months, seed=seed)
                facts = load_flash_reports(
                    session, ws, reports, progress=lambda n: tick("reports", n, months)
                )
                if len(reports.periods) > OPEN_PERIODS:  # the bad files need a closed period
                    _close_old_periods(session, ws, reports)
                    session.commit()
                    _write_bad_files(ws, world, reports)
                tick("indicators", 0, 1)
                compute_indicators(
                    session=session, lake_root=ws.lake, engine_settings=ws.settings.engine
                )
                load_demo_standard_values(
                    session=session, folder=ws.root / STANDARD_VALUES_DIR, inbox=ws.inbox
                )
                session.commit()
                tick("indicators", 1, 1)
                for period in reports.periods[-ALERT_PERIODS:]:  # persisting ones escalate
                    run_alerts(
                        session=session,
                        lake_root=ws.lake,
                        engine_settings=ws.settings.engine,
                        period=period,
                        actor="demo",
                        scope=Scope.everything(),
                        ingest_settings=ws.settings.ingest,
                    )
                    session.commit()
    finally:
        engine.dispose()
    _write_credentials(ws.root / CREDENTIALS_FILE, users)
    return DemoResult(
        workspace=ws, world=world, users=users, created=True, facts=facts, operations=ops_demo
    )


BAD_FILES_DIR = "bad-files"
"""Folder of realistic bad submissions for the tour: ``zhiguo ingest FILE --as-user officer1``."""
ALERT_PERIODS = 3
"""The demo runs the warning rules for its last three periods, oldest first."""
STANDARD_VALUES_DIR = "standard-values"
"""The demo's FICTITIOUS 企业绩效评价标准值 (a CSV, imported at build time)."""
GOOD_FILES_DIR = "good-files"
"""Valid example submissions (long-format CSV in UTF-8 and GBK)."""
OPEN_PERIODS = 2
"""The demo leaves the last two periods open (corrections allowed) and closes the rest."""


def _close_old_periods(session: Session, ws: Workspace, reports: DemoReports) -> None:
    for period in reports.periods[:-OPEN_PERIODS]:
        close_period(
            session, "flash_report", Period.parse(period), by="demo", settings=ws.settings.ingest
        )


def _write_bad_files(ws: Workspace, world: World, reports: DemoReports) -> None:
    """Bad variants of officer1's group's real report for the last period (in 万元)."""
    officer1, officer2 = world.groups[0], world.groups[1]
    period = reports.periods[-1]
    facts = reports.facts(period)
    mine = facts.filter(
        pc.and_(pc.equal(facts["uscc"], officer1), pc.equal(facts["report_type"], "single"))
    )
    money = {i.code for i in all_items() if i.unit_kind == "money"}
    good = {
        (r["item_code"], r["caliber"]): (
            r["value"] / 10_000 if r["item_code"] in money else r["value"]
        )
        for r in mine.to_pylist()
    }
    folder = ws.root / BAD_FILES_DIR
    written = write_bad_files(
        folder,
        good_values=good,
        uscc=officer1,
        other_uscc=officer2,
        period=period,
        closed_period=reports.periods[-OPEN_PERIODS - 1],
        year=int(period[:4]),
    )
    # the long-format CSVs are valid submissions (GBK is detected): they go next door, as
    # examples that pass — and, with --encoding utf-8, of GBK text read as UTF-8
    good_folder = ws.root / GOOD_FILES_DIR
    good_folder.mkdir(exist_ok=True)
    bad: list[tuple[Path, str]] = []
    passing: list[tuple[Path, str]] = []
    for path, why in written:
        if path.suffix == ".csv":
            target = good_folder / path.name
            path.replace(target)
            passing.append((target, why))
        else:
            bad.append((path, why))
    usage = "# 用法 / usage: zhiguo ingest <file> --as-user officer1 -w <workspace>"
    lines = ["# 示例错误文件（虚构数据）/ demo bad files (fictitious data)", usage]
    lines += [f"{p.name}\t{why}" for p, why in bad]
    (folder / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["# 可接收的示例文件（虚构数据）/ demo files that pass (fictitious data)", usage]
    lines += [f"{p.name}\t{why}" for p, why in passing]
    lines.append(
        "# 用 --encoding utf-8 报送 GBK 文件可看到编码错误 / ingest the GBK file with "
        "--encoding utf-8 to see the encoding error"
    )
    (good_folder / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_credentials(path: Path, users: list[DemoUser]) -> None:
    lines = ["# 示例账号（仅限演示工作区）/ demo accounts — this demo workspace only"]
    lines += [f"{u.username}\t{u.password}\t{u.role}\t{u.enterprise}" for u in users]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
