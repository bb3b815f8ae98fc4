"""The vocabularies of a site: its type (with plausible heights), status and carriers.

Heights are the antenna mounting height above ground that an import accepts for each type —
wide enough for real stock, narrow enough to catch a metres/centimetres slip or a storey count
typed as metres. Smart poles (多功能智能杆) follow the Shenzhen practice of 3–20 m poles
(DB4403/T 30-2019 多功能智能杆系统设计与工程建设规范 sizes poles up to ≈ 15 m; the margin
covers gantry mounts); a rooftop ranges from a two-storey building (6 m) to 350 m — above
that a macro cell overshoots everything and operators use the building's indoor system
instead; ground-based towers of the tower company are 10–120 m. Load limits are the default
structural allowance for equipment when the owner gives none (a 64T64R AAU weighs
≈ 25–40 kg; a pole's arm carries far less than a roof).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhiguo.core.access import CARRIER_LABELS, NETWORK_CARRIERS

__all__ = [
    "CARRIERS",
    "SITE_STATUSES",
    "SITE_TYPES",
    "SiteStatus",
    "SiteType",
    "carrier_code",
    "status_code",
    "type_code",
]


@dataclass(frozen=True)
class SiteType:
    code: str
    label_zh: str
    label_en: str
    min_height_m: float
    max_height_m: float
    default_load_kg: float
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


SITE_TYPES: dict[str, SiteType] = {
    t.code: t
    for t in (
        SiteType("rooftop", "屋顶", "Rooftop", 6.0, 350.0, 500.0, ("楼顶", "屋面", "roof")),
        SiteType(
            "smart_pole",
            "智慧杆",
            "Smart pole",
            3.0,
            20.0,
            60.0,
            ("多功能智能杆", "智能杆", "灯杆", "pole", "smart pole"),
        ),
        SiteType(
            "hub",
            "交通枢纽/站场",
            "Transit hub / station",
            3.0,
            80.0,
            400.0,
            ("交通枢纽", "站场", "枢纽", "车站", "站点", "station"),
        ),
        SiteType("park", "园区", "Park / campus", 3.0, 150.0, 400.0, ("产业园", "公园", "campus")),
        SiteType("tower", "铁塔", "Tower", 10.0, 120.0, 1000.0, ("塔", "通信塔", "lattice tower")),
        SiteType(
            "indoor",
            "室内场馆",
            "Indoor venue",
            1.0,
            60.0,
            100.0,
            ("室内", "场馆", "室分", "venue", "indoor venue"),
        ),
    )
}
"""Site types in display order (code → definition). Codes match ``coverage.siteradio``."""


@dataclass(frozen=True)
class SiteStatus:
    code: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


SITE_STATUSES: dict[str, SiteStatus] = {
    s.code: s
    for s in (
        SiteStatus("available", "可用", "Available", ("空闲", "可出租", "free")),
        SiteStatus("reserved", "已预留", "Reserved", ("预留",)),
        SiteStatus("leased", "已出租", "Leased", ("出租", "已租")),
        SiteStatus(
            "in_service", "已建成在用", "In service", ("在用", "已建", "已建成", "in service")
        ),
        SiteStatus("unavailable", "不可用", "Unavailable", ("停用", "不可租")),
    )
}
"""``in_service``: carrier equipment already on the site (pinned in site selection)."""

CARRIERS: dict[str, tuple[str, str]] = {c: CARRIER_LABELS[c] for c in NETWORK_CARRIERS}
"""Carriers whose equipment can be on a site (core.access: one list for the platform)."""
_CARRIER_ALIASES = {
    "电信": "telecom",
    "中国电信": "telecom",
    "ct": "telecom",
    "移动": "mobile",
    "中国移动": "mobile",
    "cmcc": "mobile",
    "cm": "mobile",
    "联通": "unicom",
    "中国联通": "unicom",
    "cu": "unicom",
    "广电": "cbn",
    "中国广电": "cbn",
    "cbn": "cbn",
    "broadnet": "cbn",
}


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def _lookup(text: str, table: dict[str, tuple[str, str, tuple[str, ...]]]) -> str | None:
    key = _norm(text)
    for code, (zh, en, aliases) in table.items():
        names = {_norm(code), _norm(zh), _norm(en), *(_norm(a) for a in aliases)}
        if key in names:
            return code
    return None


_TYPE_NAMES = {t.code: (t.label_zh, t.label_en, t.aliases) for t in SITE_TYPES.values()}
_STATUS_NAMES = {s.code: (s.label_zh, s.label_en, s.aliases) for s in SITE_STATUSES.values()}


def type_code(text: str) -> str | None:
    """``smart_pole`` for "smart_pole", "智慧杆", "多功能智能杆", "Smart pole"…; None if unknown."""
    return _lookup(text, _TYPE_NAMES)


def status_code(text: str) -> str | None:
    """``in_service`` for "in_service", "在用", "已建成在用"…; None if unknown."""
    return _lookup(text, _STATUS_NAMES)


def carrier_code(text: str) -> str | None:
    """``telecom`` for "telecom", "电信", "中国电信", "China Telecom"…; None if unknown."""
    key = _norm(text)
    if key in CARRIERS:
        return key
    if key in _CARRIER_ALIASES:
        return _CARRIER_ALIASES[key]
    for code, (zh, en) in CARRIERS.items():
        if key in (_norm(zh), _norm(en)):
            return code
    return None
