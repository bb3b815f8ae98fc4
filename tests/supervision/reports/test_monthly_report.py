"""The monthly report on a small known lake: the xlsx holds the inputs, formulas and formats a
reader expects; the PDF carries the same figures as real, extractable Chinese text set in
Noto Sans CJK; scope narrows everything; an empty period is refused, not reported."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from zhiguo.core.access import Scope
from zhiguo.core.errors import NotFound
from zhiguo.core.periods import Period
from zhiguo.supervision.reports import (
    MonthlyReport,
    ReportDataMissing,
    ReportOptionInvalid,
    build_monthly_report,
    cjk_font_path,
    gather_monthly_report,
    headline_for,
    sheet_names,
)
from zhiguo.testing import SAMPLE

if TYPE_CHECKING:
    from conftest import ReportWorld  # this folder's conftest (a type only)

PERIOD = Period(2026, 9)
ZH_SHEETS = ["封面", "一利五率", "趋势", "一级企业", "预警", "报送"]
G1_NAME, G2_NAME = "示例测试一集团有限公司", "示例测试二集团有限公司"


def build(world: ReportWorld, scope: Scope | None = None, **kw: Any) -> list[Path]:
    with world.factory() as session:
        return build_monthly_report(
            session=session,
            lake_root=world.ws.lake,
            engine_settings=world.ws.settings.engine,
            ingest_settings=world.ws.settings.ingest,
            scope=scope or Scope.everything(),
            period=kw.pop("period", PERIOD),
            out_dir=kw.pop("out_dir", world.out),
            demo=world.ws.settings.demo_mode,
            now=world.now,
            **kw,
        )


def gather(world: ReportWorld, scope: Scope) -> MonthlyReport:
    with world.factory() as session:
        return gather_monthly_report(
            session=session,
            lake_root=world.ws.lake,
            engine_settings=world.ws.settings.engine,
            ingest_settings=world.ws.settings.ingest,
            scope=scope,
            period=PERIOD,
            now=world.now,
        )


def rows_of(ws: Worksheet) -> dict[str, int]:
    """First-column text → row number (for finding labelled rows)."""
    return {str(c.value): c.row for c in ws["A"] if c.value is not None}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def both(built_report: tuple[ReportWorld, Path, Path]) -> tuple[Path, Path]:
    return built_report[1], built_report[2]


@pytest.fixture
def world(built_report: tuple[ReportWorld, Path, Path]) -> ReportWorld:
    """The world behind ``both`` (read it, don't change it)."""
    return built_report[0]


def test_files_are_named_for_the_period_and_written_to_out_dir(
    world: ReportWorld, both: tuple[Path, Path]
) -> None:
    xlsx, pdf = both
    assert xlsx == world.out / "国资监管月度报告_2026-09.xlsx"
    assert pdf == world.out / "国资监管月度报告_2026-09.pdf"
    assert sorted(p.name for p in world.out.iterdir()) == [pdf.name, xlsx.name]


def test_cover_names_the_period_versions_data_source_and_demo(
    world: ReportWorld, both: tuple[Path, Path]
) -> None:
    source = world.source_version
    wb = load_workbook(both[0])
    assert wb.sheetnames == ZH_SHEETS
    cover = wb["封面"]
    texts = [str(c.value) for row in cover.iter_rows() for c in row if c.value is not None]
    assert cover["A1"].value == "2026年9月 国资监管月度报告"
    assert f"v{source}" in texts  # flash_report version the values came from
    assert "v1" in texts  # supervision.indicator_values version read
    assert "2026-11-25 12:00:00 CST" in texts
    assert any(t.startswith("数据来源：") and f"flash_report v{source}" in t for t in texts)
    assert "示例数据，虚构，不代表任何真实企业" in texts


def test_headline_sheet_holds_values_last_year_and_change_formulas(
    world: ReportWorld, both: tuple[Path, Path]
) -> None:
    portfolio_value = world.portfolio
    ws = load_workbook(both[0])["一利五率"]
    rows = {ws.cell(row=r, column=2).value: r for r in range(4, 10)}
    assert list(rows) == [h.code for h in headline_for(2026)]
    debt = rows["debt_ratio"]
    assert ws.cell(debt, 1).value == "资产负债率"
    assert ws.cell(debt, 4).value == pytest.approx(portfolio_value("debt_ratio", PERIOD) / 100)
    assert ws.cell(debt, 5).value == pytest.approx(
        portfolio_value("debt_ratio", PERIOD.prior_year) / 100
    )
    assert ws.cell(debt, 4).number_format == "0.00%"
    assert ws.cell(debt, 6).value == f"=D{debt}-E{debt}"
    profit = rows["total_profit"]
    assert ws.cell(profit, 4).value == pytest.approx(9_876_543.21)
    assert ws.cell(profit, 4).number_format == "#,##0.00"
    assert ws.cell(rows["roe"], 4).value == pytest.approx(0.055)  # SASAC caliber, not 99 %
    assert ws.freeze_panes == "B4"


def test_trend_sheet_has_13_months_and_a_chart_per_indicator(both: tuple[Path, Path]) -> None:
    ws = load_workbook(both[0])["趋势"]
    months = [ws.cell(r, 1).value for r in range(4, 17)]
    assert months == [str(p) for p in Period.range(PERIOD.shift(-12), PERIOD)]
    assert ws.cell(3, 3).value == "资产负债率（%）"
    assert ws.cell(4, 3).value == pytest.approx(0.600)
    assert ws.cell(16, 3).value == pytest.approx(0.612)
    assert len(ws._charts) == 6


def test_groups_sheet_ranks_and_totals_with_formulas(
    world: ReportWorld, both: tuple[Path, Path]
) -> None:
    ws = load_workbook(both[0])["一级企业"]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["统一社会信用代码", "企业", "利润总额（元）", "资产负债率（%）"]
    by_name = {ws.cell(r, 2).value: r for r in (4, 5)}
    g1, g2 = by_name[G1_NAME], by_name[G2_NAME]
    assert ws.cell(g1, 3).value == pytest.approx(world.groups["G1"]["total_profit"])
    assert ws.cell(g1, 4).value == pytest.approx(0.6543)
    assert ws.cell(g2, 6).value is None  # G2's R&D intensity is not computable
    rank = header.index("资产负债率排名") + 1
    assert (ws.cell(g1, rank).value, ws.cell(g2, rank).value) == (2, 1)  # lower is better
    profit_rank = header.index("利润总额排名") + 1
    assert (ws.cell(g1, profit_rank).value, ws.cell(g2, profit_rank).value) == (2, 1)
    rd_rank = header.index("研发经费投入强度排名") + 1
    assert (ws.cell(g1, rd_rank).value, ws.cell(g2, rd_rank).value) == (1, None)
    assert ws.cell(6, 1).value == "合计 / 简单平均"
    assert ws.cell(6, 3).value == "=SUM(C4:C5)"
    assert ws.cell(6, 4).value == "=AVERAGE(D4:D5)"
    assert ws.cell(6, 4).number_format == "0.00%"
    assert ws.freeze_panes == "C4"


def test_alert_sheet_counts_by_severity_and_status_and_lists_red_and_overdue(
    both: tuple[Path, Path],
) -> None:
    ws = load_workbook(both[0])["预警"]
    header = [c.value for c in ws[3]]
    assert header[:6] == ["等级", "已触发", "已下发", "已反馈", "已关闭", "已撤销"]
    red = rows_of(ws)["红色"]
    assert [ws.cell(red, c).value for c in range(2, 7)] == [0, 1, 0, 1, 0]
    assert ws.cell(red, 7).value == f"=SUM(B{red}:F{red})"
    orange, yellow = rows_of(ws)["橙色"], rows_of(ws)["黄色"]
    assert ws.cell(orange, 2).value == 1  # A1 raised; A2's May alert is not this period's
    assert ws.cell(yellow, 4).value == 1  # B1's alert from 2026-08 persists into 2026-09
    total = rows_of(ws)["合计"]
    assert ws.cell(total, 7).value == f"=SUM(G{red}:G{yellow})"
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "debt_ratio.key_line" in texts and "loss.entity" in texts
    assert "debt_ratio.warning_line" not in texts  # orange: counted, not listed
    overdue_title = next(t for t in texts if t.startswith("逾期未整改"))
    assert "2026-11-25" in overdue_title
    overdue = rows_of(ws)[overdue_title]
    listed = [ws.cell(r, 2).value for r in range(overdue + 2, overdue + 4)]
    assert listed == ["guarantee.cap", "debt_ratio.key_line"]  # by due date
    assert ws.cell(overdue + 3, 6).value == 25  # due 2026-10-31, reported 2026-11-25


def test_submission_sheet_counts_on_time_late_missing(both: tuple[Path, Path]) -> None:
    ws = load_workbook(both[0])["报送"]
    assert [c.value for c in ws[3]][:5] == ["按时报送", "逾期报送", "未报送", "待报送", "合计"]
    assert [c.value for c in ws[4]][:5] == [1, 1, 6, 0, "=SUM(A4:D4)"]
    names = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(8, ws.max_row + 1)}
    assert names["示例测试二集团B11公司"] == "逾期报送"
    assert names[G1_NAME] == "未报送"
    assert "示例测试一集团A1公司" not in names  # on time: no reminder


