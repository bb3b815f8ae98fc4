"""Attachments of a response: kept in the inbox by SHA-256, names made safe, bad files
refused — and a refused response leaves no event, no row and no file behind."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from rectification_world import TODAY, LoopWorld
from sqlalchemy import func, select

from zhiguo.core.errors import InputError, TooLarge
from zhiguo.supervision import rectification as rect
from zhiguo.supervision.models import AlertAttachment, AlertEvent

GOOD = ("整改方案.pdf", b"%PDF-1.7 rectification plan", "plan")


def _dispatched(w: LoopWorld) -> int:
    a = w.alert()
    rect.dispatch(
        session=w.session, alert_id=a, **w.as_("analyst"), assignee_id=w.uid("a11_officer"),
        due_date=TODAY + timedelta(days=20), instruction="请整改", today=TODAY,
    )  # fmt: skip
    w.session.commit()
    return a


def _respond(w: LoopWorld, a: int, files, *, explanation: str = "已整改", max_bytes: int = 100):
    return rect.respond(
        session=w.session, inbox=w.ws.inbox, alert_id=a, **w.as_("a11_officer"),
        explanation=explanation, attachments=files, max_bytes=max_bytes,
    )  # fmt: skip


def _inbox_files(w: LoopWorld) -> list[str]:
    folder = w.ws.inbox / rect.INBOX_AREA
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_attachments_are_kept_in_the_inbox_by_hash(world: LoopWorld) -> None:
    w = world
    a = _dispatched(w)
    evidence = ("C:\\Users\\财务部\\还款凭证 (1).JPG", b"\xff\xd8\xff evidence scan", "evidence")
    step = _respond(w, a, [GOOD, evidence])
    w.session.commit()
    rows = list(w.session.scalars(select(AlertAttachment).where(AlertAttachment.alert_id == a)))
    assert [(r.kind, r.file_name) for r in rows] == [
        ("plan", "整改方案.pdf"),
        ("evidence", "还款凭证 (1).JPG"),
    ]
    for row, (_name, data, _kind) in zip(rows, [GOOD, evidence], strict=True):
        digest = hashlib.sha256(data).hexdigest()
        assert row.inbox_sha256 == digest and row.file_bytes == len(data)
        assert row.event_id == step.event.id and row.uploaded_by == "a11_officer"
        kept = w.ws.inbox / rect.INBOX_AREA / f"{digest}{row.file_name[-4:].lower()}"
        assert kept.read_bytes() == data
        meta = json.loads(kept.with_name(f"{digest}.json").read_text(encoding="utf-8"))
        assert meta["arrivals"][0]["sender"] == "a11_officer"
        assert meta["arrivals"][0]["name"] == row.file_name
    assert step.event.details["attachments"][0]["sha256"] == hashlib.sha256(GOOD[1]).hexdigest()


def test_the_same_file_twice_is_kept_once(world: LoopWorld) -> None:
    w = world
    a = _dispatched(w)
    _respond(w, a, [GOOD])
    _respond(w, a, [("方案-副本.pdf", GOOD[1], "plan")])
    digest = hashlib.sha256(GOOD[1]).hexdigest()
    assert _inbox_files(w) == [f"{digest}.json", f"{digest}.pdf"]
    h = rect.history(session=w.session, alert_id=a, scope=w.scope("analyst"))
    assert [x.file_name for x in h.attachments] == ["整改方案.pdf", "方案-副本.pdf"]


BAD = [
    pytest.param(("setup.exe", b"MZ\x90\x00", "evidence"), rect.AttachmentRejected, id="exe"),
    pytest.param(("方案.pdf.exe", b"%PDF", "plan"), rect.AttachmentRejected, id="double-ext"),
    pytest.param(("run.sh", b"echo hi", "evidence"), rect.AttachmentRejected, id="script"),
    pytest.param(("noext", b"data", "evidence"), rect.AttachmentRejected, id="no-extension"),
    pytest.param(("空.pdf", b"", "evidence"), rect.AttachmentRejected, id="zero-bytes"),
    pytest.param(("大.pdf", b"x" * 101, "evidence"), rect.AttachmentTooLarge, id="too-large"),
    pytest.param(("scan.pdf", b"MZ\x90\x00disguised", "evidence"), rect.AttachmentRejected,
                 id="executable-content"),
    pytest.param(("照片.png", b"\x89PNG", "photo"), rect.AttachmentRejected, id="bad-kind"),
    pytest.param(("../../", b"data", "plan"), rect.AttachmentRejected, id="no-name"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "error"), BAD)
def test_a_bad_attachment_rejects_the_whole_response(
    world: LoopWorld, bad: tuple[str, bytes, str], error: type[InputError]
) -> None:
    w = world
    a = _dispatched(w)
    events_before = len(w.events(a))
    with pytest.raises(error) as err:
        _respond(w, a, [GOOD, bad])
    assert err.value.location.field == "attachments[2]"
    assert err.value.http_status in {413, 422}
    if error is rect.AttachmentTooLarge:
        assert isinstance(err.value, TooLarge) and "100" in err.value.message_en
    # nothing recorded, even before any rollback: no event, no row, no file, same state
    assert len(w.events(a)) == events_before
    count = select(func.count(AlertAttachment.id)).where(AlertAttachment.alert_id == a)
    assert w.session.scalar(count) == 0
    assert _inbox_files(w) == []
    assert w.status(a) == "dispatched"
    w.session.rollback()
    assert w.session.scalar(select(func.count(AlertEvent.id)).where(AlertEvent.alert_id == a)) == 2


def test_an_explanation_is_required_and_checked_before_files_are_kept(world: LoopWorld) -> None:
    w = world
    a = _dispatched(w)
    with pytest.raises(rect.ReasonRequired) as err:
        _respond(w, a, [GOOD], explanation=" ")
    assert err.value.location.field == "explanation"
    assert _inbox_files(w) == [] and w.status(a) == "dispatched"


def test_a_response_without_files_is_allowed(world: LoopWorld) -> None:
    w = world
    a = _dispatched(w)
    step = _respond(w, a, [])
    assert step.alert.status == "responded" and step.event.attachments == ()


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/整改 方案\x00 v1.pdf", "整改 方案 v1.pdf"),
        ("C:\\temp\\a\\证明.jpg", "证明.jpg"),
        ('  re<po>rt:"1"?.xlsx  ', "re_po_rt__1__.xlsx"),
        ("..hidden.pdf", "hidden.pdf"),
        ("a\u200bb\tc.pdf", "ab c.pdf"),
        ("..", ""),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitise_file_name(raw: str, safe: str) -> None:
    assert rect.sanitise_file_name(raw) == safe


def test_the_size_limit_is_the_callers(world: LoopWorld) -> None:
    w = world
    a = _dispatched(w)
    data = b"%PDF" + b"0" * 196  # 200 bytes
    with pytest.raises(rect.AttachmentTooLarge):
        _respond(w, a, [("a.pdf", data, "plan")], max_bytes=199)
    assert _respond(w, a, [("a.pdf", data, "plan")], max_bytes=200).alert.status == "responded"
