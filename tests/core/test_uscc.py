from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiguo.core.errors import InvalidUSCC, Location
from zhiguo.core.uscc import USCC_ALPHABET, make_uscc, uscc_check_char, validate_uscc

# Published example codes whose check characters follow GB 32100-2015 (computed by hand:
# Σ value×weight mod 31, C18 = 31 − that).
KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code


def test_lowercase_and_spaces_are_normalised() -> None:
    assert validate_uscc("  91350100m000100y43 ") == "91350100M000100Y43"


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(InvalidUSCC) as info:
        validate_uscc("91350100M000100Y44", location=Location(file="a.xlsx", row=3))
    assert "Y43" in info.value.message_zh or "3" in info.value.message_en
    assert info.value.location.row == 3
    assert info.value.code == "ZG-INPUT-010"


@pytest.mark.parametrize("bad", ["", "123", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length(bad: str) -> None:
    with pytest.raises(InvalidUSCC, match="18"):
        validate_uscc(bad)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_not_in_the_alphabet_are_rejected(letter: str) -> None:
    code = "91350100M000100Y4" + letter
    with pytest.raises(InvalidUSCC, match="I、O、S、V、Z"):
        validate_uscc(code)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_every_body_has_exactly_one_valid_check_character(body: str) -> None:
    good = body + uscc_check_char(body)
    assert validate_uscc(good) == good
    for other in USCC_ALPHABET:
        if other != good[-1]:
            with pytest.raises(InvalidUSCC):
                validate_uscc(body + other)


def test_make_uscc_builds_valid_codes_with_organisation_check() -> None:
    code = make_uscc("9", "1", "440300", "12345678")
    assert validate_uscc(code) == code
    # GB 11714: 3·1+7·2+9·3+10·4+5·5+8·6+4·7+2·8 = 201; 201 mod 11 = 3; 11 − 3 = 8
    assert code[8:17] == "123456788"
