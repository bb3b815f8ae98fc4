"""The demo's bad submissions are deterministic, each wrong in the one way it says, and the
structural ones are caught by the guard/reader with the expected code."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from zhiguo.core import make_uscc
from zhiguo.datacenter.flashreport.items import items_for_year
from zhiguo.datacenter.flashreport.template import template_rows
from zhiguo.datacenter.ingest.xlsx_reader import read_flash_report_xlsx
from zhiguo.demo.bad_files import PASSWORD, write_bad_files

YEAR = 2025
USCC = make_uscc("9", "1", "440300", "MA5D0001")
OTHER = make_uscc("9", "1", "440300", "MA5D0009")
GOOD = {
    (code, cal): round(500 + 713.25 * i + j, 2) if item.unit_kind == "money" else float(100 + i)
    for i, (code, item) in enumerate(items_for_year(YEAR).items())
    for j, cal in enumerate(item.calibers)
}
STRUCTURAL = {
    "01_html_export_named_xlsx.xlsx": "ZG-INGEST-014",
    "02_truncated.xlsx": "ZG-INGEST-017",
    "03_password_protected.xlsx": "ZG-INGEST-015",
    "04_cell_count_bomb.xlsx": "ZG-INGEST-023",
    "05_shared_strings_bomb.xlsx": "ZG-INGEST-022",
    "06_empty_data_sheet.xlsx": "ZG-INGEST-025",
    "07_data_sheet_renamed.xlsx": "ZG-INGEST-024",
    "08_columns_moved_extra.xlsx": "ZG-INGEST-030",
    "09_merged_value_cells.xlsx": "ZG-INGEST-033",
    "10_formulas_without_results.xlsx": "ZG-INGEST-035",
    "16_duplicate_item_rows.xlsx": "ZG-INGEST-031",
}


def _write(folder: Path) -> list[tuple[Path, str]]:
    return write_bad_files(
        folder,
        good_values={**GOOD, ("no_such_item", "closing"): 1.0},  # ignored, not an error
        uscc=USCC,
        other_uscc=OTHER,
        period="2025-03",
        closed_period="2024-12",
        year=YEAR,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return {p.name: (p, what) for p, what in _write(tmp_path_factory.mktemp("bad"))}


def _facts(path: Path) -> tuple[list[dict[str, object]], list[str]]:
    table, problems = read_flash_report_xlsx(path, file_label=path.name)
    return table.to_pylist(), [p.code for p in problems if p.severity == "error"]


def test_twenty_files_each_described_in_both_languages(files: dict[str, tuple[Path, str]]) -> None:
    assert len(files) == 20
    assert sorted(files)[0].startswith("01_") and sorted(files)[-1].startswith("20_")
    for path, what in files.values():
        assert path.is_file() and path.stat().st_size > 0
        zh, _sep, en = what.partition(" / ")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), what
        assert en and not any("\u4e00" <= ch <= "\u9fff" for ch in en.split("(")[0]), what
    assert not list(next(iter(files.values()))[0].parent.glob(".*"))  # no temp files left


@pytest.mark.parametrize(("name", "code"), sorted(STRUCTURAL.items()))
def test_structural_files_are_caught(
    files: dict[str, tuple[Path, str]], name: str, code: str
) -> None:
    _table, problems = read_flash_report_xlsx(files[name][0], file_label=name)
    assert code in [p.code for p in problems], [p.code for p in problems]


def test_guard_rejections_produce_no_facts(files: dict[str, tuple[Path, str]]) -> None:
    for name in list(STRUCTURAL)[:6]:
        facts, errors = _facts(files[name][0])
        assert facts == [] and errors, name


@pytest.mark.parametrize(
    "name",
    [
        "11_numbers_as_text.xlsx",
        "12_placeholders_in_required.xlsx",
        "13_negative_not_allowed.xlsx",
        "14_nan_inf_error_values.xlsx",
        "15_yuan_declared_as_10k.xlsx",
        "17_entity_out_of_scope.xlsx",
        "18_closed_period.xlsx",
    ],
)
def test_content_files_are_structurally_sound(
    files: dict[str, tuple[Path, str]], name: str
) -> None:
    """Their flaw is for the validator: the reader must pass it through untouched."""
    errors = _facts(files[name][0])[1]
    assert errors == []


def test_the_planted_values_are_where_the_validator_will_look(
    files: dict[str, tuple[Path, str]],
) -> None:
    def values(name: str) -> dict[tuple[object, object], object]:
        facts, _ = _facts(files[name][0])
        return {(f["item_code"], f["caliber"]): f["value"] for f in facts}

    text = values("11_numbers_as_text.xlsx")
    assert any("," in str(v) for v in text.values())
    assert any("１" in str(v) or "５" in str(v) for v in text.values())
    placeholders = values("12_placeholders_in_required.xlsx")
    assert {"—", "N/A"} <= set(placeholders.values())
    assert len(placeholders) == len(GOOD) - 1  # the third required cell left blank
    negative = values("13_negative_not_allowed.xlsx")
    assert [k for k, v in negative.items() if str(v).startswith("-")] == [("cash", "closing")]
    assert {"NaN", "inf", "#DIV/0!"} <= set(values("14_nan_inf_error_values.xlsx").values())
    scaled = values("15_yuan_declared_as_10k.xlsx")
    assert (
        float(str(scaled[("total_assets", "closing")]))
        == GOOD[("total_assets", "closing")] * 10_000
    )
    assert float(str(scaled[("employees_end", "closing")])) == GOOD[("employees_end", "closing")]
    facts, _ = _facts(files["17_entity_out_of_scope.xlsx"][0])
    assert {f["uscc"] for f in facts} == {OTHER}
    facts, _ = _facts(files["18_closed_period.xlsx"][0])
    assert {f["period"] for f in facts} == {"2024-12"}
    facts, _ = _facts(files["09_merged_value_cells.xlsx"][0])
    rows = template_rows(YEAR)
    assert ("operating_revenue", "ytd") not in {(f["item_code"], f["caliber"]) for f in facts}
    assert rows["operating_revenue"] == rows["total_revenue"] + 1


def test_the_csvs_differ_only_in_encoding(files: dict[str, tuple[Path, str]]) -> None:
    gbk = files["19_long_format_gbk.csv"][0].read_bytes()
    utf8 = files["20_long_format_utf8_ok.csv"][0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gbk") == utf8.decode("utf-8")
    lines = utf8.decode().splitlines()
    assert lines[0] == "uscc,period,report_type,unit,item_code,caliber,scope,value"
    assert len(lines) == len(GOOD) + 1
    assert lines[1].startswith(f"{USCC},2025-03,单户,万元,total_assets,期末余额,合计,")


def test_the_encrypted_workbook_opens_with_the_demo_password(
    files: dict[str, tuple[Path, str]],
) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    with files["03_password_protected.xlsx"][0].open("rb") as fh:
        office = OOXMLFile(fh)
        office.load_key(password=PASSWORD)
        office.decrypt(plain)
    assert plain.getvalue().startswith(b"PK")


def test_deterministic(files: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    again = {p.name: p for p, _what in _write(tmp_path)}

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    for name, (path, _what) in files.items():
        if name == "03_password_protected.xlsx":  # random salts by design
            assert digest(path) != digest(again[name])
            continue
        assert digest(path) == digest(again[name]), name
