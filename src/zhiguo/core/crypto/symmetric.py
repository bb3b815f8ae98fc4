"""SM4 (GB/T 32907-2016) in ECB, CBC and GCM modes.

GCM is what stores data (authenticated: a flipped bit or a value moved to another column is
refused). ECB and CBC exist for the standard's known-answer tests and for interoperating
with systems that still exchange them; never use ECB for data.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import DecryptionFailed

__all__ = [
    "SM4_BLOCK_SIZE",
    "SM4_GCM_NONCE_SIZE",
    "SM4_GCM_TAG_SIZE",
    "SM4_KEY_SIZE",
    "sm4_cbc_decrypt",
    "sm4_cbc_encrypt",
    "sm4_ecb_decrypt",
    "sm4_ecb_encrypt",
    "sm4_gcm_decrypt",
    "sm4_gcm_encrypt",
]

SM4_KEY_SIZE = 16  # 128-bit key, GB/T 32907-2016 §5.1
SM4_BLOCK_SIZE = 16  # 128-bit block
SM4_GCM_NONCE_SIZE = 12  # 96-bit IV, the GCM fast path (NIST SP 800-38D §8.2; RFC 8998 §3.5.1)
SM4_GCM_TAG_SIZE = 16  # full 128-bit tag


def _check_key(key: bytes) -> None:
    if len(key) != SM4_KEY_SIZE:
        raise ValueError(f"SM4 key must be {SM4_KEY_SIZE} bytes, got {len(key)}")


def sm4_ecb_encrypt(key: bytes, data: bytes) -> bytes:
    """Raw SM4 over whole blocks (no padding); for known-answer tests only."""
    _check_key(key)
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


def sm4_ecb_decrypt(key: bytes, data: bytes) -> bytes:
    _check_key(key)
    dec = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    return dec.update(data) + dec.finalize()


def sm4_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """SM4-CBC over whole blocks (the caller pads, e.g. PKCS#7)."""
    _check_key(key)
    enc = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def sm4_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    _check_key(key)
    dec = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def sm4_gcm_encrypt(
    key: bytes, plaintext: bytes, *, aad: bytes = b"", nonce: bytes | None = None
) -> tuple[bytes, bytes, bytes]:
    """SM4-GCM (RFC 8998 §3.5.1): returns ``(nonce, ciphertext, tag)``.

    ``nonce`` defaults to 12 fresh random bytes; pass one only for known-answer tests — a
    nonce reused under one key breaks GCM's confidentiality and integrity.
    """
    _check_key(key)
    iv = os.urandom(SM4_GCM_NONCE_SIZE) if nonce is None else nonce
    enc = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    ciphertext = enc.update(plaintext) + enc.finalize()
    return iv, ciphertext, enc.tag


def sm4_gcm_decrypt(
    key: bytes, nonce: bytes, ciphertext: bytes, tag: bytes, *, aad: bytes = b""
) -> bytes:
    """Decrypt and authenticate; a wrong key, tag, nonce or AAD raises
    :class:`DecryptionFailed` (ZG-CRYPTO-003) and releases no plaintext."""
    _check_key(key)
    if len(tag) != SM4_GCM_TAG_SIZE:
        raise DecryptionFailed(
            "SM4-GCM 认证标签长度错误", f"SM4-GCM tag must be {SM4_GCM_TAG_SIZE} bytes"
        )
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    try:
        return dec.update(ciphertext) + dec.finalize()
    except InvalidTag as exc:
        raise DecryptionFailed() from exc
