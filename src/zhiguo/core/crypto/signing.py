"""SM2 digital signatures (GB/T 32918.2-2016) on the recommended curve (GB/T 32918.5-2017).

Why our own ~150 lines over Python integers rather than ``gmssl``'s ``CryptSM2``: that class
draws the per-signature secret ``k`` from :mod:`random` (not a CSPRNG — a predictable ``k``
reveals the private key) and mangles public keys whose hex starts with ``0``/``4``
(``str.lstrip("04")``). The arithmetic below is the textbook one; the tests check it against
the standard's own example (Annex A of GB/T 32918.2, on its test curve), the widely
reproduced recommended-curve example, and ``gmssl`` in both directions.

Signatures are 64 bytes ``r || s`` (big-endian, 32 bytes each). The signer's identity enters
the digest through Z_A (GB/T 32918.2 §5.5); the default ID is the one GM/T 0009-2012 §10
fixes, ``1234567812345678``. Not constant-time: sign on a machine you trust (tree heads are
signed by the platform itself, not on behalf of callers).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import write_secret_json
from .errors import SignatureKeyInvalid
from .hashing import sm3

__all__ = [
    "DEFAULT_UID",
    "SM2P256V1",
    "SM2Curve",
    "SM2KeyPair",
    "SM2PublicKey",
    "sm2_sign",
    "sm2_verify",
    "sm2_z",
]

DEFAULT_UID = b"1234567812345678"
"""Default signer ID (GM/T 0009-2012 §10): ENTL = 0x0080."""


@dataclass(frozen=True)
class SM2Curve:
    """A short Weierstrass curve y² = x³ + ax + b over F_p with base point G of order n."""

    name: str
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int

    @property
    def size(self) -> int:
        """Bytes per coordinate."""
        return (self.p.bit_length() + 7) // 8


SM2P256V1 = SM2Curve(  # GB/T 32918.5-2017 §2 (the recommended curve)
    name="sm2p256v1",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)

_Jacobian = tuple[int, int, int]  # (X, Y, Z) with x = X/Z², y = Y/Z³; Z = 0 is infinity
_INF: _Jacobian = (1, 1, 0)


def _double(c: SM2Curve, pt: _Jacobian) -> _Jacobian:
    x, y, z = pt
    if z == 0 or y == 0:
        return _INF
    p = c.p
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + c.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return x3, y3, z3


def _add(c: SM2Curve, p1: _Jacobian, p2: _Jacobian) -> _Jacobian:
    if p1[2] == 0:
        return p2
    if p2[2] == 0:
        return p1
    p = c.p
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(c, p1) if s1 == s2 else _INF
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return x3, y3, z3


def _mul(c: SM2Curve, k: int, pt: _Jacobian) -> _Jacobian:
    result = _INF
    addend = pt
    while k:
        if k & 1:
            result = _add(c, result, addend)
        addend = _double(c, addend)
        k >>= 1
    return result


def _affine(c: SM2Curve, pt: _Jacobian) -> tuple[int, int]:
    x, y, z = pt
    if z == 0:
        raise ValueError("point at infinity")
    zi = pow(z, -1, c.p)
    zi2 = zi * zi % c.p
    return x * zi2 % c.p, y * zi2 * zi % c.p


def _on_curve(c: SM2Curve, x: int, y: int) -> bool:
    return 0 <= x < c.p and 0 <= y < c.p and (y * y - x**3 - c.a * x - c.b) % c.p == 0


@dataclass(frozen=True)
class SM2PublicKey:
    """A public point P = dG; serialised uncompressed as ``04 || x || y`` (GB/T 32918.1 §4.2.9)."""

    x: int
    y: int
    curve: SM2Curve = SM2P256V1

    def __post_init__(self) -> None:
        if not _on_curve(self.curve, self.x, self.y):
            raise SignatureKeyInvalid("SM2 公钥不在曲线上", "SM2 public key is not on the curve")

    def to_bytes(self) -> bytes:
        size = self.curve.size
        return b"\x04" + self.x.to_bytes(size, "big") + self.y.to_bytes(size, "big")

    def hex(self) -> str:
        return self.to_bytes().hex()

    @classmethod
    def from_bytes(cls, data: bytes, curve: SM2Curve = SM2P256V1) -> SM2PublicKey:
        size = curve.size
        if len(data) != 1 + 2 * size or data[0] != 4:
            raise SignatureKeyInvalid(
                "SM2 公钥应为 04||x||y 未压缩格式", "SM2 public key must be uncompressed 04||x||y"
            )
        return cls(
            int.from_bytes(data[1 : 1 + size], "big"),
            int.from_bytes(data[1 + size :], "big"),
            curve,
        )

    @classmethod
    def from_hex(cls, text: str, curve: SM2Curve = SM2P256V1) -> SM2PublicKey:
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise SignatureKeyInvalid("SM2 公钥不是十六进制", "SM2 public key is not hex") from exc
        return cls.from_bytes(raw, curve)


@dataclass(frozen=True, repr=False)
class SM2KeyPair:
    """A private key ``d`` (1 ≤ d ≤ n-2, GB/T 32918.1 §6.1) and its public key.

    Files are JSON (``{"algorithm": "SM2", "curve": ..., "private_key": hex,
    "public_key": hex}``), written with mode 0600 and atomically (temp file + rename).
    """

    private_key: int
    public_key: SM2PublicKey

    def __repr__(self) -> str:  # never print the private key
        return f"SM2KeyPair(public_key={self.public_key.hex()})"

    @classmethod
    def from_private(cls, d: int, curve: SM2Curve = SM2P256V1) -> SM2KeyPair:
        if not 1 <= d <= curve.n - 2:
            raise SignatureKeyInvalid("SM2 私钥超出范围", "SM2 private key out of range")
        x, y = _affine(curve, _mul(curve, d, (curve.gx, curve.gy, 1)))
        return cls(d, SM2PublicKey(x, y, curve))

    @classmethod
    def generate(cls, curve: SM2Curve = SM2P256V1) -> SM2KeyPair:
        """A fresh key pair from the OS CSPRNG."""
        return cls.from_private(secrets.randbelow(curve.n - 2) + 1, curve)

    @property
    def curve(self) -> SM2Curve:
        return self.public_key.curve

    def private_hex(self) -> str:
        return self.private_key.to_bytes(self.curve.size, "big").hex()

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": "SM2",
            "curve": self.curve.name,
            "private_key": self.private_hex(),
            "public_key": self.public_key.hex(),
        }

    def save(self, path: Path | str) -> None:
        """Write the key file (0600, atomic); its folder is created 0700 if missing."""
        write_secret_json(Path(path), self.to_json())

    def save_public(self, path: Path | str) -> None:
        """Write only the public key (for verifiers that must not hold the private key)."""
        doc = {"algorithm": "SM2", "curve": self.curve.name, "public_key": self.public_key.hex()}
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> SM2KeyPair:
        target = Path(path)
        try:
            doc = json.loads(target.read_text(encoding="utf-8"))
            if doc.get("algorithm") != "SM2" or doc.get("curve") != SM2P256V1.name:
                raise ValueError("not an sm2p256v1 key")
            pair = cls.from_private(int(doc["private_key"], 16))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SignatureKeyInvalid(
                f"无法读取 SM2 密钥文件 {target}：{exc}",
                f"Cannot read SM2 key file {target}: {exc}",
            ) from exc
        if "public_key" in doc and doc["public_key"].lower() != pair.public_key.hex():
            raise SignatureKeyInvalid(
                f"SM2 密钥文件 {target} 的公钥与私钥不匹配",
                f"SM2 key file {target}: public key does not match the private key",
            )
        return pair

    @classmethod
    def load_or_create(cls, path: Path | str) -> SM2KeyPair:
        """The key pair in ``path``; a new one is generated and saved (0600) if absent."""
        target = Path(path)
        if target.exists():
            return cls.load(target)
        pair = cls.generate()
        if write_secret_json(target, pair.to_json(), exclusive=True):
            return pair
        return cls.load(target)  # another process created it first: use theirs


def sm2_z(public_key: SM2PublicKey, uid: bytes = DEFAULT_UID) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2 §5.5)."""
    c = public_key.curve
    size = c.size
    entl = len(uid) * 8
    if entl > 0xFFFF:
        raise ValueError("SM2 user ID too long")
    parts = [entl.to_bytes(2, "big"), uid]
    parts += [v.to_bytes(size, "big") for v in (c.a, c.b, c.gx, c.gy, public_key.x, public_key.y)]
    return sm3(b"".join(parts))


