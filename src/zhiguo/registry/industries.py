"""GB/T 4754-2017 industry codes (国民经济行业分类) and the regulator's four categories.

The category decides, for example, which fixed debt-ratio lines apply (工业 65%/70%,
非工业 70%/75%, 科研技术 60%/65%; see shared/domain/supervision.md).
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["IndustryCategory", "category_for", "normalise_industry_code", "section_of"]


class IndustryCategory(StrEnum):
    INDUSTRIAL = "industrial"  # 工业
    NON_INDUSTRIAL = "non_industrial"  # 非工业
    RESEARCH_TECH = "research_tech"  # 科研技术
    FINANCE = "finance"  # 金融

    @property
    def label_zh(self) -> str:
        return _CATEGORY_ZH[self]


_CATEGORY_ZH = {
    IndustryCategory.INDUSTRIAL: "工业",
    IndustryCategory.NON_INDUSTRIAL: "非工业",
    IndustryCategory.RESEARCH_TECH: "科研技术",
    IndustryCategory.FINANCE: "金融",
}

# GB/T 4754-2017: sections (门类) and the two-digit divisions (大类) each spans.
SECTIONS: dict[str, tuple[int, int, str, str]] = {
    "A": (1, 5, "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": (6, 12, "采矿业", "Mining"),
    "C": (13, 43, "制造业", "Manufacturing"),
    "D": (44, 46, "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water"),
    "E": (47, 50, "建筑业", "Construction"),
    "F": (51, 52, "批发和零售业", "Wholesale and retail"),
    "G": (53, 60, "交通运输、仓储和邮政业", "Transport, storage and post"),
    "H": (61, 62, "住宿和餐饮业", "Accommodation and catering"),
    "I": (63, 65, "信息传输、软件和信息技术服务业", "Information and software services"),
    "J": (66, 69, "金融业", "Finance"),
    "K": (70, 70, "房地产业", "Real estate"),
    "L": (71, 72, "租赁和商务服务业", "Leasing and business services"),
    "M": (73, 75, "科学研究和技术服务业", "Scientific research and technical services"),
    "N": (76, 79, "水利、环境和公共设施管理业", "Water, environment and public facilities"),
    "O": (80, 82, "居民服务、修理和其他服务业", "Residential and repair services"),
    "P": (83, 83, "教育", "Education"),
    "Q": (84, 85, "卫生和社会工作", "Health and social work"),
    "R": (86, 90, "文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": (91, 96, "公共管理、社会保障和社会组织", "Public administration and social security"),
    "T": (97, 97, "国际组织", "International organisations"),
}
_CODE = re.compile(r"^([A-T])?(\d{2,4})?$")


def section_of(division: int) -> str | None:
    for letter, (lo, hi, _zh, _en) in SECTIONS.items():
        if lo <= division <= hi:
            return letter
    return None


def normalise_industry_code(raw: str) -> str | None:
    """``'4610'``, ``'d4610'``, ``'D46'`` → ``'D4610'`` / ``'D46'``; ``None`` if invalid.

    The section letter is derived from the division when missing and must agree with it
    when given.
    """
    text = raw.strip().upper().replace(" ", "")
    m = _CODE.match(text)
    if not text or not m:
        return None
    letter, digits = m.group(1), m.group(2)
    if digits is None:
        return letter
    derived = section_of(int(digits[:2]))
    if derived is None or (letter and letter != derived):
        return None
    return f"{derived}{digits}"


def category_for(code: str) -> IndustryCategory:
    """The regulator's category for a normalised code (工业 = sections B, C, D)."""
    letter = code[:1]
    if letter in {"B", "C", "D"}:
        return IndustryCategory.INDUSTRIAL
    if letter == "J":
        return IndustryCategory.FINANCE
    if letter == "M":
        return IndustryCategory.RESEARCH_TECH
    return IndustryCategory.NON_INDUSTRIAL
