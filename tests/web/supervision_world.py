"""The web test world (``app_world``) with supervision data: indicator values for every sample
enterprise and the portfolio over three periods, and one raised alert per enterprise.

Values are written straight to the lake as the computation would publish them, so the screens
are tested on numbers the test chose: the portfolio's debt ratio is 50 + month, each
enterprise's ``10 + its position in SAMPLE``, a year before everything was 5 pp lower.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import create_db_engine, make_sessionmaker, session_scope
from zhiguo.core.periods import Period
from zhiguo.datacenter.lake import open_table
from zhiguo.registry import Enterprise
from zhiguo.supervision.datasets import INDICATOR_VALUES, PORTFOLIO_ID
from zhiguo.supervision.indicators import builtin_library
from zhiguo.supervision.models import Alert, AlertEvent
from zhiguo.testing import SAMPLE

PERIOD = str(Period.parse(datetime.now(UTC).date()).previous)
HEADLINES = builtin_library().set_for_year("yili_wulv", Period.parse(PERIOD).year)
GROUPS = ("G1", "G2")
_SEQ = itertools.count(1)  # distinct rule codes: one alert per rule × enterprise × period


@dataclass(frozen=True)
class SupervisionSeed:
    world: Any
    ids: dict[str, int]  # SAMPLE key → enterprise id
    alerts: dict[str, int]  # SAMPLE key → its raised alert's id

    def key_of(self, enterprise_id: int) -> str:
        return next(k for k, i in self.ids.items() if i == enterprise_id)


def debt_ratio(key: str | None, period: Period) -> float:
    """The seeded debt ratio of ``key`` (None: the portfolio) in ``period``."""
    base = 50.0 + period.month if key is None else 10.0 + list(SAMPLE).index(key)
    return base - 5.0 if period < Period.parse(PERIOD).shift(-6) else base


def _rows(ids: dict[str, int]) -> pa.Table:
    library = builtin_library()
    here = Period.parse(PERIOD)
    periods = [here.shift(-i) for i in range(25)]
    subjects: list[tuple[int, str, str | None]] = [(PORTFOLIO_ID, "portfolio", None)]
    subjects += [(ids[k], "entity", k) for k in SAMPLE]
    subjects += [(ids[k], "group", k) for k in GROUPS]
    now = datetime.now(UTC)
    cols: dict[str, list[Any]] = {name: [] for name in INDICATOR_VALUES.arrow_schema.names}
    for p in periods:
        for eid, level, key in subjects:
            for code in HEADLINES:
                spec = library.specs[code]
                value = debt_ratio(key, p) if code == "debt_ratio" else 100.0 + p.month
                row = {
                    "enterprise_id": eid, "level": level, "period": str(p),
                    "indicator_code": code, "caliber": spec.default_caliber, "value": value,
                    "unit": spec.unit, "status": "ok", "reason": None, "source_version": 1,
                    "library_version": "test", "computed_at": now,
                }  # fmt: skip
                for name, v in row.items():
                    cols[name].append(v)
    return pa.table(cols, schema=INDICATOR_VALUES.arrow_schema)


def add_alert(session: Session, enterprise_id: int, status: str = "raised", **extra: Any) -> int:
    """A debt-ratio alert of ``enterprise_id`` in ``status`` (with its ``raise`` event)."""
    alert = Alert(
        rule_code=extra.pop("rule_code", f"debt_ratio.test{next(_SEQ)}"),
        rule_version="1", family="threshold",
        enterprise_id=enterprise_id, level="entity", period=PERIOD, last_period=PERIOD,
        periods_seen=1, severity=extra.pop("severity", "red"), status=status,
        indicator_code="debt_ratio", value=80.0, threshold=70.0,
        message_zh="资产负债率超过管控线（测试）", message_en="Debt ratio over the line (test)",
        details_json=json.dumps({}), **extra,
    )  # fmt: skip
    session.add(alert)
    session.flush()
    session.add(
        AlertEvent(alert_id=alert.id, action="raise", from_status=None, to_status="raised",
                   actor="test", reason="", details_json="{}")
    )  # fmt: skip
    session.flush()
    return alert.id


def seed_supervision(world: Any) -> SupervisionSeed:
    engine = create_db_engine(world.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            ids = {
                k: session.scalars(select(Enterprise.id).where(Enterprise.uscc == u)).one()
                for k, u in SAMPLE.items()
            }
            alerts = {k: add_alert(session, ids[k]) for k in SAMPLE}
    finally:
        engine.dispose()
    open_table(world.settings.workspace / "lake", INDICATOR_VALUES.name).commit(_rows(ids))
    return SupervisionSeed(world=world, ids=ids, alerts=alerts)


def with_session(world: Any, fn: Any) -> Any:
    """Run ``fn(session)`` in its own committed unit of work."""
    engine = create_db_engine(world.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return fn(session)
    finally:
        engine.dispose()


def future(days: int = 14) -> str:
    return date.fromordinal(date.today().toordinal() + days).isoformat()
