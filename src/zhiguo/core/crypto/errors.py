"""Crypto errors (codes ZG-CRYPTO-001…049).

Why their own codes: a missing or wrong field key is an operator problem (a key file not
deployed, an environment variable not set, a key retired too early), not a user's; the code
lets support find it without reading a translated sentence::

    ConfigError
    └── CryptoError                  ZG-CRYPTO-010 cryptographic operation failed
        ├── KeyUnavailable           ZG-CRYPTO-001 no field key (ring) for this value
        ├── KeyFileInvalid           ZG-CRYPTO-002 the key file / environment is malformed
        ├── DecryptionFailed         ZG-CRYPTO-003 ciphertext tampered with, or wrong column
        ├── EnvelopeInvalid          ZG-CRYPTO-004 stored value is not an sm4gcm envelope
        ├── KeyInUse                 ZG-CRYPTO-005 a key still encrypts values; not retired
        └── SignatureKeyInvalid      ZG-CRYPTO-006 an SM2 key file is malformed
"""

from __future__ import annotations

from sqlalchemy.exc import DontWrapMixin

from zhiguo.core.errors import ConfigError

__all__ = [
    "CryptoError",
    "DecryptionFailed",
    "EnvelopeInvalid",
    "KeyFileInvalid",
    "KeyInUse",
    "KeyUnavailable",
    "SignatureKeyInvalid",
]


class CryptoError(DontWrapMixin, ConfigError):
    """Raised as itself even inside SQLAlchemy (``DontWrapMixin``): an ``EncryptedText``
    bind or result failure reaches the caller with its code, not as a StatementError."""

    code = "ZG-CRYPTO-010"
    title_zh = "密码运算失败"
    title_en = "Cryptographic operation failed"


class KeyUnavailable(CryptoError):
    """No key ring is attached to the engine, or the ring lacks the value's key id."""

    code = "ZG-CRYPTO-001"
    title_zh = "字段加密密钥不可用"
    title_en = "Field encryption key unavailable"


class KeyFileInvalid(CryptoError):
    code = "ZG-CRYPTO-002"
    title_zh = "字段密钥文件或环境变量格式无效"
    title_en = "Field key file or environment variable is malformed"


class DecryptionFailed(CryptoError):
    """SM4-GCM tag mismatch: the value was altered, or copied from another column."""

    code = "ZG-CRYPTO-003"
    title_zh = "解密失败：密文被篡改或不属于该字段"
    title_en = "Decryption failed: ciphertext altered or from another field"


class EnvelopeInvalid(CryptoError):
    code = "ZG-CRYPTO-004"
    title_zh = "存储值不是有效的加密信封"
    title_en = "Stored value is not a valid encryption envelope"


class KeyInUse(CryptoError):
    code = "ZG-CRYPTO-005"
    title_zh = "密钥仍在使用，不能停用"
    title_en = "Key still in use; cannot be retired"


class SignatureKeyInvalid(CryptoError):
    code = "ZG-CRYPTO-006"
    title_zh = "SM2 密钥文件无效"
    title_en = "SM2 key file is invalid"
