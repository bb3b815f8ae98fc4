"""入侵防范: denied requests are audited and a run of them raises one alert per window."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role
from zhiguo.security.audit import AuditRecord
from zhiguo.security.intrusion import list_alerts, note_denied, raise_alert

PROBER = Principal(user_id=7, username="prober", role=Role.ENTERPRISE_OFFICER)
OTHER = Principal(user_id=8, username="other", role=Role.ENTERPRISE_OFFICER)


def _events(session: Session, event_type: str) -> list[AuditRecord]:
    stmt = select(AuditRecord).where(AuditRecord.event_type == event_type)
    return list(session.scalars(stmt.order_by(AuditRecord.seq)))


def _deny(session: Session, who: Principal, addr: str, n: int, threshold: int = 5) -> list[bool]:
    return [
        note_denied(
            session,
            principal=who,
            client_addr=addr,
            method="GET",
            path=f"/api/registry/enterprises/{i:018d}",
            status=404,
            threshold=threshold,
        )
        for i in range(n)
    ]


def test_each_denial_is_audited_and_the_threshold_raises_one_alert(session: Session) -> None:
    raised = _deny(session, PROBER, "10.0.0.5", 9)
    # the fifth denial reaches the threshold for the user and the address: one alert each
    assert raised == [False, False, False, False, True, False, False, False, False]
    denied = _events(session, "access.denied")
    assert len(denied) == 9
    assert {d.username for d in denied} == {"prober"}
    assert all(d.result == "denied" for d in denied)
    alerts = _events(session, "security.alert")
    assert sorted(a.object for a in alerts) == ["addr:10.0.0.5", "user:prober"]


def test_an_address_probing_with_many_accounts_is_noticed(session: Session) -> None:
    _deny(session, PROBER, "10.0.0.9", 3)
    raised = _deny(session, OTHER, "10.0.0.9", 2)
    assert raised == [False, True]
    assert [a.object for a in _events(session, "security.alert")] == ["addr:10.0.0.9"]


def test_below_the_threshold_nothing_is_raised(session: Session) -> None:
    assert not any(_deny(session, PROBER, "10.0.0.5", 4))
    assert _events(session, "security.alert") == []


def test_alerts_are_listed_newest_first_with_their_kind(session: Session) -> None:
    raise_alert(session, kind="brute_force", subject="user:admin", client_addr="10.0.0.1")
    _deny(session, PROBER, "", 5)
    alerts = list_alerts(session=session)
    assert [(a.kind, a.subject) for a in alerts] == [
        ("access_probe", "user:prober"),
        ("brute_force", "user:admin"),
    ]
    assert alerts[0].seq > alerts[1].seq