def test_pdf_has_chinese_text_numbers_and_embeds_noto_sans_cjk(both: tuple[Path, Path]) -> None:
    pdf = both[1]
    text = pdf_text(pdf)
    for expected in (
        "2026年9月 国资监管月度报告",
        "示例数据，虚构，不代表任何真实企业",
        "数据来源：",
        "资产负债率",
        "营业收现率",
        "资产负债率 近13个月趋势",
        G1_NAME,
        G2_NAME,
        "61.20%",  # portfolio debt ratio
        "+1.20%",  # its change on last year
        "9,876,543.21",  # portfolio total profit
        "65.43%（2）",  # G1's debt ratio and rank
        "debt_ratio.key_line",
        "示例测试二集团B11公司",
    ):
        assert expected in text, expected
    assert "99.00%" not in text  # the other ROE caliber
    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("NotoSansCJK" in f for f in fonts), fonts
    assert cjk_font_path().name == "NotoSansCJK-Regular.ttc"


def test_english_report(world: ReportWorld, tmp_path: Path) -> None:
    xlsx, pdf = build(world, lang="en", out_dir=tmp_path)
    assert xlsx.name == "supervision_monthly_report_2026-09.xlsx"
    wb = load_workbook(xlsx)
    assert wb.sheetnames == sheet_names("en")
    assert wb[sheet_names("en")[1]].cell(5, 1).value == "Debt ratio"
    text = pdf_text(pdf)
    assert "Monthly supervision report, 2026-09" in text and "Debt ratio" in text


