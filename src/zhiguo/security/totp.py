"""Time-based one-time passwords: the second, cryptographic factor (等保 level 3 身份鉴别).

HOTP is RFC 4226 §5; TOTP is RFC 6238 §4 (HMAC-SHA1, 30-second steps from the Unix epoch,
6 digits) — the profile every authenticator app implements. Written here rather than taken
from a library so that the arithmetic is visible and tested against RFC 6238 Appendix B.

Replay: a code proves possession only once. :func:`verify` returns the time step it matched;
the caller stores it and passes it back as ``last_step``, and no step at or before it is
accepted again (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt").
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from urllib.parse import quote, urlencode

__all__ = [
    "DIGITS",
    "STEP_SECONDS",
    "code_at",
    "generate_secret",
    "hotp",
    "otpauth_uri",
    "qr_svg",
    "totp",
    "verify",
]

STEP_SECONDS = 30  # RFC 6238 §4.1 X, the recommended default
DIGITS = 6


def generate_secret() -> str:
    """A new shared secret: 160 random bits (RFC 4226 §4 R6 recommends 160), base32 for apps."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.strip().replace(" ", "").upper()
    padded += "=" * (-len(padded) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, mod 10^d."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def totp(
    key: bytes, unix_time: float, *, digits: int = DIGITS, digest: str = "sha1", t0: int = 0
) -> str:
    """RFC 6238 §4.2: HOTP with T = floor((time - T0) / X)."""
    return hotp(key, int((unix_time - t0) // STEP_SECONDS), digits=digits, digest=digest)


def verify(
    secret: str,
    code: str,
    *,
    last_step: int | None,
    window: int = 1,
    now: float | None = None,
) -> int | None:
    """The time step ``code`` matches within ±``window`` steps of now and after
    ``last_step``; ``None`` if it matches none (wrong, stale or replayed)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    try:
        key = _key(secret)
    except (ValueError, TypeError):
        return None
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - window, current + window + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def code_at(secret: str, unix_time: float) -> str:
    """The 6-digit code of ``secret`` at a moment (for enrolment checks and tests)."""
    return totp(_key(secret), unix_time)


def otpauth_uri(secret: str, *, account: str, issuer: str = "zhiguo") -> str:
    """The Key URI Format authenticator apps scan (google-authenticator wiki, KeyUriFormat)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code (no external resource, CSP ``img-src 'self' data:``)."""
    import segno

    qr = segno.make(data, error="m")
    svg: str = qr.svg_inline(scale=4, dark="#000", light="#fff")
    return svg
