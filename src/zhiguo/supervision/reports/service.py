"""The one entry point: build the monthly report of a period as xlsx and/or PDF files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.periods import Period
from zhiguo.core.settings import EngineSettings, IngestSettings
from zhiguo.supervision.reports.content import MonthlyReport, gather_monthly_report
from zhiguo.supervision.reports.errors import ReportOptionInvalid

__all__ = ["FORMATS", "LANGS", "build_monthly_report", "report_file_name"]

FORMATS = ("xlsx", "pdf")
LANGS = ("zh", "en")


def report_file_name(report: MonthlyReport, fmt: str, lang: str) -> str:
    """``国资监管月度报告_2026-09.xlsx`` (or the English name); a report for an enterprise
    scope carries its root's USCC, so it never overwrites the portfolio's."""
    stem = "国资监管月度报告" if lang == "zh" else "supervision_monthly_report"
    name = f"{stem}_{report.period}"
    if not report.whole_portfolio:
        name += "_" + ("-".join(u for u, _zh, _en in report.scope_roots[:3]) or "scope")
    return f"{name}.{fmt}"


def _check(formats: Sequence[str], lang: str) -> None:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportOptionInvalid(
            f"报告格式无效：{', '.join(unknown) or '（空）'}；可选 {' / '.join(FORMATS)}",
            f"Invalid report format: {', '.join(unknown) or '(none)'}; "
            f"choose from {' / '.join(FORMATS)}",
        )
    if lang not in LANGS:
        raise ReportOptionInvalid(
            f"报告语言无效：{lang}；可选 zh / en", f"Invalid report language: {lang}; use zh or en"
        )


def build_monthly_report(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    period: Period | str,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    lang: str = "zh",
    demo: bool = False,
    ingest_settings: IngestSettings | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the monthly supervision report of ``period`` as ``scope`` may see it.

    Gathers every figure once (:func:`gather_monthly_report`), then renders each requested
    format from the same content; each file is written atomically. Returns the paths in
    the order of ``formats``. Raises ``ReportDataMissing`` (nothing written) when the
    period has no indicator values inside the scope, ``ReportOptionInvalid`` for an unknown
    format or language and ``ReportFontMissing`` when the PDF's Chinese font is absent.
    ``progress`` hears each stage (``gather``, then each format) as it starts.
    """
    from zhiguo.supervision.reports.pdf import write_pdf
    from zhiguo.supervision.reports.xlsx import write_xlsx

    _check(formats, lang)
    tell = progress or (lambda _stage: None)
    tell("gather")
    report = gather_monthly_report(
        session=session,
        lake_root=lake_root,
        engine_settings=engine_settings,
        scope=scope,
        period=period,
        ingest_settings=ingest_settings,
        demo=demo,
        now=now,
    )
    if "pdf" in formats:  # fail on a missing font before writing anything
        from zhiguo.supervision.reports.charts import cjk_font_path

        cjk_font_path()
    written: list[Path] = []
    for fmt in dict.fromkeys(formats):
        tell(fmt)
        path = out_dir / report_file_name(report, fmt, lang)
        writer = write_xlsx if fmt == "xlsx" else write_pdf
        written.append(writer(report, path, lang=lang))
    return written
