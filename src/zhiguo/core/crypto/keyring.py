"""The field key ring: SM4 data keys with ids, and the envelope a stored value travels in.

Why a ring and not one key: rotation. Each stored value names the key that sealed it
(``sm4gcm:v1:<kid>:<base64(nonce || ciphertext || tag)>``), so after ``zhiguo keys rotate``
old values stay readable under their old key while everything new — and, batch by batch,
everything old — is sealed under the active one. The associated data binds the value to its
``table.column``: a ciphertext copied into another column fails authentication.

Sources, highest first: the environment variable ``ZHIGUO_FIELD_KEYS`` (JSON
``{"active": "k1", "keys": {"k1": "<32 hex digits>"}}``, for deployments that inject secrets),
else the workspace file ``keys/field-keys.json`` (same shape, mode 0600), created with a
fresh key the first time a value must be encrypted.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._files import write_secret_json
from .errors import EnvelopeInvalid, KeyFileInvalid, KeyUnavailable
from .symmetric import (
    SM4_GCM_NONCE_SIZE,
    SM4_GCM_TAG_SIZE,
    SM4_KEY_SIZE,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
)

__all__ = [
    "ENVELOPE_PREFIX",
    "FIELD_KEYS_ENV",
    "FIELD_KEYS_FILE",
    "KeyRing",
    "KeyRingLoader",
    "envelope_key_id",
]

FIELD_KEYS_ENV = "ZHIGUO_FIELD_KEYS"
"""Environment variable holding the key ring as JSON; it wins over the key file."""
FIELD_KEYS_FILE = Path("keys") / "field-keys.json"
"""The key file, relative to the workspace root."""
ENVELOPE_PREFIX = "sm4gcm:v1:"
"""Every encrypted value starts with this (algorithm and envelope version)."""

_KID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _check_kid(kid: str) -> str:
    if not isinstance(kid, str) or not _KID.match(kid):
        raise KeyFileInvalid(
            f"密钥编号 {kid!r} 无效（1-32 位字母、数字、. _ -）",
            f"Invalid key id {kid!r} (1-32 letters, digits, . _ -)",
        )
    return kid


def envelope_key_id(envelope: str) -> str:
    """The key id an envelope names (``sm4gcm:v1:<kid>:…``), without decrypting it."""
    if not envelope.startswith(ENVELOPE_PREFIX):
        raise EnvelopeInvalid()
    kid, sep, _rest = envelope[len(ENVELOPE_PREFIX) :].partition(":")
    if not sep or not kid:
        raise EnvelopeInvalid()
    return kid


@dataclass(frozen=True, repr=False)
class KeyRing:
    """SM4-GCM data keys by id, one of them active (used for new values). Immutable:
    rotation builds a new ring (:meth:`with_new_key`) and saves it."""

    active: str
    keys: Mapping[str, bytes]
    source: str = "memory"  # "env", or the key file's path

    def __post_init__(self) -> None:
        _check_kid(self.active)
        for kid, key in self.keys.items():
            _check_kid(kid)
            if len(key) != SM4_KEY_SIZE:
                raise KeyFileInvalid(
                    f"密钥 {kid} 长度应为 {SM4_KEY_SIZE} 字节", f"Key {kid} must be 16 bytes"
                )
        if self.active not in self.keys:
            raise KeyFileInvalid(
                f"当前密钥 {self.active} 不在密钥列表中",
                f"Active key {self.active} is not among the keys",
            )

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(active={self.active!r}, keys={sorted(self.keys)}, source={self.source!r})"

    # -- construction -------------------------------------------------------------------
    @classmethod
    def generate(cls, kid: str = "k1", *, source: str = "memory") -> KeyRing:
        """A ring with one fresh random key (OS CSPRNG)."""
        return cls(active=kid, keys={kid: secrets.token_bytes(SM4_KEY_SIZE)}, source=source)

    @classmethod
    def from_json(cls, doc: Any, *, source: str = "memory") -> KeyRing:
        """Parse ``{"active": kid, "keys": {kid: hex}}``."""
        try:
            if not isinstance(doc, dict) or not isinstance(doc.get("keys"), dict):
                raise ValueError("expected {'active': ..., 'keys': {...}}")
            keys = {str(k): bytes.fromhex(str(v)) for k, v in doc["keys"].items()}
            return cls(active=str(doc["active"]), keys=keys, source=source)
        except (KeyError, ValueError, TypeError) as exc:
            if isinstance(exc, KeyFileInvalid):
                raise
            raise KeyFileInvalid(
                f"字段密钥（{source}）格式无效：{exc}", f"Field keys ({source}) malformed: {exc}"
            ) from exc

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KeyRing | None:
        """The ring in ``ZHIGUO_FIELD_KEYS``, or ``None`` when it is unset."""
        text = (os.environ if environ is None else environ).get(FIELD_KEYS_ENV, "").strip()
        if not text:
            return None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeyFileInvalid(
                f"环境变量 {FIELD_KEYS_ENV} 不是有效的 JSON", f"{FIELD_KEYS_ENV} is not valid JSON"
            ) from exc
        return cls.from_json(doc, source="env")

    @classmethod
    def load(cls, path: Path | str) -> KeyRing:
        target = Path(path)
        try:
            doc = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise KeyUnavailable(
                f"字段密钥文件 {target} 不存在；请从备份恢复 keys/ 或设置 {FIELD_KEYS_ENV}",
                f"Field key file {target} is missing; restore keys/ from a backup "
                f"or set {FIELD_KEYS_ENV}",
            ) from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyFileInvalid(
                f"无法读取字段密钥文件 {target}：{exc}",
                f"Cannot read field key file {target}: {exc}",
            ) from exc
        return cls.from_json(doc, source=str(target))

    def to_json(self) -> dict[str, Any]:
        return {"active": self.active, "keys": {k: v.hex() for k, v in self.keys.items()}}

    def save(self, path: Path | str) -> None:
        """Write the key file atomically (temp file + rename), mode 0600."""
        write_secret_json(Path(path), self.to_json())

    # -- rotation -------------------------------------------------------------------------
    def next_kid(self) -> str:
        """``k<N+1>`` after the highest ``k<N>`` in the ring."""
        numbers = [int(k[1:]) for k in self.keys if re.fullmatch(r"k\d+", k)]
        return f"k{max(numbers, default=0) + 1}"

    def with_new_key(self, kid: str | None = None) -> KeyRing:
        """This ring plus a fresh key, which becomes the active one."""
        new = _check_kid(kid or self.next_kid())
        if new in self.keys:
            raise KeyFileInvalid(f"密钥编号 {new} 已存在", f"Key id {new} already exists")
        keys = {**self.keys, new: secrets.token_bytes(SM4_KEY_SIZE)}
        return KeyRing(active=new, keys=keys, source=self.source)

    def without_key(self, kid: str) -> KeyRing:
        if kid == self.active:
            raise KeyFileInvalid(f"不能停用当前密钥 {kid}", f"Cannot retire the active key {kid}")
        if kid not in self.keys:
            raise KeyUnavailable(f"没有编号为 {kid} 的密钥", f"No key with id {kid}")
        return KeyRing(
            active=self.active,
            keys={k: v for k, v in self.keys.items() if k != kid},
            source=self.source,
        )

    # -- envelopes ------------------------------------------------------------------------
    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Seal ``plaintext`` under the active key; ``context`` (``table.column``) is the
        associated data, so the envelope only opens in that column."""
        nonce, ct, tag = sm4_gcm_encrypt(
            self.keys[self.active], plaintext.encode("utf-8"), aad=context.encode("utf-8")
        )
        blob = base64.b64encode(nonce + ct + tag).decode("ascii")
        return f"{ENVELOPE_PREFIX}{self.active}:{blob}"

    def decrypt(self, envelope: str, *, context: str) -> str:
        """Open an envelope sealed by :meth:`encrypt` for the same ``context``."""
        kid = envelope_key_id(envelope)
        key = self.keys.get(kid)
        if key is None:
            raise KeyUnavailable(
                f"密钥环（{self.source}）中没有密钥 {kid}，无法解密 {context}",
                f"Key ring ({self.source}) lacks key {kid}; cannot decrypt {context}",
                details={"kid": kid, "context": context},
            )
        try:
            raw = base64.b64decode(envelope.rsplit(":", 1)[1], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EnvelopeInvalid() from exc
        if len(raw) < SM4_GCM_NONCE_SIZE + SM4_GCM_TAG_SIZE:
            raise EnvelopeInvalid()
        nonce = raw[:SM4_GCM_NONCE_SIZE]
        ct, tag = raw[SM4_GCM_NONCE_SIZE:-SM4_GCM_TAG_SIZE], raw[-SM4_GCM_TAG_SIZE:]
        plain = sm4_gcm_decrypt(key, nonce, ct, tag, aad=context.encode("utf-8"))
        return plain.decode("utf-8")


@dataclass
class KeyRingLoader:
    """The key ring of one workspace, as the engine sees it over time.

    Why not a plain ring: ``zhiguo keys rotate`` runs while the web app keeps serving. The
    loader re-reads the key file when a value names a key it has not seen (a new key from
    another process) and, every ``refresh_seconds``, when the file changed — so a running
    app starts sealing under the new key shortly after the rotation switches it, and never
    fails to read a value the rotation already re-sealed.
    """

    path: Path | None
    environ_ring: KeyRing | None = None
    refresh_seconds: float = 2.0
    _ring: KeyRing | None = field(default=None, init=False, repr=False)
    _stamp: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    _checked: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def for_workspace(
        cls, root: Path | str, environ: Mapping[str, str] | None = None
    ) -> KeyRingLoader:
        """The loader for a workspace: ``ZHIGUO_FIELD_KEYS`` if set, else its key file."""
        return cls(path=Path(root) / FIELD_KEYS_FILE, environ_ring=KeyRing.from_env(environ))

    @classmethod
    def fixed(cls, ring: KeyRing) -> KeyRingLoader:
        """A loader that always answers ``ring`` (tests, or rings held in memory)."""
        return cls(path=None, environ_ring=ring)

    @property
    def source(self) -> str:
        if self.environ_ring is not None:
            return self.environ_ring.source
        return str(self.path)

    def _stat(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size  # a rename-replace changes the inode

    def current(self, *, reload: bool = False, create: bool = False) -> KeyRing:
        """The ring now. ``reload`` forces a re-read of the key file; ``create`` writes a
        fresh key file (one key, ``k1``) when there is none yet."""
        if self.environ_ring is not None:
            return self.environ_ring
        assert self.path is not None
        with self._lock:
            now = time.monotonic()
            if self._ring is not None and not reload and now - self._checked < self.refresh_seconds:
                return self._ring
            self._checked = now
            stamp = self._stat()
            if stamp is None and self._ring is not None:
                return self._ring  # the file vanished under us: never mint a second "k1"
            if stamp is None:
                if not create:
                    raise KeyUnavailable(
                        f"字段密钥文件 {self.path} 不存在；请从备份恢复 keys/ 或设置 "
                        f"{FIELD_KEYS_ENV}",
                        f"Field key file {self.path} is missing; restore keys/ from a backup "
                        f"or set {FIELD_KEYS_ENV}",
                    )
                write_secret_json(
                    self.path, KeyRing.generate().to_json(), exclusive=True
                )  # another process may win the race: then its key is the one
                stamp = self._stat()
            if self._ring is None or stamp != self._stamp:
                self._ring = KeyRing.load(self.path)
                self._stamp = stamp
            return self._ring

    def encrypt(self, plaintext: str, *, context: str) -> str:
        return self.current(create=True).encrypt(plaintext, context=context)

    def decrypt(self, envelope: str, *, context: str) -> str:
        ring = self.current()
        if envelope_key_id(envelope) not in ring.keys:
            ring = self.current(reload=True)  # maybe rotated by another process
        return ring.decrypt(envelope, context=context)
