"""SM3, HMAC-SM3, SM4 and SM4-GCM against the standards' own known answers."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from zhiguo.core.crypto import (
    DecryptionFailed,
    hmac_sm3,
    hmac_sm3_verify,
    sm3,
    sm3_hex,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
    sm4_ecb_decrypt,
    sm4_ecb_encrypt,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
)

# -- SM3, GB/T 32905-2016 Appendix A ---------------------------------------------------------


def test_sm3_example_1_abc() -> None:
    # GB/T 32905-2016 A.1: "abc" (24 bits)
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_example_2_512_bits() -> None:
    # GB/T 32905-2016 A.2: "abcd" x 16 (512 bits, two blocks after padding)
    assert sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm3_agrees_with_hashlib() -> None:
    for msg in (b"", b"a", bytes(range(256)) * 3):
        assert sm3(msg) == hashlib.new("sm3", msg).digest()


# -- HMAC-SM3, GM/T 0042-2015 Appendix D.3 ---------------------------------------------------


@pytest.mark.parametrize(
    ("key", "msg", "mac"),
    [
        (  # count 1
            bytes(range(1, 33)),
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" * 2,
            "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a",
        ),
        (  # count 2
            bytes(range(1, 38)),
            bytes.fromhex("cd" * 50),
            "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae",
        ),
    ],
)
def test_hmac_sm3_gmt_0042_vectors(key: bytes, msg: bytes, mac: str) -> None:
    assert hmac_sm3(key, msg).hex() == mac
    assert hmac_sm3_verify(key, msg, bytes.fromhex(mac))
    assert not hmac_sm3_verify(key, msg + b".", bytes.fromhex(mac))


def test_hmac_sm3_agrees_with_stdlib_hmac() -> None:
    for key in (b"", b"k", b"x" * 64, b"y" * 100):  # shorter, equal to, longer than a block
        msg = b"label:core:finance.balance_sheet"
        assert hmac_sm3(key, msg) == hmac.new(key, msg, "sm3").digest()


# -- SM4, GB/T 32907-2016 Appendix A ---------------------------------------------------------

_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_example_1() -> None:
    # GB/T 32907-2016 A.1: key = plaintext = 0123456789abcdeffedcba9876543210
    ct = sm4_ecb_encrypt(_KEY, _KEY)
    assert ct.hex() == "681edf34d206965e86b3e94f536e4246"
    assert sm4_ecb_decrypt(_KEY, ct) == _KEY


def test_sm4_example_2_one_million_encryptions() -> None:
    # GB/T 32907-2016 A.2: encrypt the plaintext 1,000,000 times with the same key
    # (about 0.3 s through OpenSSL, so it runs every time).
    enc = Cipher(algorithms.SM4(_KEY), modes.ECB()).encryptor()
    block = _KEY
    for _ in range(1_000_000):
        block = enc.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_cbc_is_chained_ecb() -> None:
    iv = bytes(range(16))
    blocks = [bytes([i]) * 16 for i in range(3)]
    ct = sm4_cbc_encrypt(_KEY, iv, b"".join(blocks))
    prev, expected = iv, b""
    for block in blocks:  # C_i = E(P_i xor C_{i-1}), C_0 = IV
        prev = sm4_ecb_encrypt(_KEY, bytes(a ^ b for a, b in zip(block, prev, strict=True)))
        expected += prev
    assert ct == expected
    assert sm4_cbc_decrypt(_KEY, iv, ct) == b"".join(blocks)


def test_sm4_refuses_a_wrong_key_length() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        sm4_ecb_encrypt(b"short", _KEY)


# -- SM4-GCM, RFC 8998 Appendix A.1 ----------------------------------------------------------

_GCM_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
_GCM_IV = bytes.fromhex("00001234567800000000ABCD")
_GCM_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
_GCM_PT = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB"
    "CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF"
    "EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
_GCM_CT = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D"
    "5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15"
    "A56834CBCF98C397B4024A2691233B8D"
)
_GCM_TAG = bytes.fromhex("83DE3541E4C2B58177E065A9BF7B62EC")


def test_sm4_gcm_rfc8998_vector() -> None:
    nonce, ct, tag = sm4_gcm_encrypt(_GCM_KEY, _GCM_PT, aad=_GCM_AAD, nonce=_GCM_IV)
    assert (nonce, ct, tag) == (_GCM_IV, _GCM_CT, _GCM_TAG)
    assert sm4_gcm_decrypt(_GCM_KEY, _GCM_IV, _GCM_CT, _GCM_TAG, aad=_GCM_AAD) == _GCM_PT


@pytest.mark.parametrize("part", ["ct", "tag", "aad", "nonce"])
def test_sm4_gcm_refuses_any_altered_byte(part: str) -> None:
    values = {"ct": _GCM_CT, "tag": _GCM_TAG, "aad": _GCM_AAD, "nonce": _GCM_IV}
    flipped = bytearray(values[part])
    flipped[5] ^= 0x01
    values[part] = bytes(flipped)
    with pytest.raises(DecryptionFailed) as info:
        sm4_gcm_decrypt(_GCM_KEY, values["nonce"], values["ct"], values["tag"], aad=values["aad"])
    assert info.value.code == "ZG-CRYPTO-003"


def test_sm4_gcm_draws_a_fresh_nonce_each_time() -> None:
    first = sm4_gcm_encrypt(_GCM_KEY, b"13800001234")
    second = sm4_gcm_encrypt(_GCM_KEY, b"13800001234")
    assert first[0] != second[0] and first[1] != second[1]
    assert sm4_gcm_decrypt(_GCM_KEY, *first) == b"13800001234"
