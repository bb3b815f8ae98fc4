"""Password hashing (argon2id) and generation.

Parameters are argon2-cffi's RFC 9106 "low memory" profile defaults; ``needs_rehash`` lets a
later parameter change upgrade hashes at the next login.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["generate_password", "hash_password", "needs_rehash", "verify_password"]

_HASHER = PasswordHasher()
_ALPHABET = string.ascii_letters + string.digits + "!@#%^*-_=+"
# A hash of a random password, verified when the user does not exist so that a failed login
# takes the same time whether or not the username is known.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def generate_password(length: int = 16) -> str:
    """A random password with upper, lower, digit and symbol (no default credentials)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate
