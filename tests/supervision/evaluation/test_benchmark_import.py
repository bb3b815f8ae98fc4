"""Standard values arrive from xlsx or CSV, English or Chinese headers, all or nothing: every
bad row is located (file, sheet, row, column) in zh and en with its rule code, nothing is
written, and re-importing an edition replaces it."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core import ImportRejected, Workspace
from zhiguo.demo.standard_values import (
    DEMO_STANDARD_VALUES_FILE,
    load_demo_standard_values,
    write_demo_standard_values,
)
from zhiguo.supervision.evaluation import (
    UnknownBenchmarkFile,
    import_benchmarks,
    list_benchmarks,
    list_editions,
    load_scheme,
)
from zhiguo.supervision.models import BenchmarkValue

KNOWN = {"roe", "debt_ratio", "quick_ratio"}
DIRECTIONS = {"roe": "higher", "debt_ratio": "lower", "quick_ratio": "higher"}
EN_HEADER = ["edition", "industry_code", "size_class", "indicator_code",
             "excellent", "good", "average", "low", "poor"]  # fmt: skip
ZH_HEADER = ["年度", "行业代码", "规模", "指标", "优秀值", "良好值", "平均值", "较低值", "较差值"]
GOOD_ROWS: list[list[Any]] = [
    [2026, "ALL", "all", "roe", 13.5, 9.6, 5.6, 0.8, -5.5],
    [2026, "D46", "all", "roe", 8, 6, 4, 2, 0],
    [2026, "ALL", "large", "debt_ratio", 48, 55, 62, 72, 85],
]


def _csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(session: Session, path: Path, **kw: Any) -> Any:
    return import_benchmarks(
        session=session, path=path, known_indicators=KNOWN, directions=DIRECTIONS,
        actor="tester", **kw,
    )  # fmt: skip


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count(BenchmarkValue.id))) or 0)


Factory = tuple[Workspace, Callable[[], Session]]


def test_csv_with_english_headers_is_stored_row_for_row(eval_ws: Factory, tmp_path: Path) -> None:
    ws, factory = eval_ws
    path = _csv(tmp_path / "sv.csv", EN_HEADER, GOOD_ROWS)
    with factory() as session:
        result = _import(session, path, inbox=ws.inbox)
        session.commit()
    assert result.editions == [2026] and result.rows == 3 and result.replaced == 0
    assert not result.fictitious
    with factory() as session:
        rows = list_benchmarks(session=session, edition=2026)
        assert [(r.indicator_code, r.industry_code, r.size_class) for r in rows] == [
            ("debt_ratio", "ALL", "large"),
            ("roe", "ALL", "all"),
            ("roe", "D46", "all"),
        ]
        roe = rows[1]
        assert (roe.excellent, roe.good, roe.average, roe.low, roe.poor) == (
            13.5, 9.6, 5.6, 0.8, -5.5,
        )  # fmt: skip
        assert roe.imported_by == "tester" and roe.fictitious is False
        assert roe.source.startswith("sv.csv (")
    # the received file is kept in the inbox, with its outcome
    kept = ws.inbox / "benchmarks" / f"{result.inbox_sha256}.csv"
    assert kept.read_bytes() == path.read_bytes()
    meta = json.loads((ws.inbox / "benchmarks" / f"{result.inbox_sha256}.json").read_text("utf-8"))
    assert meta["outcomes"][-1]["result"] == "accepted"


def test_xlsx_with_chinese_headers_a_title_row_and_chinese_labels(
    eval_ws: Factory, tmp_path: Path
) -> None:
    _ws, factory = eval_ws
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "标准值"
    sheet.append(["2025 年企业绩效评价标准值（测试）"])  # a title row above the header
    sheet.append([*ZH_HEADER, "指标名称"])
    sheet.append([2025, "全行业", "全部", "净资产收益率", "12.0%", "9", "6", "3", "-1"])
    sheet.append([2025, "4610", "大型", "debt_ratio", 50, 55, 60, 70, 80])
    sheet.append([2025, "e", "小型", "quick_ratio", 1.3, 1.0, 0.8, 0.6, 0.4])
    path = tmp_path / "标准值.xlsx"
    wb.save(path)
    with factory() as session:
        result = _import(session, path, indicator_aliases={"净资产收益率": "roe"})
        session.commit()
        assert result.rows == 3 and result.editions == [2025]
        stored = {
            (r.indicator_code, r.industry_code, r.size_class): r.excellent
            for r in list_benchmarks(session=session, edition=2025)
        }
    assert stored == {
        ("roe", "ALL", "all"): 12.0,
        ("debt_ratio", "D4610", "large"): 50.0,  # section letter derived from the division
        ("quick_ratio", "E", "small"): 1.3,
    }


def test_gb18030_csv_with_chinese_headers_and_edition_option(
    eval_ws: Factory, tmp_path: Path
) -> None:
    _ws, factory = eval_ws
    rows = [[r[1], "中型", r[3], *r[4:]] for r in GOOD_ROWS]
    header = ["行业代码", "规模", "指标", "优秀值", "良好值", "平均值", "较低值", "较差值"]
    path = _csv(tmp_path / "gbk.csv", header, rows, encoding="gb18030")
    with factory() as session:
        result = _import(session, path, edition=2024, fictitious=True)
        session.commit()
        assert result.editions == [2024] and result.fictitious
        assert {r.size_class for r in list_benchmarks(session=session, edition=2024)} == {"medium"}
        (summary,) = list_editions(session=session)
    assert summary.edition == 2024 and summary.rows == 3 and summary.fictitious


BAD_CASES = [
    # (rows, rule code, row, column as the header shows it)
    ([[2026, "ALL", "all", "roa_typo", 1, 2, 3, 4, 5]], "ZG-EVAL-020", 2, "indicator_code"),
    ([[2026, "ALL", "all", "roe", 5, 6, 4, 2, 0]], "ZG-EVAL-023", 2, "good"),
    # lower is better: debt ratio levels must rise from 优秀 to 较差
    ([[2026, "ALL", "all", "debt_ratio", 85, 72, 62, 55, 48]], "ZG-EVAL-023", 2, "good"),
    ([[2026, "ALL", "all", "roe", 10, "n/a", 4, 2, 0]], "ZG-EVAL-022", 2, "good"),
    ([[2026, "ALL", "all", "roe", 10, 8, "", 2, 0]], "ZG-EVAL-021", 2, "average"),
    ([[2026, "ZZ9", "all", "roe", 10, 8, 6, 4, 2]], "ZG-EVAL-013", 2, "industry_code"),
    ([[2026, "ALL", "huge", "roe", 10, 8, 6, 4, 2]], "ZG-EVAL-014", 2, "size_class"),
    ([["二〇二六", "ALL", "all", "roe", 10, 8, 6, 4, 2]], "ZG-EVAL-011", 2, "edition"),
    (
        [[2026, "ALL", "all", "roe", 10, 8, 6, 4, 2], [2026, "ALL", "all", "roe", 9, 8, 6, 4, 2]],
        "ZG-EVAL-024",
        3,
        None,
    ),
]


@pytest.mark.parametrize(("rows", "code", "row", "column"), BAD_CASES)
def test_a_bad_row_is_located_in_both_languages_and_nothing_is_written(
    eval_ws: Factory,
    tmp_path: Path,
    rows: list[list[Any]],
    code: str,
    row: int,
    column: str | None,
) -> None:
    ws, factory = eval_ws
    with factory() as session:  # an earlier edition that must survive untouched
        _import(session, _csv(tmp_path / "ok.csv", EN_HEADER, GOOD_ROWS))
        session.commit()
    path = _csv(tmp_path / "bad.csv", EN_HEADER, [GOOD_ROWS[2], *rows])
    # the good first row shifts the bad rows down by one
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, path, inbox=ws.inbox)
    problems = [p for p in caught.value.problems if p.severity == "error"]
    assert [p.code for p in problems] == [code]
    (p,) = problems
    assert p.location.file == "bad.csv" and p.location.sheet is None
    assert p.location.row == row + 1
    assert p.location.column == column
    assert p.message_zh and p.message_en and p.message_zh != p.message_en
    with factory() as session:
        assert _count(session) == 3  # the earlier import is intact, nothing added


def test_rejected_file_outcome_is_recorded_in_the_inbox(eval_ws: Factory, tmp_path: Path) -> None:
    ws, factory = eval_ws
    path = _csv(tmp_path / "bad.csv", EN_HEADER, [[2026, "ALL", "all", "nope", 1, 1, 1, 1, 1]])
    with factory() as session, pytest.raises(ImportRejected):
        _import(session, path, inbox=ws.inbox)
    (meta_path,) = list((ws.inbox / "benchmarks").glob("*.json"))
    meta = json.loads(meta_path.read_text("utf-8"))
    assert meta["outcomes"][-1]["result"] == "rejected"
    assert meta["outcomes"][-1]["problems"][0]["code"] == "ZG-EVAL-020"


def test_every_problem_of_a_file_is_reported_at_once_with_the_xlsx_sheet(
    eval_ws: Factory, tmp_path: Path
) -> None:
    _ws, factory = eval_ws
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "SV"
    sheet.append(EN_HEADER)
    sheet.append([2026, "ALL", "all", "roe", 10, 8, 6, 4, 2])
    sheet.append([2026, "ALL", "all", "unknown_x", 10, 8, 6, 4, 2])
    sheet.append([2026, "ALL", "all", "quick_ratio", 1, 2, 3, 4, 5])
    path = tmp_path / "many.xlsx"
    wb.save(path)
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, path)
    found = [(p.code, p.location.sheet, p.location.row) for p in caught.value.problems]
    assert found == [("ZG-EVAL-020", "SV", 3), ("ZG-EVAL-023", "SV", 4)]
    with factory() as session:
        assert _count(session) == 0


def test_missing_columns_and_missing_edition_are_named(eval_ws: Factory, tmp_path: Path) -> None:
    _ws, factory = eval_ws
    header = ["行业代码", "指标", "优秀值", "良好值", "平均值", "较低值"]  # no 较差值, no 年度
    path = _csv(tmp_path / "cols.csv", header, [["ALL", "roe", 10, 8, 6, 4]])
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, path)
    by_code = {p.code: p for p in caught.value.problems}
    assert set(by_code) == {"ZG-EVAL-010", "ZG-EVAL-005"}
    assert by_code["ZG-EVAL-005"].location.column == "较差值"
    assert "较差值" in by_code["ZG-EVAL-005"].message_zh
    assert "poor" in by_code["ZG-EVAL-005"].message_en
    # with --edition the same header is only short of 较差值
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, path, edition=2026)
    assert [p.code for p in caught.value.problems] == ["ZG-EVAL-005"]


def test_edition_in_the_file_must_agree_with_the_option(eval_ws: Factory, tmp_path: Path) -> None:
    _ws, factory = eval_ws
    path = _csv(tmp_path / "e.csv", EN_HEADER, GOOD_ROWS)
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, path, edition=2025)
    assert {p.code for p in caught.value.problems} == {"ZG-EVAL-012"}
    assert caught.value.problems[0].location.column == "edition"


def test_not_an_xlsx_and_an_unknown_suffix(eval_ws: Factory, tmp_path: Path) -> None:
    _ws, factory = eval_ws
    fake = tmp_path / "fake.xlsx"
    fake.write_text("<html>not a workbook</html>", encoding="utf-8")
    with factory() as session, pytest.raises(ImportRejected) as caught:
        _import(session, fake)
    assert caught.value.problems[0].location.file == "fake.xlsx"
    assert caught.value.problems[0].code.startswith("ZG-INGEST-")  # the shared xlsx guard
    other = tmp_path / "sv.json"
    other.write_text("{}", encoding="utf-8")
    with factory() as session, pytest.raises(UnknownBenchmarkFile):
        _import(session, other)


def test_reimporting_an_edition_replaces_it_and_leaves_other_editions(
    eval_ws: Factory, tmp_path: Path
) -> None:
    _ws, factory = eval_ws
    older = [[2025, *r[1:]] for r in GOOD_ROWS]
    with factory() as session:
        _import(session, _csv(tmp_path / "a.csv", EN_HEADER, GOOD_ROWS + older))
        session.commit()
        assert _count(session) == 6
    replacement = [[2026, "C", "all", "quick_ratio", 1.5, 1.2, 1.0, 0.8, 0.5]]
    with factory() as session:
        result = _import(session, _csv(tmp_path / "b.csv", EN_HEADER, replacement))
        session.commit()
    assert result.replaced == 3 and result.rows == 1
    with factory() as session:
        assert [r.indicator_code for r in list_benchmarks(session=session, edition=2026)] == [
            "quick_ratio"
        ]
        assert len(list_benchmarks(session=session, edition=2025)) == 3
        assert [e.edition for e in list_editions(session=session)] == [2026, 2025]


def test_dry_run_writes_nothing(eval_ws: Factory, tmp_path: Path) -> None:
    _ws, factory = eval_ws
    with factory() as session:
        result = _import(session, _csv(tmp_path / "a.csv", EN_HEADER, GOOD_ROWS), dry_run=True)
        session.commit()
        assert result.rows == 3 and _count(session) == 0


def test_demo_standard_values_are_marked_fictitious_and_import_cleanly(
    eval_ws: Factory, tmp_path: Path
) -> None:
    ws, factory = eval_ws
    path = write_demo_standard_values(tmp_path / "demo.csv", edition=2026)
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("# 示例数据") and "FICTITIOUS" in text.splitlines()[0]
    with factory() as session:
        result = load_demo_standard_values(session=session, folder=tmp_path, inbox=ws.inbox)
        session.commit()
        assert (tmp_path / DEMO_STANDARD_VALUES_FILE).is_file()
        assert result.fictitious and result.rows > 400
        stored = list_benchmarks(session=session, edition=2026)
        assert all(r.fictitious for r in stored)
        scheme = load_scheme()
        assert {r.indicator_code for r in stored} >= set(scheme.classes["commercial_1"].weights)
        industries = {r.industry_code for r in stored}
        assert {"ALL", "D46", "G", "E", "K"} <= industries
