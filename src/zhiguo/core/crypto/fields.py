"""``EncryptedText``: a column type that stores SM4-GCM envelopes and hands out plaintext.

Why the key ring rides on the engine: registry and security models both declare encrypted
columns, and no layer may reach for a global "current key". ``core.db.create_db_engine``
attaches the workspace's :class:`KeyRingLoader` to the engine's dialect; the type finds it
there at bind and result time. An engine built from a bare URL has no ring: reading or
writing a non-NULL encrypted value then fails with ZG-CRYPTO-001 — unless
``ZHIGUO_FIELD_KEYS`` is set, which serves any engine.

Encryption is randomised (fresh nonce per value), so encrypted columns cannot be searched,
compared or sorted in SQL; map them with ``deferred=True`` so listing rows never decrypts
personal data that is not shown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Text
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import TypeDecorator

from .errors import KeyUnavailable
from .keyring import KeyRing, KeyRingLoader

__all__ = ["EncryptedText", "attach_key_ring", "key_ring_for"]

_ATTR = "_zhiguo_key_ring"


def attach_key_ring(engine: Engine, keys: KeyRing | KeyRingLoader) -> Engine:
    """Give ``engine`` the key ring its ``EncryptedText`` columns use; returns the engine."""
    loader = keys if isinstance(keys, KeyRingLoader) else KeyRingLoader.fixed(keys)
    setattr(engine.dialect, _ATTR, loader)
    return engine


def key_ring_for(dialect: Dialect | Engine) -> KeyRingLoader:
    """The key ring attached to an engine (or its dialect); ZG-CRYPTO-001 if none."""
    target = dialect.dialect if isinstance(dialect, Engine) else dialect
    loader = getattr(target, _ATTR, None)
    if isinstance(loader, KeyRingLoader):
        return loader
    env_ring = KeyRing.from_env()
    if env_ring is not None:
        return KeyRingLoader.fixed(env_ring)
    raise KeyUnavailable(
        "数据库引擎没有字段加密密钥（请通过工作区设置创建引擎，或设置 ZHIGUO_FIELD_KEYS）",
        "The database engine has no field keys (build it from workspace settings, "
        "or set ZHIGUO_FIELD_KEYS)",
    )


class EncryptedText(TypeDecorator[str]):
    """Text sealed with SM4-GCM under the engine's key ring; ``context`` must be the
    column's ``"table.column"`` (it is the associated data — a test checks it matches)."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        if "." not in context:
            raise ValueError("EncryptedText context must be 'table.column'")
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"{self.context}: EncryptedText takes str, got {type(value).__name__}")
        return key_ring_for(dialect).encrypt(value, context=self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return key_ring_for(dialect).decrypt(str(value), context=self.context)

    def copy(self, **kw: Any) -> EncryptedText:
        return EncryptedText(self.context)