def _e(public_key: SM2PublicKey, message: bytes, uid: bytes) -> int:
    # GB/T 32918.2 §6.1 A1-A2: e = H256(Z_A || M) as an integer
    return int.from_bytes(sm3(sm2_z(public_key, uid) + message), "big")


def sm2_sign(
    key: SM2KeyPair, message: bytes, *, uid: bytes = DEFAULT_UID, k: int | None = None
) -> bytes:
    """Sign ``message`` (GB/T 32918.2 §6.1); returns 64 bytes ``r || s``.

    ``k`` is for known-answer tests only; by default a fresh one comes from the OS CSPRNG.
    """
    c = key.curve
    n = c.n
    d = key.private_key
    e = _e(key.public_key, message, uid)
    d1_inv = pow(1 + d, -1, n)
    while True:
        kk = k if k is not None else secrets.randbelow(n - 1) + 1
        x1, _y1 = _affine(c, _mul(c, kk, (c.gx, c.gy, 1)))
        r = (e + x1) % n  # A5
        if r == 0 or r + kk == n:
            if k is not None:
                raise ValueError("k yields r = 0 or r + k = n; pick another")
            continue
        s = d1_inv * (kk - r * d) % n  # A6
        if s == 0:
            if k is not None:
                raise ValueError("k yields s = 0; pick another")
            continue
        return r.to_bytes(c.size, "big") + s.to_bytes(c.size, "big")


def sm2_verify(
    public_key: SM2PublicKey | SM2KeyPair | bytes | str,
    message: bytes,
    signature: bytes,
    *,
    uid: bytes = DEFAULT_UID,
) -> bool:
    """Whether ``signature`` (``r || s``) is ``public_key``'s signature over ``message``
    (GB/T 32918.2 §7.1). The key may be given as a key pair, a public key, or its
    uncompressed encoding (bytes or hex). Malformed input verifies as ``False``."""
    if isinstance(public_key, SM2KeyPair):
        pub = public_key.public_key
    elif isinstance(public_key, SM2PublicKey):
        pub = public_key
    else:
        try:
            pub = (
                SM2PublicKey.from_hex(public_key)
                if isinstance(public_key, str)
                else SM2PublicKey.from_bytes(public_key)
            )
        except SignatureKeyInvalid:
            return False
    c = pub.curve
    n = c.n
    if len(signature) != 2 * c.size:
        return False
    r = int.from_bytes(signature[: c.size], "big")
    s = int.from_bytes(signature[c.size :], "big")
    if not (1 <= r < n and 1 <= s < n):  # B1, B2
        return False
    t = (r + s) % n  # B5
    if t == 0:
        return False
    point = _add(c, _mul(c, s, (c.gx, c.gy, 1)), _mul(c, t, (pub.x, pub.y, 1)))  # B6
    if point[2] == 0:
        return False
    x1, _y1 = _affine(c, point)
    return (_e(pub, message, uid) + x1) % n == r  # B7
