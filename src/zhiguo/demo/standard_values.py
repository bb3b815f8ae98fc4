"""FICTITIOUS standard values (示例数据) for the demo world's 企业绩效评价.

Real standard values (《企业绩效评价标准值》) are published yearly by SASAC's evaluation bureau
and are not redistributed here. These are invented, plausible numbers shaped like the real
table — five levels per indicator, by GB/T 4754 industry (the sections and divisions the demo
world uses) and size class — so the demo can place enterprises on a scale and rank them. The
file says so three times: a ``#`` comment line, a ``示例数据`` column on every row, and the
import stores every row with ``fictitious = True``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from zhiguo.supervision.evaluation import BenchmarkImport, import_benchmarks, load_scheme

__all__ = ["DEMO_STANDARD_VALUES_FILE", "load_demo_standard_values", "write_demo_standard_values"]

DEMO_STANDARD_VALUES_FILE = "示例标准值_fictitious.csv"

MARK = (
    "# 示例数据 — 虚构的企业绩效评价标准值，仅供演示，并非官方标准值 / FICTITIOUS demo "
    "standard values, invented for the demo; not the official 企业绩效评价标准值"
)

# ALL industries, all sizes; best first: 优秀, 良好, 平均, 较低, 较差 (invented numbers).
_BASE: dict[str, tuple[float, float, float, float, float]] = {
    "roe": (13.5, 9.6, 5.6, 0.8, -5.5),
    "return_on_assets": (8.2, 5.8, 3.5, 1.1, -2.8),
    "operating_profit_margin": (15.5, 10.2, 5.1, 0.5, -7.5),
    "cash_earnings_cover": (9.5, 4.8, 1.5, 0.2, -1.8),
    "cost_profit_ratio": (14.8, 9.6, 5.2, 0.8, -6.2),
    "asset_turnover": (1.25, 0.85, 0.52, 0.31, 0.15),
    "receivables_turnover": (22.0, 12.5, 6.8, 3.5, 1.6),
    "current_asset_turnover": (2.6, 1.7, 1.05, 0.6, 0.3),
    "asset_cash_return": (11.2, 6.6, 2.9, 0.2, -3.6),
    "debt_ratio": (48.0, 55.0, 62.0, 72.0, 85.0),
    "interest_cover": (7.2, 4.6, 2.3, 1.1, -0.8),
    "quick_ratio": (135.0, 104.0, 76.0, 55.0, 35.0),
    "cash_current_liability_ratio": (24.5, 15.2, 6.5, -2.0, -10.5),
    "interest_bearing_debt_ratio": (25.0, 35.0, 45.0, 58.0, 72.0),
    "revenue_growth": (22.0, 13.5, 5.2, -6.0, -18.0),
    "capital_preservation_ratio": (112.0, 107.0, 103.5, 99.5, 93.0),
    "operating_profit_growth": (20.5, 12.0, 3.5, -8.5, -22.0),
    "total_asset_growth": (16.5, 10.5, 5.5, -2.5, -10.0),
    "tech_input_ratio": (3.2, 2.2, 1.4, 0.8, 0.3),
    "two_funds_share": (25.0, 35.0, 45.0, 58.0, 70.0),
    "inventory_turnover": (18.0, 9.5, 5.0, 2.6, 1.2),
    "capital_accumulation": (16.0, 10.0, 5.0, 0.0, -8.0),
}
_PROFIT = {"roe", "return_on_assets", "operating_profit_margin", "cost_profit_ratio",
           "asset_cash_return"}  # fmt: skip
_TURNOVER = {"asset_turnover", "receivables_turnover", "current_asset_turnover",
             "inventory_turnover"}  # fmt: skip
_DEBT = {"debt_ratio", "interest_bearing_debt_ratio", "two_funds_share"}
_GROWTH = {"revenue_growth", "operating_profit_growth", "total_asset_growth"}
_TIMES = {"cash_earnings_cover", "interest_cover", *_TURNOVER}  # 倍/次: two decimals

# code, name, (profit scale, turnover scale, debt shift pp, growth shift pp), sizes
_INDUSTRIES: tuple[tuple[str, str, tuple[float, float, float, float], tuple[str, ...]], ...] = (
    ("ALL", "全行业", (1.0, 1.0, 0.0, 0.0), ("all", "large", "medium", "small")),
    ("C", "制造业", (1.0, 1.1, -2.0, 1.0), ("all", "large", "medium", "small")),
    ("C39", "计算机、通信和其他电子设备制造业", (1.1, 1.0, -3.0, 3.0), ("all",)),
    ("D", "电力、热力、燃气及水生产和供应业", (0.7, 0.45, 3.0, -1.0), ("all", "large", "medium")),
    ("D46", "水的生产和供应业", (0.45, 0.25, 0.0, -2.0), ("all",)),
    ("E", "建筑业", (0.8, 1.3, 12.0, 0.0), ("all", "large", "medium", "small")),
    ("F", "批发和零售业", (0.6, 2.2, 8.0, 0.0), ("all",)),
    ("G", "交通运输、仓储和邮政业", (0.6, 0.5, 0.0, 0.0), ("all", "large", "medium", "small")),
    ("G54", "道路运输业", (0.5, 0.3, 2.0, -1.0), ("all",)),
    ("H", "住宿和餐饮业", (0.5, 0.9, 0.0, -2.0), ("all",)),
    ("I", "信息传输、软件和信息技术服务业", (1.2, 0.9, -8.0, 4.0), ("all",)),
    ("K", "房地产业", (0.8, 0.35, 12.0, -1.0), ("all", "large", "medium")),
    ("L", "租赁和商务服务业", (0.7, 0.5, 2.0, 0.0), ("all",)),
    ("M", "科学研究和技术服务业", (1.0, 0.8, -5.0, 2.0), ("all",)),
    ("N", "水利、环境和公共设施管理业", (0.45, 0.25, 0.0, -1.0), ("all",)),
    ("Q", "卫生和社会工作", (0.6, 0.7, -5.0, 0.0), ("all",)),
    ("R", "文化、体育和娱乐业", (0.6, 0.6, -6.0, -1.0), ("all",)),
)
_SIZE_ZH = {"all": "全部", "large": "大型", "medium": "中型", "small": "小型"}
# size: (profit scale, debt shift pp) — larger firms a little stronger in this invented table
_SIZE_EFFECT = {
    "all": (1.0, 0.0),
    "large": (1.08, -1.0),
    "medium": (1.0, 0.5),
    "small": (0.88, 2.0),
}


def _levels(code: str, profile: tuple[float, float, float, float], size: str) -> list[float]:
    profit, turnover, debt, growth = profile
    size_profit, size_debt = _SIZE_EFFECT[size]
    out = []
    for value in _BASE[code]:
        if code in _PROFIT:
            value *= profit * size_profit
        elif code in _TURNOVER:
            value *= turnover
        elif code in _DEBT:
            value += debt + size_debt
        elif code in _GROWTH:
            value += growth
        out.append(round(value, 2 if code in _TIMES else 1))
    return out


def write_demo_standard_values(path: Path, *, edition: int = 2026) -> Path:
    """Write the FICTITIOUS demo standard values of ``edition`` as a CSV (UTF-8 with BOM,
    Chinese headers) marked 示例数据 in a comment line and on every row."""
    scheme = load_scheme()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write(MARK + "\n")
        writer = csv.writer(fh)
        writer.writerow(
            ["年度", "行业代码", "行业名称", "规模", "指标", "指标名称",
             "优秀值", "良好值", "平均值", "较低值", "较差值", "示例数据"]
        )  # fmt: skip
        for industry, name, profile, sizes in _INDUSTRIES:
            for size in sizes:
                for code in _BASE:
                    spec = scheme.indicators[code]
                    writer.writerow(
                        [edition, industry, name, _SIZE_ZH[size], code, spec.name_zh,
                         *_levels(code, profile, size), "是"]
                    )  # fmt: skip
    return path


def load_demo_standard_values(
    *,
    session: Session,
    folder: Path,
    edition: int = 2026,
    inbox: Path | None = None,
    actor: str = "demo",
) -> BenchmarkImport:
    """Write the demo file into ``folder`` and import it (every row stored as fictitious)."""
    scheme = load_scheme()
    path = write_demo_standard_values(folder / DEMO_STANDARD_VALUES_FILE, edition=edition)
    return import_benchmarks(
        session=session,
        path=path,
        known_indicators=set(scheme.indicators),
        directions=scheme.directions,
        actor=actor,
        edition=edition,
        fictitious=True,
        inbox=inbox,
    )
