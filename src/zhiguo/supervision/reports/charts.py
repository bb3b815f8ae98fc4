"""Charts for the PDF: matplotlib (Agg, no pyplot state) with real Chinese text.

Chinese needs a CJK font: Noto Sans CJK SC from Debian's ``fonts-noto-cjk``
(``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``), found through matplotlib's
font manager. Without it every Chinese character would print as a box, so a missing font is
an error naming the apt package — never a silently unreadable report. Fonts are embedded as
TrueType (``pdf.fonttype`` 42) so the PDF's text can be searched and extracted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zhiguo.supervision.reports.content import HeadlineLine, MonthlyReport
from zhiguo.supervision.reports.errors import ReportFontMissing
from zhiguo.supervision.reports.labels import label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "A4_LANDSCAPE",
    "CJK_FAMILY",
    "FONT_PACKAGE",
    "cjk_font_path",
    "report_style",
    "scaled_unit",
    "trend_axes",
    "trend_page",
]

CJK_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"
A4_LANDSCAPE = (11.69, 8.27)  # inches


def cjk_font_path() -> Path:
    """The Noto Sans CJK font file matplotlib will embed (``ReportFontMissing`` if absent)."""
    from matplotlib import font_manager

    try:
        found = str(
            font_manager.findfont(
                font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
            )
        )
    except ValueError:
        found = ""
    path = Path(found)
    if "NotoSansCJK" not in path.name:
        raise ReportFontMissing(
            f"生成 PDF 需要中文字体 {CJK_FAMILY}，未找到；请安装：apt-get install {FONT_PACKAGE}"
            "（安装后如仍未识别，删除 matplotlib 字体缓存 ~/.cache/matplotlib）",
            f"The PDF needs the Chinese font {CJK_FAMILY}, which was not found; install it "
            f"with `apt-get install {FONT_PACKAGE}` (then clear ~/.cache/matplotlib if it is "
            "still not seen)",
            details={"family": CJK_FAMILY, "package": FONT_PACKAGE},
        )
    return path


@contextmanager
def report_style() -> Iterator[None]:
    """matplotlib settings for the report: the CJK font, TrueType embedding. Figures are made
    with ``Figure()`` (no pyplot), so no GUI backend and no global figure list are involved."""
    import matplotlib

    cjk_font_path()
    with matplotlib.rc_context(
        {
            "font.family": [CJK_FAMILY],
            "font.size": 9,
            "pdf.fonttype": 42,  # TrueType: text stays extractable
            "ps.fonttype": 42,
            "axes.unicode_minus": False,  # the CJK font's hyphen, not U+2212 it may lack
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def scaled_unit(unit: str, values: list[float], lang: str) -> tuple[float, str]:
    """A divisor and unit label that keep money axes readable (元 → 万元 → 亿元)."""
    if unit != "元" or not values:
        return 1.0, unit
    biggest = max(abs(v) for v in values)
    if biggest >= 1e8:
        return 1e8, "亿元" if lang == "zh" else "100 million yuan"
    if biggest >= 1e4:
        return 1e4, "万元" if lang == "zh" else "10 thousand yuan"
    return 1.0, unit


def trend_axes(ax: Axes, line: HeadlineLine, lang: str) -> None:
    """One 13-month line chart with a zh (or en) title; gaps where a month has no value."""
    known = [t.value for t in line.trend if t.value is not None]
    divisor, unit = scaled_unit(line.unit, known, lang)
    xs = list(range(len(line.trend)))
    ys = [math.nan if t.value is None else t.value / divisor for t in line.trend]
    ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.5, color="#c0392b")
    if line.last_year is not None and line.value is not None:
        ax.plot([xs[0], xs[-1]], [ys[0], ys[-1]], linestyle=":", linewidth=0.8, color="#7f8c8d")
    ax.set_title(label("trend_title", lang, name=line.indicator.name(lang)), fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    ax.set_xticks(xs[::2], [t.period for t in line.trend][::2], rotation=45, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    if not math.isnan(ys[-1]):
        ax.annotate(
            f"{ys[-1]:,.2f}",
            (xs[-1], ys[-1]),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=7,
        )


def trend_page(report: MonthlyReport, lang: str) -> Figure:
    """One landscape page: a trend chart per headline indicator (up to six, 3 × 2)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4_LANDSCAPE)
    subject = report.subject(lang) or ""
    fig.suptitle(
        label("headline_title", lang, subject=subject) + " · " + label("sec_trend", lang),
        fontsize=14,
    )
    lines = list(report.headline)[:6]
    axes = fig.subplots(2, 3) if lines else None
    if axes is None:
        fig.text(0.5, 0.5, label("no_headline", lang), ha="center", fontsize=12)
        return fig
    flat = list(axes.flat)
    for ax, line in zip(flat, lines, strict=False):
        trend_axes(ax, line, lang)
    for ax in flat[len(lines) :]:
        ax.set_visible(False)
    fig.subplots_adjust(left=0.07, right=0.97, top=0.88, bottom=0.12, hspace=0.55, wspace=0.3)
    return fig
