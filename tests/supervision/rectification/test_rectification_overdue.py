"""逾期 and the cockpit's counts, with a fixed ``today``."""

from __future__ import annotations

from datetime import date

import pytest
from rectification_world import TODAY, LoopWorld

from zhiguo.supervision import rectification as rect


def _dispatch(w: LoopWorld, a: int, *, on: date, due: date, to: str = "a11_officer") -> None:
    rect.dispatch(
        session=w.session, alert_id=a, **w.as_("analyst"), assignee_id=w.uid(to),
        due_date=due, instruction="请整改", today=on,
    )  # fmt: skip


def _respond(w: LoopWorld, a: int, who: str = "a11_officer") -> None:
    rect.respond(
        session=w.session, inbox=w.ws.inbox, alert_id=a, **w.as_(who), explanation="已整改",
        attachments=[], max_bytes=100,
    )  # fmt: skip


@pytest.fixture
def overdue_world(world: LoopWorld) -> tuple[LoopWorld, dict[str, int]]:
    """TODAY is 2026-03-15. Which of these are overdue is written beside each."""
    w = world
    ids = {k: w.alert(where) for k, where in
           [("late", "A11"), ("due_today", "A11"), ("answered", "A11"), ("reopened", "A12"),
            ("other_group", "B11"), ("raised", "A11"), ("dismissed", "A11")]}  # fmt: skip
    _dispatch(w, ids["late"], on=date(2026, 3, 1), due=date(2026, 3, 10))  # 5 days late
    _dispatch(w, ids["due_today"], on=date(2026, 3, 1), due=TODAY)  # due today: not yet late
    _dispatch(w, ids["answered"], on=date(2026, 3, 1), due=date(2026, 3, 5))
    _respond(w, ids["answered"])  # answered (even if late): waits for verification, not overdue
    _dispatch(w, ids["reopened"], on=date(2026, 2, 20), due=date(2026, 3, 2), to="a1_officer")
    _respond(w, ids["reopened"], "a1_officer")
    rect.reopen(
        session=w.session, alert_id=ids["reopened"], **w.as_("analyst"), reason="未到位",
        due_date=date(2026, 3, 12), today=date(2026, 3, 3),
    )  # fmt: skip  # 3 days late on the new date, no response since
    _dispatch(w, ids["other_group"], on=date(2026, 2, 1), due=date(2026, 3, 1), to="b11_officer")
    _dispatch(w, ids["dismissed"], on=date(2026, 2, 1), due=date(2026, 3, 1))
    rect.dismiss(session=w.session, alert_id=ids["dismissed"], **w.as_("leader"), reason="误报")
    w.session.commit()
    return w, ids


def test_overdue_lists_dispatched_alerts_past_due_most_late_first(
    overdue_world: tuple[LoopWorld, dict[str, int]],
) -> None:
    w, ids = overdue_world
    got = rect.overdue(session=w.session, scope=w.scope("analyst"), today=TODAY)
    assert [(o.alert.id, o.days_overdue) for o in got] == [
        (ids["other_group"], 14),
        (ids["late"], 5),
        (ids["reopened"], 3),
    ]
    assert got[1].alert.assignee_username == "a11_officer"
    # a day later, the one due today is late too
    tomorrow = rect.overdue(session=w.session, scope=w.scope("analyst"), today=date(2026, 3, 16))
    assert ids["due_today"] in {o.alert.id for o in tomorrow}


def test_overdue_respects_scope(overdue_world: tuple[LoopWorld, dict[str, int]]) -> None:
    w, ids = overdue_world
    mine = rect.overdue(session=w.session, scope=w.scope("a11_officer"), today=TODAY)
    assert [o.alert.id for o in mine] == [ids["late"]]
    group = rect.overdue(session=w.session, scope=w.scope("g1_leader"), today=TODAY)
    assert [o.alert.id for o in group] == [ids["late"], ids["reopened"]]
    other = rect.overdue(session=w.session, scope=w.scope("g2_officer"), today=TODAY)
    assert [o.alert.id for o in other] == [ids["other_group"]]


def test_a_response_takes_an_alert_off_the_overdue_list(
    overdue_world: tuple[LoopWorld, dict[str, int]],
) -> None:
    w, ids = overdue_world
    _respond(w, ids["late"])
    got = rect.overdue(session=w.session, scope=w.scope("analyst"), today=TODAY)
    assert ids["late"] not in {o.alert.id for o in got}


def test_loop_counts_by_status_and_severity(world: LoopWorld) -> None:
    w = world
    w.alert("A11", severity="red", period="2026-01", last_period="2026-03")
    w.alert("A12", severity="yellow", period="2026-02", status="responded")
    late = w.alert("A11", severity="orange", period="2026-02")
    _dispatch(w, late, on=date(2026, 3, 1), due=date(2026, 3, 10))
    w.alert("B11", severity="red", period="2026-03", status="closed")
    w.alert("G2", severity="yellow", period="2026-01", status="dismissed")
    w.session.commit()

    everything = rect.loop_counts(session=w.session, scope=w.scope("leader"), today=TODAY)
    assert everything.total == 5 and everything.period is None
    assert everything.by_status == {
        "raised": 1, "dispatched": 1, "responded": 1, "closed": 1, "dismissed": 1,
    }  # fmt: skip
    assert everything.by_severity == {"red": 2, "orange": 1, "yellow": 2}
    assert everything.by_status_severity["closed"] == {"red": 1, "orange": 0, "yellow": 0}
    assert everything.overdue == 1

    g1 = rect.loop_counts(session=w.session, scope=w.scope("g1_leader"))
    assert g1.total == 3 and g1.by_severity == {"red": 1, "orange": 1, "yellow": 1}
    assert g1.overdue is None
    assert rect.loop_counts(session=w.session, scope=w.scope("b11_officer")).total == 1

    # seen in March: the January alert still observed in March, and the March one
    march = rect.loop_counts(session=w.session, scope=w.scope("leader"), period="2026-03")
    assert march.period == "2026-03" and march.total == 2
    assert march.by_status["raised"] == 1 and march.by_status["closed"] == 1
    feb = rect.loop_counts(session=w.session, scope=w.scope("leader"), period="2026年2月")
    assert feb.total == 3 and feb.by_status["dispatched"] == 1
