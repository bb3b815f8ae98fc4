"""国密 primitives and encrypted fields at rest: SM3 / HMAC-SM3 (GB/T 32905), SM4 ECB/CBC/GCM
(GB/T 32907, RFC 8998), SM2 signatures (GB/T 32918), the field key ring and the
``EncryptedText`` column type.

Why in ``core`` (ARCHITECTURE.md puts SM3/SM4 under ``security``): the registry, below
security in the layers, stores personal fields too, so the primitives and the column type
must be importable from every layer. Nothing here knows about users or enterprises.
"""

from .errors import (
    CryptoError,
    DecryptionFailed,
    EnvelopeInvalid,
    KeyFileInvalid,
    KeyInUse,
    KeyUnavailable,
    SignatureKeyInvalid,
)
from .fields import EncryptedText, attach_key_ring, key_ring_for
from .hashing import SM3_DIGEST_SIZE, hmac_sm3, hmac_sm3_verify, sm3, sm3_hex
from .keyring import (
    ENVELOPE_PREFIX,
    FIELD_KEYS_ENV,
    FIELD_KEYS_FILE,
    KeyRing,
    KeyRingLoader,
    envelope_key_id,
)
from .rotation import (
    EncryptedColumn,
    RotationReport,
    add_active_key,
    encrypted_columns,
    key_usage,
    reencrypt,
    retire_key,
)
from .signing import (
    DEFAULT_UID,
    SM2P256V1,
    SM2Curve,
    SM2KeyPair,
    SM2PublicKey,
    sm2_sign,
    sm2_verify,
    sm2_z,
)
from .symmetric import (
    SM4_BLOCK_SIZE,
    SM4_GCM_NONCE_SIZE,
    SM4_GCM_TAG_SIZE,
    SM4_KEY_SIZE,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
    sm4_ecb_decrypt,
    sm4_ecb_encrypt,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
)

__all__ = [
    "DEFAULT_UID",
    "ENVELOPE_PREFIX",
    "FIELD_KEYS_ENV",
    "FIELD_KEYS_FILE",
    "SM2P256V1",
    "SM3_DIGEST_SIZE",
    "SM4_BLOCK_SIZE",
    "SM4_GCM_NONCE_SIZE",
    "SM4_GCM_TAG_SIZE",
    "SM4_KEY_SIZE",
    "CryptoError",
    "DecryptionFailed",
    "EncryptedColumn",
    "EncryptedText",
    "EnvelopeInvalid",
    "KeyFileInvalid",
    "KeyInUse",
    "KeyRing",
    "KeyRingLoader",
    "KeyUnavailable",
    "RotationReport",
    "SM2Curve",
    "SM2KeyPair",
    "SM2PublicKey",
    "SignatureKeyInvalid",
    "add_active_key",
    "attach_key_ring",
    "encrypted_columns",
    "envelope_key_id",
    "hmac_sm3",
    "hmac_sm3_verify",
    "key_ring_for",
    "key_usage",
    "reencrypt",
    "retire_key",
    "sm2_sign",
    "sm2_verify",
    "sm2_z",
    "sm3",
    "sm3_hex",
    "sm4_cbc_decrypt",
    "sm4_cbc_encrypt",
    "sm4_ecb_decrypt",
    "sm4_ecb_encrypt",
    "sm4_gcm_decrypt",
    "sm4_gcm_encrypt",
]
