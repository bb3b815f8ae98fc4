"""Unified social credit codes (统一社会信用代码, USCC) — GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6),
organisation code (9, GB 11714, with its own check character) and a check character (1).
"""

from __future__ import annotations

from .errors import InvalidUSCC, Location

__all__ = ["USCC_ALPHABET", "make_uscc", "uscc_check_char", "validate_uscc"]

# GB 32100-2015 §4.2 Table 1: the code character set, no I, O, S, V, Z; value = position.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
# GB 32100-2015 §5.2: weights W_i = 3^(i-1) mod 31 for the first 17 positions.
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters (GB 32100-2015 §5.2, MOD 31)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(first8: str) -> str:
    # GB 11714-1997 §5: weights 3 7 9 10 5 8 4 2, C9 = 11 − (Σ mod 11); 10 → X, 11 → 0.
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_uscc(authority: str, entity_type: str, division: str, org8: str) -> str:
    """Build a valid USCC from its parts (used by the demo world and tests).

    ``org8`` is the first eight characters of the organisation code; its GB 11714 check
    character and the GB 32100 check character are computed here.
    """
    body = f"{authority}{entity_type}{division}{org8}{_org_code_check(org8)}"
    return body + uscc_check_char(body)


def validate_uscc(value: object, *, location: Location | None = None) -> str:
    """Return the normalised (upper-case, trimmed) code or raise :class:`InvalidUSCC`."""
    loc = location or Location()
    text = str(value or "").strip().upper()
    if len(text) != 18:
        raise InvalidUSCC(
            f"统一社会信用代码应为 18 位，实际为 {len(text)} 位：{text!r}",
            f"A USCC has 18 characters; got {len(text)}: {text!r}",
            location=loc,
        )
    bad = [c for c in text if c not in _VALUE]
    if bad:
        raise InvalidUSCC(
            f"统一社会信用代码含非法字符 {''.join(bad)!r}（不得使用 I、O、S、V、Z）：{text}",
            f"USCC contains invalid character(s) {''.join(bad)!r} (I, O, S, V, Z are not "
            f"used): {text}",
            location=loc,
        )
    expected = uscc_check_char(text[:17])
    if text[17] != expected:
        raise InvalidUSCC(
            f"统一社会信用代码校验位错误：{text} 的第 18 位应为 {expected}（GB 32100-2015）",
            f"USCC check character wrong: {text} should end in {expected} (GB 32100-2015)",
            location=loc,
        )
    return text
