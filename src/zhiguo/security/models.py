"""Identity tables: users, their server-side sessions, password history, login attempts and
API tokens.

Counters for the account lockout live on ``users`` (one row to lock); attempts per client
address live in ``login_attempts`` (an address is not a user). Secrets are never stored in
the clear: sessions and API tokens by SHA-256, passwords by argon2id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.crypto import EncryptedText
from zhiguo.core.db import Base

__all__ = ["ApiToken", "LoginAttempt", "PasswordHistory", "User", "UserSession"]


class User(Base):
    """A person (or service) who logs in. Enterprise roles belong to an enterprise."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), nullable=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The highest classification the user may read: core | important | general (数据安全法).
    clearance: Mapped[str] = mapped_column(String(16), default="general", server_default="general")
    # Unmask grant: personal-information fields reach this user unmasked; each use is audited
    # (data.unmask). Granted by the security admin only (migration 0006).
    can_unmask: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    password_changed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # Consecutive failed logins and, once over the threshold, the end of the lockout.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # RFC 6238 shared secret (base32; a key, so SM4-GCM at rest) and the last time step
    # accepted (replay protection).
    totp_secret: Mapped[str | None] = mapped_column(
        EncryptedText("users.totp_secret"), nullable=True
    )
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Set when the user confirmed the secret with a code; before that the secret is pending.
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # Personal information (手机号), SM4-GCM at rest (migration 0007); deferred, so listing
    # users never decrypts it. Masked on output by policy, not here.
    phone: Mapped[str | None] = mapped_column(
        EncryptedText("users.phone"), nullable=True, deferred=True
    )
    # The carrier a ``carrier``-role user belongs to (telecom | mobile | unicom | cbn | tower;
    # migration 0009); ``None`` for everyone else.
    carrier: Mapped[str | None] = mapped_column(String(16), nullable=True)


class UserSession(Base):
    """A server-side login session; the cookie carries a random token, we keep its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    client_addr: Mapped[str] = mapped_column(String(64), default="")


class PasswordHistory(Base):
    """Earlier password hashes of a user, so the last N cannot be chosen again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One login attempt: the per-address limits (rate, failures) count these rows."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_client_addr_at", "client_addr", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    success: Mapped[bool] = mapped_column(Boolean)


class ApiToken(Base):
    """A machine client's bearer token: stored as SHA-256, scoped, expiring, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists: "zg_AbCd…"
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
