"""The rectification loop end to end: dispatch → respond → verify (close / reopen), dismiss,
every illegal transition, who may do what, and what an enterprise may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rectification_world import TODAY, LoopWorld

from zhiguo.core.errors import Conflict, InputError, NotFound, PermissionDenied
from zhiguo.supervision import rectification as rect
from zhiguo.supervision.models import Alert, AlertAttachment

DUE = TODAY + timedelta(days=30)
PLAN = ("整改方案.pdf", b"%PDF-1.7 plan", "plan")
EVIDENCE = ("还款凭证.xlsx", b"PK\x03\x04 evidence", "evidence")


def _dispatch(w: LoopWorld, alert_id: int, *, by: str = "analyst", to: str = "a11_officer"):
    return rect.dispatch(
        session=w.session, alert_id=alert_id, **w.as_(by), assignee_id=w.uid(to),
        due_date=DUE, instruction="请于30日内压降资产负债率并报送整改方案", today=TODAY,
    )  # fmt: skip


def _respond(w: LoopWorld, alert_id: int, *, by: str = "a11_officer", files=(PLAN,)):
    return rect.respond(
        session=w.session, inbox=w.ws.inbox, alert_id=alert_id, **w.as_(by),
        explanation="已制定降负债方案，偿还短期借款2亿元", attachments=list(files),
        max_bytes=1024,
    )  # fmt: skip


def test_full_loop_records_every_step_in_order(world: LoopWorld) -> None:
    w = world
    a = w.alert()
    step = _dispatch(w, a)
    assert step.alert.status == "dispatched"
    assert step.alert.assignee_id == w.uid("a11_officer")
    assert step.alert.assignee_username == "a11_officer"
    assert step.alert.due_date == DUE
    assert step.event.from_status == "raised" and step.event.to_status == "dispatched"
    w.session.commit()

    step = _respond(w, a, files=[PLAN, EVIDENCE])
    assert step.alert.status == "responded"
    assert [f.kind for f in step.event.attachments] == ["plan", "evidence"]
    w.session.commit()

    step = rect.close(session=w.session, alert_id=a, **w.as_("leader"), note="现场核查，已整改到位")
    assert step.alert.status == "closed"
    w.session.commit()

    h = rect.history(session=w.session, alert_id=a, scope=w.scope("a11_officer"))
    assert h.alert.status == "closed" and h.alert.enterprise_name == "示例测试一集团A11公司"
    got = [(e.action, e.from_status, e.to_status, e.actor) for e in h.events]
    assert got == [
        ("raise", None, "raised", "system"),
        ("dispatch", "raised", "dispatched", "analyst"),
        ("respond", "dispatched", "responded", "a11_officer"),
        ("close", "responded", "closed", "leader"),
    ]
    dispatch_ev, respond_ev, close_ev = h.events[1:]
    assert dispatch_ev.reason.startswith("请于30日内")
    assert dispatch_ev.details["assignee_id"] == w.uid("a11_officer")
    assert dispatch_ev.details["due_date"] == DUE.isoformat()
    assert dispatch_ev.details["by"] == {"user_id": w.uid("analyst"), "role": "regulator-analyst"}
    assert respond_ev.reason.startswith("已制定降负债方案")
    assert [x.file_name for x in respond_ev.attachments] == ["整改方案.pdf", "还款凭证.xlsx"]
    assert close_ev.reason == "现场核查，已整改到位"
    assert close_ev.details["by"]["role"] == "regulator-leader"
    assert [x.file_name for x in h.attachments] == ["整改方案.pdf", "还款凭证.xlsx"]
    assert all(e.at is not None for e in h.events[1:])
    times = [e.at for e in h.events[1:]]
    assert times == sorted(times)


def test_reopen_then_respond_again_then_close(world: LoopWorld) -> None:
    w = world
    a = w.alert()
    _dispatch(w, a)
    _respond(w, a)
    with pytest.raises(InputError):  # the new due date must be in the future
        rect.reopen(
            session=w.session, alert_id=a, **w.as_("analyst"), reason="方案不具体",
            due_date=TODAY, today=TODAY,
        )  # fmt: skip
    new_due = TODAY + timedelta(days=45)
    step = rect.reopen(
        session=w.session, alert_id=a, **w.as_("analyst"),
        reason="方案缺少时间表，请补充", due_date=new_due, today=TODAY,
    )  # fmt: skip
    assert step.alert.status == "dispatched" and step.alert.due_date == new_due
    assert step.alert.assignee_id == w.uid("a11_officer")  # same assignee
    assert step.event.details["previous_due_date"] == DUE.isoformat()
    assert step.event.details["due_date"] == new_due.isoformat()
    _respond(w, a, files=[("时间表.docx", b"PK timetable", "plan")])
    rect.close(session=w.session, alert_id=a, **w.as_("analyst"), note="复核通过")
    w.session.commit()
    actions = [(e.action, e.to_status) for e in w.events(a)]
    assert actions == [
        ("raise", "raised"),
        ("dispatch", "dispatched"),
        ("respond", "responded"),
        ("reopen", "dispatched"),
        ("respond", "responded"),
        ("close", "closed"),
    ]
    assert w.events(a)[3].reason == "方案缺少时间表，请补充"


def test_enterprise_may_add_to_its_response_before_verification(world: LoopWorld) -> None:
    w = world
    a = w.alert()
    _dispatch(w, a)
    _respond(w, a)
    step = _respond(w, a, by="g1_leader", files=[EVIDENCE])  # the group leader adds evidence
    assert step.event.from_status == "responded" and step.event.to_status == "responded"
    h = rect.history(session=w.session, alert_id=a, scope=w.scope("analyst"))
    assert [e.actor for e in h.events if e.action == "respond"] == ["a11_officer", "g1_leader"]
    assert len(h.attachments) == 2


@pytest.mark.parametrize("start", ["raised", "dispatched"])
def test_dismiss_needs_a_reason_and_is_final(world: LoopWorld, start: str) -> None:
    w = world
    a = w.alert(status=start)
    for blank in ("", "   \n"):
        with pytest.raises(rect.ReasonRequired) as err:
            rect.dismiss(session=w.session, alert_id=a, **w.as_("analyst"), reason=blank)
        assert err.value.location.field == "reason"
    step = rect.dismiss(session=w.session, alert_id=a, **w.as_("analyst"), reason="口径错误，误报")
    assert step.alert.status == "dismissed"
    assert (step.event.from_status, step.event.reason) == (start, "口径错误，误报")
    assert rect.available_actions(alert=step.alert, principal=w.principal("admin")) == []


# The loop as the brief states it — written out here, independently of workflow.TRANSITIONS.
ALLOWED = {
    ("raised", "dispatch"): "dispatched",
    ("raised", "dismiss"): "dismissed",
    ("dispatched", "respond"): "responded",
    ("dispatched", "dismiss"): "dismissed",
    ("responded", "respond"): "responded",
    ("responded", "close"): "closed",
    ("responded", "reopen"): "dispatched",
}
STATES = ["raised", "dispatched", "responded", "closed", "dismissed"]
ACTIONS = ["dispatch", "respond", "close", "reopen", "dismiss"]


def _do(w: LoopWorld, action: str, a: int):
    if action == "dispatch":
        return _dispatch(w, a)
    if action == "respond":
        return _respond(w, a)
    if action == "close":
        return rect.close(session=w.session, alert_id=a, **w.as_("analyst"), note="核查通过")
    if action == "reopen":
        return rect.reopen(
            session=w.session, alert_id=a, **w.as_("analyst"), reason="未整改到位",
            due_date=DUE, today=TODAY,
        )  # fmt: skip
    return rect.dismiss(session=w.session, alert_id=a, **w.as_("analyst"), reason="误报")


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state(world: LoopWorld, state: str) -> None:
    w = world
    for action in ACTIONS:
        a = w.alert(status=state)
        before = len(w.events(a))
        if (state, action) in ALLOWED:
            step = _do(w, action, a)
            assert step.alert.status == ALLOWED[(state, action)], (state, action)
            assert len(w.events(a)) == before + 1
            continue
        with pytest.raises(Conflict) as err:
            _do(w, action, a)
        assert isinstance(err.value, rect.IllegalTransition)
        allowed_now = [act for (s, act) in ALLOWED if s == state]
        assert err.value.details["allowed"] == allowed_now
        assert err.value.details["status"] == state
        assert f"is {state}" in err.value.message_en and action in err.value.message_en
        label_zh = rect.STATE_LABELS[state][0]
        assert f"「{label_zh}」" in err.value.message_zh
        for act in allowed_now:
            assert act in err.value.message_en and act in err.value.message_zh
        if not allowed_now:
            assert "none (final state)" in err.value.message_en
        assert w.status(a) == state and len(w.events(a)) == before, (state, action)


def test_the_workflow_table_matches_the_loop() -> None:
    table = {(s, a): t.target for a, t in rect.TRANSITIONS.items() for s in t.sources}
    assert table == ALLOWED
    assert {t.side for a, t in rect.TRANSITIONS.items() if a != "respond"} == {rect.Side.REGULATOR}
    assert rect.TRANSITIONS["respond"].side is rect.Side.ENTERPRISE


def test_enterprise_user_of_another_group_gets_not_found(world: LoopWorld) -> None:
    w = world
    a = w.alert(status="dispatched")
    missing = a + 1000
    for alert_id in (a, missing):
        with pytest.raises(NotFound) as err:
            _respond(w, alert_id, by="g2_officer")
        assert err.value.message_en == f"No alert #{alert_id}"
        with pytest.raises(NotFound):
            rect.history(session=w.session, alert_id=alert_id, scope=w.scope("g2_officer"))
        with pytest.raises(NotFound):
            rect.assignable_users(session=w.session, alert_id=alert_id, scope=w.scope("b1_officer"))
    # a sibling below the same group sees nothing of A11 either
    with pytest.raises(NotFound):
        _respond(w, a, by="a12_officer")
    assert w.status(a) == "dispatched" and len(w.events(a)) == 1


@pytest.mark.parametrize("who", ["a11_officer", "g1_leader", "a11_ops"])
def test_enterprise_side_cannot_take_regulator_actions(world: LoopWorld, who: str) -> None:
    w = world
    raised, responded = w.alert(), w.alert(status="responded")
    with pytest.raises(PermissionDenied):
        _dispatch(w, raised, by=who)
    with pytest.raises(PermissionDenied):
        rect.dismiss(session=w.session, alert_id=raised, **w.as_(who), reason="不是问题")
    with pytest.raises(PermissionDenied):
        rect.close(session=w.session, alert_id=responded, **w.as_(who), note="我们已整改")
    with pytest.raises(PermissionDenied):
        rect.reopen(
            session=w.session, alert_id=responded, **w.as_(who), reason="x",
            due_date=DUE, today=TODAY,
        )  # fmt: skip
    assert (w.status(raised), w.status(responded)) == ("raised", "responded")


@pytest.mark.parametrize("who", ["admin", "leader", "analyst", "a11_ops"])
def test_only_enterprise_roles_respond(world: LoopWorld, who: str) -> None:
    w = world
    a = w.alert(status="dispatched")
    with pytest.raises(PermissionDenied) as err:
        _respond(w, a, by=who)
    assert isinstance(err.value, rect.WrongSide)
    assert w.status(a) == "dispatched"
    assert not (w.ws.inbox / rect.INBOX_AREA).exists()


def test_assignee_must_belong_to_the_enterprise_or_a_parent(world: LoopWorld) -> None:
    w = world
    a = w.alert("A11")
    got = rect.assignable_users(session=w.session, alert_id=a, scope=w.scope("analyst"))
    assert [(u.username, u.distance) for u in got] == [
        ("a11_officer", 0),
        ("a1_officer", 1),
        ("g1_leader", 2),
    ]
    assert got[2].enterprise_name == "示例测试一集团有限公司"
    refused = ["g2_officer", "a12_officer", "b1_officer", "analyst", "a11_ops", "a11_gone"]
    for who in refused:
        with pytest.raises(rect.InvalidAssignee) as err:
            _dispatch(w, a, to=who)
        assert err.value.location.field == "assignee_id"
    with pytest.raises(rect.InvalidAssignee):
        rect.dispatch(
            session=w.session, alert_id=a, **w.as_("analyst"), assignee_id=999_999,
            due_date=DUE, instruction="x", today=TODAY,
        )  # fmt: skip
    assert w.status(a) == "raised" and len(w.events(a)) == 1
    step = _dispatch(w, a, to="g1_leader")  # the top of the group may carry it
    assert step.alert.assignee_username == "g1_leader"


def test_a_non_controlling_shareholder_is_not_a_parent(world: LoopWorld) -> None:
    w = world
    a = w.alert("B11")  # A1 holds 30 % of B1 without control: B11 stays in G2's tree
    got = rect.assignable_users(session=w.session, alert_id=a, scope=w.scope("leader"))
    assert [u.username for u in got] == ["b11_officer", "b1_officer", "g2_officer"]
    with pytest.raises(rect.InvalidAssignee):
        _dispatch(w, a, to="a1_officer")


def test_dispatch_needs_an_instruction_and_a_future_due_date(world: LoopWorld) -> None:
    w = world
    a = w.alert()
    with pytest.raises(rect.ReasonRequired) as err:
        rect.dispatch(
            session=w.session, alert_id=a, **w.as_("analyst"), assignee_id=w.uid("a11_officer"),
            due_date=DUE, instruction="  ", today=TODAY,
        )  # fmt: skip
    assert err.value.location.field == "instruction"
    for due in (TODAY, TODAY - timedelta(days=1)):
        with pytest.raises(rect.InvalidDueDate) as derr:
            rect.dispatch(
                session=w.session, alert_id=a, **w.as_("analyst"),
                assignee_id=w.uid("a11_officer"), due_date=due, instruction="整改", today=TODAY,
            )  # fmt: skip
        assert (
            due.isoformat() in derr.value.message_zh and TODAY.isoformat() in derr.value.message_en
        )
    with pytest.raises(rect.ReasonRequired):
        _dispatch(w, a)  # fine, then close without a note
        _respond(w, a)
        rect.close(session=w.session, alert_id=a, **w.as_("analyst"), note="")
    assert w.status(a) == "responded"


def test_available_actions_follow_state_and_side(world: LoopWorld) -> None:
    w = world

    def offered(status: str, who: str) -> list[str]:
        alert = Alert(status=status)
        return rect.available_actions(alert=alert, principal=w.principal(who))

    assert offered("raised", "analyst") == ["dispatch", "dismiss"]
    assert offered("raised", "a11_officer") == []
    assert offered("dispatched", "a11_officer") == ["respond"]
    assert offered("dispatched", "leader") == ["dismiss"]
    assert offered("responded", "admin") == ["close", "reopen"]
    assert offered("responded", "g1_leader") == ["respond"]
    assert offered("closed", "admin") == []
    assert offered("dispatched", "a11_ops") == []


def test_a_stale_second_verifier_gets_a_conflict(world: LoopWorld) -> None:
    """Two regulators open the same responded alert; the second close loses, no double event."""
    w = world
    a = w.alert(status="responded")
    other = w.factory()
    try:
        assert other.get_one(Alert, a).status == "responded"  # read before the first close
        rect.close(session=w.session, alert_id=a, **w.as_("analyst"), note="核查通过")
        w.session.commit()
        with pytest.raises(rect.IllegalTransition) as err:
            rect.close(session=other, alert_id=a, **w.as_("leader"), note="我也核查通过")
        assert err.value.details["status"] == "closed"
        other.rollback()
    finally:
        other.close()
    assert [e.action for e in w.events(a)] == ["raise", "close"]


def test_events_are_never_rewritten(world: LoopWorld) -> None:
    w = world
    a = w.alert()
    _dispatch(w, a)
    w.session.commit()
    first = rect.history(session=w.session, alert_id=a, scope=w.scope("analyst")).events
    _respond(w, a)
    rect.reopen(
        session=w.session, alert_id=a, **w.as_("analyst"), reason="再查",
        due_date=date(2026, 6, 1), today=TODAY,
    )  # fmt: skip
    w.session.commit()
    later = rect.history(session=w.session, alert_id=a, scope=w.scope("analyst")).events
    assert later[: len(first)] == first
    assert w.session.query(AlertAttachment).filter_by(alert_id=a).count() == 1
