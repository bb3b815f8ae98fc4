"""TOTP (RFC 6238) against the RFC's own vectors, and the login rules built on it:
window of ±1 step, a code used once is never accepted again (replay)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from zhiguo.core.access import Role
from zhiguo.core.crypto import KeyRing, attach_key_ring
from zhiguo.core.settings import SecuritySettings
from zhiguo.security import (
    InvalidTotpCode,
    TotpRequired,
    User,
    add_user,
    begin_totp_enrolment,
    confirm_totp_enrolment,
    login,
    principal_for,
)
from zhiguo.security.totp import code_at, hotp, otpauth_uri, totp, verify

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
SEED = b"12345678901234567890"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # the same seed in base32
RFC6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
# RFC 4226 Appendix D: HOTP values for counters 0..9 with the same seed.
RFC4226 = ["755224", "287082", "359152", "969429", "338314",
           "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
PASSWORD = "Str0ng!passw0rd"
SETTINGS = SecuritySettings()


@pytest.mark.parametrize("unix_time,expected", RFC6238_SHA1)
def test_rfc6238_appendix_b_sha1(unix_time: int, expected: str) -> None:
    assert totp(SEED, unix_time, digits=8) == expected


def test_rfc4226_appendix_d() -> None:
    assert [hotp(SEED, counter) for counter in range(10)] == RFC4226


def test_six_digit_codes_are_the_last_six_of_the_vectors() -> None:
    for unix_time, expected in RFC6238_SHA1:
        assert code_at(SECRET, unix_time) == expected[-6:]


def test_window_accepts_one_step_either_side_and_no_more() -> None:
    now = 1_700_000_000.0
    for offset, accepted in [(-60, False), (-30, True), (0, True), (30, True), (60, False)]:
        code = code_at(SECRET, now + offset)
        assert (verify(SECRET, code, last_step=None, now=now) is not None) is accepted, offset
    assert verify(SECRET, code_at(SECRET, now - 30), last_step=None, window=0, now=now) is None


def test_a_used_step_is_never_accepted_again() -> None:
    now = 1_700_000_000.0
    code = code_at(SECRET, now)
    step = verify(SECRET, code, last_step=None, now=now)
    assert step is not None
    assert verify(SECRET, code, last_step=step, now=now) is None
    assert verify(SECRET, code, last_step=step, now=now + 29) is None  # still the same step
    assert verify(SECRET, code_at(SECRET, now + 30), last_step=step, now=now + 30) == step + 1


def test_malformed_codes_are_refused() -> None:
    for code in ["", "12345", "1234567", "abcdef", "12 34 5x"]:
        assert verify(SECRET, code, last_step=None) is None


def test_otpauth_uri_names_the_secret_and_the_parameters() -> None:
    uri = otpauth_uri(SECRET, account="analyst")
    assert uri.startswith("otpauth://totp/zhiguo%3Aanalyst?")
    assert f"secret={SECRET}" in uri and "digits=6" in uri and "period=30" in uri


def _wrong(secret: str) -> str:
    """A code that matches none of the steps the window accepts now."""
    now = time.time()
    near = {code_at(secret, now + offset) for offset in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


@pytest.fixture
def enrolled(sample_session: Session) -> tuple[Session, str]:
    """``analyst`` (a role that needs a second factor) with a confirmed TOTP secret (stored
    SM4-GCM-encrypted: the bare test engine gets a key ring)."""
    attach_key_ring(sample_session.get_bind(), KeyRing.generate())  # type: ignore[arg-type]
    created = add_user(session=sample_session, username="analyst", role=Role.REGULATOR_ANALYST,
                       password=PASSWORD, must_change_password=False)  # fmt: skip
    user_id = created.user.id
    assert principal_for(created.user, SETTINGS).must_enrol_totp
    secret, uri = begin_totp_enrolment(session=sample_session, user_id=user_id)
    assert secret in uri
    with pytest.raises(InvalidTotpCode):
        confirm_totp_enrolment(session=sample_session, user_id=user_id, code="000000")
    # the enrolment code is spent: it must not log in afterwards
    confirm_totp_enrolment(
        session=sample_session, user_id=user_id, code=code_at(secret, time.time() - 30)
    )
    sample_session.commit()
    user = sample_session.get(User, user_id)
    assert user is not None and not principal_for(user, SETTINGS).must_enrol_totp
    return sample_session, secret


def test_login_needs_the_code_and_refuses_a_replay(enrolled: tuple[Session, str]) -> None:
    session, secret = enrolled
    with pytest.raises(TotpRequired):
        login(session=session, username="analyst", password=PASSWORD, settings=SETTINGS)
    with pytest.raises(TotpRequired):
        login(session=session, username="analyst", password=PASSWORD, settings=SETTINGS,
              totp_code=_wrong(secret))  # fmt: skip
    code = code_at(secret, time.time())
    _token, principal = login(session=session, username="analyst", password=PASSWORD,
                              settings=SETTINGS, totp_code=code)  # fmt: skip
    assert principal.username == "analyst"
    with pytest.raises(TotpRequired):  # the same code again: replay
        login(session=session, username="analyst", password=PASSWORD, settings=SETTINGS,
              totp_code=code)  # fmt: skip
    user = session.query(User).filter_by(username="analyst").one()
    assert user.totp_last_step is not None
    stored = session.execute(text("SELECT totp_secret FROM users WHERE username = 'analyst'"))
    assert secret not in str(stored.scalar())  # encrypted at rest
    assert user.totp_last_step >= int(datetime.now(UTC).timestamp()) // 30 - 1


def test_a_wrong_code_counts_toward_the_lockout(enrolled: tuple[Session, str]) -> None:
    session, secret = enrolled
    wrong = _wrong(secret)
    for _ in range(SETTINGS.lockout_threshold):
        with pytest.raises(TotpRequired):
            login(session=session, username="analyst", password=PASSWORD, settings=SETTINGS,
                  totp_code=wrong)  # fmt: skip
    user = session.query(User).filter_by(username="analyst").one()
    assert user.locked_until is not None