def test_one_format_only(world: ReportWorld, tmp_path: Path) -> None:
    (only,) = build(world, formats=("pdf",), out_dir=tmp_path)
    assert only.suffix == ".pdf" and [p.name for p in tmp_path.iterdir()] == [only.name]


def test_enterprise_scope_never_sees_the_portfolio(world: ReportWorld, tmp_path: Path) -> None:
    ids = world.ids
    g1_tree = world.subtree("G1", "A1", "A11", "A12", "A2")
    report = gather(world, g1_tree)
    assert not report.whole_portfolio
    assert report.subject("zh") == G1_NAME  # its own group instead of the portfolio
    debt = next(h for h in report.headline if h.indicator.code == "debt_ratio")
    assert debt.value == pytest.approx(65.43) and debt.last_year == pytest.approx(1.0)
    assert [g.enterprise_id for g in report.groups] == [ids["G1"]]
    assert {a.enterprise_id for a in report.red_alerts} == {ids["G1"]}
    assert sum(report.alert_counts.values()) == 2  # G1 red, A1 orange
    assert sum(report.submission_counts.values()) == 5
    xlsx, pdf = build(world, g1_tree, out_dir=tmp_path)
    assert xlsx.name == f"国资监管月度报告_2026-09_{SAMPLE['G1']}.xlsx"
    text = pdf_text(pdf)
    assert "全口径汇总指标仅对监管机构可见" in text
    assert "9,876,543.21" not in text and G2_NAME not in text


def test_a_scope_with_only_entity_rows_has_no_headline_but_still_reports(
    world: ReportWorld,
) -> None:
    report = gather(world, world.subtree("A1", "A11", "A12"))
    assert report.headline == () and report.groups[0].values["debt_ratio"] is None
    assert report.flash_report_versions == (world.source_version,)


