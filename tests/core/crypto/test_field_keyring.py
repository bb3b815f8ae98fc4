"""The field key ring and its envelopes: round trip, tampering, column binding, key ids,
sources (environment over file) and reloading after another process rotates."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiguo.core.crypto import (
    FIELD_KEYS_ENV,
    FIELD_KEYS_FILE,
    DecryptionFailed,
    EnvelopeInvalid,
    KeyFileInvalid,
    KeyRing,
    KeyRingLoader,
    KeyUnavailable,
    add_active_key,
    envelope_key_id,
)

CTX = "enterprises.contact_phone"
RING = KeyRing.generate()


@given(st.text(), st.sampled_from(["users.phone", CTX]))
def test_any_text_round_trips(text: str, context: str) -> None:
    assert RING.decrypt(RING.encrypt(text, context=context), context=context) == text


def test_envelope_round_trip_and_shape() -> None:
    ring = KeyRing.generate()
    env = ring.encrypt("13800001234", context=CTX)
    assert env.startswith("sm4gcm:v1:k1:") and "13800001234" not in env
    raw = base64.b64decode(env.rsplit(":", 1)[1])
    assert len(raw) == 12 + len("13800001234") + 16  # nonce || ciphertext || tag
    assert envelope_key_id(env) == "k1"
    assert ring.decrypt(env, context=CTX) == "13800001234"
    assert ring.decrypt(ring.encrypt("示例张", context=CTX), context=CTX) == "示例张"
    assert ring.decrypt(ring.encrypt("", context=CTX), context=CTX) == ""


def test_a_flipped_byte_is_refused() -> None:
    ring = KeyRing.generate()
    env = ring.encrypt("13800001234", context=CTX)
    head, blob = env.rsplit(":", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[14] ^= 0x01  # inside the ciphertext
    with pytest.raises(DecryptionFailed) as info:
        ring.decrypt(f"{head}:{base64.b64encode(bytes(raw)).decode()}", context=CTX)
    assert info.value.code == "ZG-CRYPTO-003"


def test_a_value_copied_into_another_column_does_not_open() -> None:
    ring = KeyRing.generate()
    env = ring.encrypt("13800001234", context="users.phone")
    with pytest.raises(DecryptionFailed):
        ring.decrypt(env, context=CTX)


def test_an_unknown_key_id_says_which_key_is_missing() -> None:
    ring = KeyRing.generate()
    env = ring.encrypt("x", context=CTX).replace(":k1:", ":k9:")
    with pytest.raises(KeyUnavailable) as info:
        ring.decrypt(env, context=CTX)
    assert info.value.code == "ZG-CRYPTO-001"
    assert "k9" in info.value.message_en and "k9" in info.value.message_zh


@pytest.mark.parametrize("value", ["13800001234", "sm4gcm:v1:k1", "sm4gcm:v1:k1:***"])
def test_not_an_envelope(value: str) -> None:
    with pytest.raises(EnvelopeInvalid) as info:
        KeyRing.generate().decrypt(value, context=CTX)
    assert info.value.code == "ZG-CRYPTO-004"


def test_rotation_keeps_old_values_readable() -> None:
    ring = KeyRing.generate()
    old = ring.encrypt("old", context=CTX)
    rotated = ring.with_new_key()
    assert rotated.active == "k2" and set(rotated.keys) == {"k1", "k2"}
    assert envelope_key_id(rotated.encrypt("new", context=CTX)) == "k2"
    assert rotated.decrypt(old, context=CTX) == "old"
    with pytest.raises(KeyFileInvalid):
        rotated.without_key("k2")  # the active key stays
    assert set(rotated.without_key("k1").keys) == {"k2"}


@pytest.mark.parametrize(
    "doc",
    [
        {"active": "k1", "keys": {"k1": "00" * 8}},  # 8-byte key
        {"active": "k2", "keys": {"k1": "00" * 16}},  # active key missing
        {"active": "k:1", "keys": {"k:1": "00" * 16}},  # colon in a key id
        {"keys": {"k1": "00" * 16}},
        ["k1"],
    ],
)
def test_malformed_rings_are_refused(doc: object) -> None:
    with pytest.raises(KeyFileInvalid) as info:
        KeyRing.from_json(doc)
    assert info.value.code == "ZG-CRYPTO-002"


def test_the_key_file_is_created_private_at_first_use(tmp_path: Path) -> None:
    loader = KeyRingLoader.for_workspace(tmp_path, environ={})
    with pytest.raises(KeyUnavailable):
        loader.decrypt("sm4gcm:v1:k1:AAAA", context=CTX)  # reading never creates keys
    env = loader.encrypt("13800001234", context=CTX)
    path = tmp_path / FIELD_KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc["active"] == "k1" and len(bytes.fromhex(doc["keys"]["k1"])) == 16
    assert KeyRingLoader.for_workspace(tmp_path, environ={}).decrypt(env, context=CTX) == (
        "13800001234"
    )


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    KeyRing.generate().save(tmp_path / FIELD_KEYS_FILE)
    from_env = KeyRing.generate("e1")
    environ = {FIELD_KEYS_ENV: json.dumps(from_env.to_json())}
    loader = KeyRingLoader.for_workspace(tmp_path, environ=environ)
    env = loader.encrypt("x", context=CTX)
    assert envelope_key_id(env) == "e1" and loader.source == "env"
    assert from_env.decrypt(env, context=CTX) == "x"
    with pytest.raises(KeyFileInvalid):
        KeyRingLoader.for_workspace(tmp_path, environ={FIELD_KEYS_ENV: "{not json"})


def test_a_running_loader_sees_a_rotation_by_another_process(tmp_path: Path) -> None:
    app = KeyRingLoader.for_workspace(tmp_path, environ={})
    app.refresh_seconds = 3600.0  # only an unknown key id makes it look again
    before = app.encrypt("a", context=CTX)
    previous, ring = add_active_key(tmp_path / FIELD_KEYS_FILE)  # `zhiguo keys rotate`
    assert (previous, ring.active) == ("k1", "k2")
    resealed = ring.encrypt("a", context=CTX)
    assert app.decrypt(resealed, context=CTX) == "a"  # reloaded on seeing k2
    assert app.decrypt(before, context=CTX) == "a"
    assert envelope_key_id(app.encrypt("b", context=CTX)) == "k2"


def test_a_vanished_key_file_never_mints_a_second_k1(tmp_path: Path) -> None:
    app = KeyRingLoader.for_workspace(tmp_path, environ={})
    app.refresh_seconds = 0.0  # look at the file on every call
    first = app.encrypt("a", context=CTX)
    (tmp_path / FIELD_KEYS_FILE).unlink()
    second = app.encrypt("b", context=CTX)  # keeps the key it knows
    assert not (tmp_path / FIELD_KEYS_FILE).exists()
    assert app.decrypt(first, context=CTX) == "a" and app.decrypt(second, context=CTX) == "b"
