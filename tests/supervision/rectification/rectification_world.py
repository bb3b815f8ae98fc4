"""A small world for the rectification loop: the sample registry (``zhiguo.testing``), one
user per role and place, and alerts written directly as the alert rules would write them.

Runs on SQLite and on the real PostgreSQL server (the root ``workspace`` fixture)::

    G1 ── A1 ── A11   ← the alerts under test sit here
     │     └── A12
     └── A2
    G2 ── B1 ── B11   (A1 also holds 30 % of B1, non-controlling)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhiguo.core import Workspace
from zhiguo.core.access import Principal, Role, Scope
from zhiguo.security import User, hash_password, principal_for, resolve_scope
from zhiguo.supervision.models import Alert, AlertEvent

TODAY = date(2026, 3, 15)

# username → (role, enterprise key or None). argon2 costs ~0.2 s a hash, so every user
# shares one hash computed once; the rows are otherwise what security.add_user writes.
USERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.PLATFORM_ADMIN, None),
    "leader": (Role.REGULATOR_LEADER, None),
    "analyst": (Role.REGULATOR_ANALYST, None),
    "g1_leader": (Role.ENTERPRISE_LEADER, "G1"),
    "a1_officer": (Role.ENTERPRISE_OFFICER, "A1"),
    "a11_officer": (Role.ENTERPRISE_OFFICER, "A11"),
    "a12_officer": (Role.ENTERPRISE_OFFICER, "A12"),
    "a11_ops": (Role.OPERATIONS_STAFF, "A11"),
    "g2_officer": (Role.ENTERPRISE_OFFICER, "G2"),
    "b1_officer": (Role.ENTERPRISE_OFFICER, "B1"),
    "b11_officer": (Role.ENTERPRISE_OFFICER, "B11"),
    "a11_gone": (Role.ENTERPRISE_OFFICER, "A11"),  # disabled
}

_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password("Rectify-Test-2026!"))
    return _HASH[0]


@dataclass
class LoopWorld:
    ws: Workspace
    session: Session
    factory: sessionmaker[Session]
    ent: dict[str, int]
    users: dict[str, User]
    today: date = TODAY
    _n: list[int] = field(default_factory=lambda: [0])

    def principal(self, username: str) -> Principal:
        return principal_for(self.users[username])

    def scope(self, username: str) -> Scope:
        return resolve_scope(session=self.session, principal=self.principal(username), as_of=TODAY)

    def as_(self, username: str) -> dict[str, Any]:
        """``principal=`` and ``scope=`` keyword arguments for a service call."""
        return {"principal": self.principal(username), "scope": self.scope(username)}

    def uid(self, username: str) -> int:
        return self.users[username].id

    def alert(
        self,
        where: str = "A11",
        *,
        status: str = "raised",
        severity: str = "red",
        period: str = "2026-02",
        last_period: str | None = None,
    ) -> int:
        """An alert as the rules raise it (with its ``raise`` event), then set to ``status``."""
        self._n[0] += 1
        alert = Alert(
            rule_code=f"debt_ratio.warning.{self._n[0]}",
            rule_version="2026.1",
            family="threshold",
            enterprise_id=self.ent[where],
            level="entity",
            period=period,
            last_period=last_period or period,
            periods_seen=1,
            severity=severity,
            status=status,
            indicator_code="debt_ratio",
            value=78.5,
            threshold=70.0,
            message_zh="资产负债率 78.5% 超过预警线 70%",
            message_en="Debt ratio 78.5% above the warning line 70%",
        )
        self.session.add(alert)
        self.session.flush()
        self.session.add(
            AlertEvent(
                alert_id=alert.id, action="raise", from_status=None, to_status="raised",
                actor="system", reason="rule debt_ratio.warning",
            )
        )  # fmt: skip
        self.session.commit()
        return alert.id

    def status(self, alert_id: int) -> str:
        self.session.expire_all()
        return self.session.get_one(Alert, alert_id).status

    def events(self, alert_id: int) -> list[AlertEvent]:
        stmt = select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
        return list(self.session.scalars(stmt))