@pytest.mark.parametrize(
    ("period", "scope_keys"),
    [("2026-10", None), ("2024-01", None), ("2026-09", ("B1", "B11"))],
    ids=["next-month", "long-ago", "scope-without-values"],
)
def test_a_period_without_values_is_refused_in_both_languages(
    world: ReportWorld, tmp_path: Path, period: str, scope_keys: tuple[str, ...] | None
) -> None:
    scope = world.subtree(*scope_keys) if scope_keys else Scope.everything()
    with pytest.raises(ReportDataMissing) as caught:
        build(world, scope, period=period, out_dir=tmp_path / "out")
    err = caught.value
    assert isinstance(err, NotFound) and err.code == "ZG-REPORT-001"
    assert f"{period} 没有可用的监管指标值" in err.message("zh")
    assert f"No indicator values for {period}" in err.message("en")
    assert "zhiguo indicators compute --period" in err.message("en")
    assert not (tmp_path / "out").exists()  # nothing written


def test_an_empty_lake_is_refused_too(report_world: ReportWorld) -> None:
    import shutil as sh

    sh.rmtree(report_world.ws.lake / "supervision.indicator_values")
    with pytest.raises(ReportDataMissing):
        build(report_world)


def test_unknown_format_or_language_is_an_input_error(world: ReportWorld, tmp_path: Path) -> None:
    with pytest.raises(ReportOptionInvalid, match="docx"):
        build(world, out_dir=tmp_path, formats=("docx",))
    with pytest.raises(ReportOptionInvalid) as caught:
        build(world, out_dir=tmp_path, lang="fr")
    assert "报告语言无效" in caught.value.message("zh")


def test_the_fifth_rate_changes_in_2025() -> None:
    assert headline_for(2024)[-1].code == "operating_cash_ratio"
    assert headline_for(2025)[-1].code == "cash_from_sales_ratio"
    assert len(headline_for(2023)) == len(headline_for(2026)) == 6


@pytest.mark.office
def test_libreoffice_opens_the_xlsx_and_computes_its_formulas(
    both: tuple[Path, Path], tmp_path: Path
) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office is not None
    out = tmp_path / "lo"
    subprocess.run(
        [office, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(both[0])],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    wb = load_workbook(out / both[0].name, data_only=True)
    groups = wb["一级企业"]
    assert groups.cell(6, 3).value == pytest.approx(3_234_567.89)
    assert groups.cell(6, 4).value == pytest.approx((0.6543 + 0.581) / 2)
    headline = wb["一利五率"]
    assert headline.cell(5, 6).value == pytest.approx(0.012)
    assert wb["报送"].cell(4, 5).value == 8


def test_long_lists_flow_over_pages_and_point_to_the_xlsx(report_world: ReportWorld) -> None:
    from zhiguo.supervision.models import Alert

    with report_world.factory() as session:
        for i in range(70):
            session.add(
                Alert(
                    rule_code=f"bulk.rule_{i:02d}",
                    rule_version="1",
                    family="threshold",
                    enterprise_id=report_world.ids["B11"],
                    level="entity",
                    period="2026-09",
                    last_period="2026-09",
                    severity="red",
                    status="raised",
                    message_zh=f"批量预警 {i}",
                    message_en=f"bulk alert {i}",
                )
            )
        session.commit()
    xlsx, pdf = build(report_world)
    text = pdf_text(pdf)
    assert "…… 另有 12 行见 xlsx 报告" in text  # 72 red alerts, 60 shown
    assert "bulk.rule_58" in text and "bulk.rule_59" not in text  # after G1's one
    reader = PdfReader(pdf)
    assert sum("红色预警清单" in page.extract_text() for page in reader.pages) >= 2
    ws = load_workbook(xlsx)["预警"]
    rules = {c.value for c in ws["B"]}
    assert {f"bulk.rule_{i:02d}" for i in range(70)} <= rules


@pytest.mark.spark
def test_spark_gathers_the_same_report(world: ReportWorld) -> None:
    from zhiguo.core.settings import EngineSettings

    def read(backend: str) -> MonthlyReport:
        with world.factory() as session:
            return gather_monthly_report(
                session=session,
                lake_root=world.ws.lake,
                engine_settings=EngineSettings(backend=backend),  # type: ignore[arg-type]
                scope=Scope.everything(),
                period=PERIOD,
                now=world.now,
            )

    duck, spark = read("duckdb"), read("spark")
    assert spark.headline == duck.headline and spark.groups == duck.groups
    assert spark.flash_report_versions == duck.flash_report_versions == (7,)
