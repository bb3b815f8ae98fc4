"""SM2 signatures: the standard's examples, round trips, refusals, key files, and gmssl."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from gmssl import sm2 as gm_sm2

from zhiguo.core.crypto import (
    SignatureKeyInvalid,
    SM2Curve,
    SM2KeyPair,
    SM2PublicKey,
    sm2_sign,
    sm2_verify,
    sm2_z,
)

# GB/T 32918.2-2016 Annex A (= GM/T 0003.2-2012 A.2): the example runs on the standard's
# 256-bit *test* curve, with ID "ALICE123@YAHOO.COM" and message "message digest".
ANNEX_A_CURVE = SM2Curve(
    name="gbt32918-annex-a-fp256",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
)
ANNEX_A_D = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
ANNEX_A_K = 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F
ANNEX_A_ID = b"ALICE123@YAHOO.COM"


def test_annex_a_example_on_the_test_curve() -> None:
    pair = SM2KeyPair.from_private(ANNEX_A_D, ANNEX_A_CURVE)
    assert pair.public_key.x == 0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A
    assert pair.public_key.y == 0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857
    assert sm2_z(pair.public_key, ANNEX_A_ID).hex().upper() == (
        "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    )
    sig = sm2_sign(pair, b"message digest", uid=ANNEX_A_ID, k=ANNEX_A_K)
    assert sig.hex().upper() == (
        "40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1"
        "6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7"
    )
    assert sm2_verify(pair.public_key, b"message digest", sig, uid=ANNEX_A_ID)
    assert not sm2_verify(pair.public_key, b"message digest", sig)  # default ID differs


# The recommended-curve example (GB/T 32918.5 curve, default ID 1234567812345678) as
# reproduced in the gmalg test suite (tests/test_sm2 "test_sign2") and in Hyperledger Iroha's
# SM known answers — two independent publications of the same values.
REC_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
REC_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
REC_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
REC_SIG = (
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


def test_recommended_curve_example() -> None:
    pair = SM2KeyPair.from_private(REC_D)
    assert pair.public_key.hex() == REC_PUBLIC.lower()
    assert sm2_sign(pair, b"message digest", k=REC_K).hex().upper() == REC_SIG
    assert sm2_verify(REC_PUBLIC, b"message digest", bytes.fromhex(REC_SIG))
    assert not sm2_verify(REC_PUBLIC, b"message digest.", bytes.fromhex(REC_SIG))


def test_round_trip_and_refusals() -> None:
    alice, mallory = SM2KeyPair.generate(), SM2KeyPair.generate()
    head = b"tree-head:size=1000:root=ab12"
    sig = sm2_sign(alice, head)
    assert len(sig) == 64
    assert sm2_verify(alice, head, sig)
    assert sm2_verify(alice.public_key.to_bytes(), head, sig)
    assert not sm2_verify(alice, head + b"!", sig)  # another message
    assert not sm2_verify(mallory, head, sig)  # another key
    assert not sm2_verify(alice, head, sig[:-1] + bytes([sig[-1] ^ 1]))  # altered s
    assert not sm2_verify(alice, head, sig[:32])  # truncated
    assert not sm2_verify(alice, head, bytes(64))  # r = s = 0
    assert not sm2_verify("04" + "00" * 64, head, sig)  # not a point on the curve
    assert sm2_sign(alice, head) != sig  # a fresh k every time


def test_interoperates_with_gmssl_both_ways() -> None:
    pair = SM2KeyPair.generate()
    pub_hex = pair.public_key.hex()[2:]  # gmssl wants x||y without the 04 prefix
    theirs = gm_sm2.CryptSM2(private_key=pair.private_hex(), public_key=pub_hex)
    msg = b"\xe5\xae\xa1\xe8\xae\xa1 audit head"
    assert sm2_verify(pair, msg, bytes.fromhex(theirs.sign_with_sm3(msg)))
    assert theirs.verify_with_sm3(sm2_sign(pair, msg).hex(), msg)


def test_key_file_is_private_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-sm2.json"
    pair = SM2KeyPair.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SM2KeyPair.load_or_create(path).public_key == pair.public_key
    assert "private" not in repr(pair) and pair.private_hex() not in repr(pair)
    public_only = tmp_path / "audit-sm2.pub.json"
    pair.save_public(public_only)
    assert pair.private_hex() not in public_only.read_text()


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"algorithm": "SM2", "curve": "sm2p256v1", "private_key": "zz"}')
    with pytest.raises(SignatureKeyInvalid) as info:
        SM2KeyPair.load(path)
    assert info.value.code == "ZG-CRYPTO-006"
    with pytest.raises(SignatureKeyInvalid):
        SM2PublicKey(1, 1)  # not on the curve
