"""API tokens for machine clients, and the CSRF token of a cookie session.

**API tokens** (``Authorization: Bearer zg_…``): 256 random bits; the database keeps only the
SHA-256 and an 8-character prefix to recognise it in lists. Each token has scopes, an expiry
(at most ``security.api_token_max_days``) and can be revoked; it stops working at once when
its user is disabled. Scopes are ``read`` or ``write`` (write includes read), optionally for
one API area: ``read:supervision`` reads ``/api/supervision/…`` only. A token reaches the
JSON API only — never pages, ``/api/auth/…`` (a token cannot mint tokens) or ``/api/admin/…``.

**CSRF** (cookie sessions only): the token a page must send back with every unsafe request
is HMAC-SHA256(server key, session token) — bound to the session, nothing stored. The key
is ``<workspace>/keys/session.key`` (32 random bytes, mode 0600, created on first use) or
the hex in ``ZHIGUO_SESSION_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.settings import SecuritySettings

from .errors import InvalidApiToken
from .models import ApiToken, User

__all__ = [
    "API_AREAS",
    "SAFE_METHODS",
    "TOKEN_PREFIX",
    "NewApiToken",
    "create_api_token",
    "csrf_token_for",
    "csrf_token_valid",
    "list_api_tokens",
    "load_session_key",
    "parse_duration",
    "parse_scopes",
    "revoke_api_token",
    "token_allows",
    "token_user",
]

TOKEN_PREFIX = "zg_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_AREAS = frozenset({"registry", "datacenter", "supervision", "operations", "services"})
_ACTIONS = frozenset({"read", "write"})
_CLOSED_TO_TOKENS = ("/api/auth/", "/api/admin/", "/api/audit")
KEY_ENV = "ZHIGUO_SESSION_KEY"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(text: str | list[str]) -> list[str]:
    """``"read:supervision write"`` → checked, sorted, de-duplicated scopes."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    scopes = sorted(set(items))
    for scope in scopes:
        action, _, area = scope.partition(":")
        if action not in _ACTIONS or (area and area not in API_AREAS):
            areas = "|:".join(sorted(API_AREAS))
            raise InputError(
                f"未知的令牌权限 {scope}（可用：read、write，可加 :{areas}）",
                f"Unknown token scope {scope} (read or write, optionally :{areas})",
            )
    if not scopes:
        raise InputError("至少需要一个令牌权限", "A token needs at least one scope")
    return scopes


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90`` (days) → a timedelta."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*([dh]?)\s*", text)
    if not match or int(match.group(1)) == 0:
        raise InputError(
            f"无效的有效期 {text}（如 30d、12h）", f"Bad lifetime {text} (e.g. 30d, 12h)"
        )
    amount = int(match.group(1))
    return timedelta(hours=amount) if match.group(2) == "h" else timedelta(days=amount)


def token_allows(scopes: frozenset[str], method: str, path: str) -> bool:
    """Whether a token with ``scopes`` may make this request."""
    if not path.startswith("/api/") or path.startswith(_CLOSED_TO_TOKENS):
        return False
    needed = "read" if method.upper() in SAFE_METHODS else "write"
    area = path.split("/")[2] if path.count("/") >= 2 else ""
    for scope in scopes:
        action, _, scope_area = scope.partition(":")
        if (action == needed or action == "write") and (not scope_area or scope_area == area):
            return True
    return False


@dataclass(frozen=True)
class NewApiToken:
    """A created token: the secret is shown once, only the record is kept."""

    token: str
    record: ApiToken


def create_api_token(
    *,
    session: Session,
    user: User,
    scopes: list[str],
    lifetime: timedelta,
    settings: SecuritySettings,
    now: datetime,
    name: str = "",
) -> NewApiToken:
    if lifetime > timedelta(days=settings.api_token_max_days):
        raise InputError(
            f"令牌有效期不能超过 {settings.api_token_max_days} 天",
            f"A token may live at most {settings.api_token_max_days} days",
        )
    checked = parse_scopes(scopes)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name[:100],
        token_hash=_sha256(token),
        prefix=token[:8],
        scopes=" ".join(checked),
        created_at=now,
        expires_at=now + lifetime,
        revoked=False,
    )
    session.add(record)
    session.flush()
    return NewApiToken(token=token, record=record)


def list_api_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


def revoke_api_token(*, session: Session, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is "not found")."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user_id:
        raise NotFound(f"令牌 {token_id} 不存在", f"No token {token_id}")
    record.revoked = True
    return record


def token_user(*, session: Session, token: str, now: datetime) -> tuple[User, ApiToken]:
    """The live user and record behind a bearer token, or :class:`InvalidApiToken`."""
    if not token.startswith(TOKEN_PREFIX):
        raise InvalidApiToken()
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if record is None or record.revoked:
        raise InvalidApiToken()
    expires = (
        record.expires_at
        if record.expires_at.tzinfo
        else record.expires_at.replace(tzinfo=now.tzinfo)
    )
    user = session.get(User, record.user_id)
    if now >= expires or user is None or user.disabled:
        raise InvalidApiToken()
    record.last_used_at = now
    return user, record


def load_session_key(workspace: Path) -> bytes:
    """The server key for CSRF tokens: ``ZHIGUO_SESSION_KEY`` (hex) or the workspace key
    file, created (0600) on first use."""
    env = os.environ.get(KEY_ENV)
    if env:
        return bytes.fromhex(env)
    path = workspace / "keys" / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    return path.read_bytes()


def csrf_token_for(session_token: str, key: bytes) -> str:
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_token_valid(submitted: str, session_token: str, key: bytes) -> bool:
    return bool(submitted) and hmac.compare_digest(submitted, csrf_token_for(session_token, key))
