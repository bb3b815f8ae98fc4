"""Personal fields of an enterprise: encrypted at rest, masked on output, revealed only to
a caller granted unmasking — and every reveal is audited (个人信息, security.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text, update

from zhiguo.core import session_scope
from zhiguo.registry import Enterprise
from zhiguo.security import User
from zhiguo.security.audit import AuditRecord
from zhiguo.testing import SAMPLE

NAME, PHONE = "张三丰", "13800138000"  # fictitious


def _give_contact(world: Any) -> None:
    with session_scope(world.app.state.sessionmaker) as session:
        ent = session.scalar(select(Enterprise).where(Enterprise.uscc == SAMPLE["A1"]))
        assert ent is not None
        ent.legal_representative = NAME
        ent.contact_phone = PHONE


def test_contact_is_encrypted_at_rest_and_masked_on_output(app_world: Any) -> None:
    _give_contact(app_world)
    with app_world.app.state.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT legal_representative, contact_phone FROM enterprises WHERE uscc = :u"),
            {"u": SAMPLE["A1"]},
        ).one()
    assert all(value.startswith("sm4gcm:v1:") for value in raw)
    assert NAME not in str(raw) and PHONE not in str(raw)
    body = app_world.client("off_g1").get(f"/api/registry/enterprises/{SAMPLE['A1']}").json()
    assert body["contact"] == {
        "legal_representative": "张**",
        "contact_phone": "138****8000",
        "masked": True,
    }


def test_only_a_granted_caller_reveals_and_the_reveal_is_audited(app_world: Any) -> None:
    _give_contact(app_world)
    url = f"/api/registry/enterprises/{SAMPLE['A1']}?unmask=true"
    refused = app_world.client("off_g1").get(url)
    assert refused.status_code == 403
    with session_scope(app_world.app.state.sessionmaker) as session:
        session.execute(update(User).where(User.username == "off_g1").values(can_unmask=True))
    granted = app_world.client("off_g1").get(url)
    assert granted.status_code == 200, granted.text
    assert granted.json()["contact"] == {
        "legal_representative": NAME,
        "contact_phone": PHONE,
        "masked": False,
    }
    with session_scope(app_world.app.state.sessionmaker) as session:
        reveals = session.scalars(
            select(AuditRecord).where(AuditRecord.event_type == "data.unmask")
        ).all()
    assert [(r.username, r.object) for r in reveals] == [("off_g1", f"enterprise:{SAMPLE['A1']}")]
