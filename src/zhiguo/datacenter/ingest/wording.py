"""How problems name things: items and calibers in zh and en, amounts with separators — one
place, so the row checks and the report checks word their messages alike."""

from __future__ import annotations

from zhiguo.datacenter.flashreport.items import CALIBERS, all_items

__all__ = ["amount", "caliber_fields", "item_fields"]

_ITEM_NAMES = {i.code: (i.name_zh, i.name_en) for i in all_items()}


def item_fields(code: object) -> dict[str, str]:
    """``item``/``item_en`` message fields, e.g. ``货币资金（cash）`` / ``Cash … (cash)``."""
    zh, en = _ITEM_NAMES.get(str(code), (str(code), str(code)))
    return {"item": f"{zh}（{code}）", "item_en": f"{en} ({code})"}


def caliber_fields(code: str) -> dict[str, str]:
    """``caliber``/``caliber_en`` message fields, e.g. ``本年累计`` / ``Year to date``."""
    zh, en = CALIBERS.get(code, (code, code))
    return {"caliber": zh, "caliber_en": en}


def amount(x: float | None) -> str:
    """``1,234.50``; ``—`` for a missing (None or NaN) figure."""
    return "—" if x is None or x != x else f"{x:,.2f}"
