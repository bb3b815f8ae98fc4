"""Registry import/export: round trips, and every bad input rejected by row with nothing
written (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected
from zhiguo.registry import (
    Enterprise,
    EnterpriseRecord,
    OwnershipEdge,
    OwnershipRecord,
    export_registry,
    import_registry,
)
from zhiguo.testing import (
    SAMPLE,
    sample_records,
    test_uscc,
    write_registry_csv,
    write_registry_xlsx,
)


def _snapshot(session: Session) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    ents = [
        (e.uscc, e.name_zh, e.name_en, e.industry_code, e.industry_category, e.status, e.level,
         e.is_listed, e.supervision_class, e.state_share_pct)
        for e in session.scalars(select(Enterprise).order_by(Enterprise.uscc))
    ]  # fmt: skip
    edges = [
        (r.parent_id, r.child_id, r.share_pct, r.controlling, r.valid_from, r.valid_to)
        for r in session.scalars(select(OwnershipEdge).order_by(OwnershipEdge.id))
    ]
    return ents, edges


@pytest.fixture
def loaded(session: Session, tmp_path: Path) -> Session:
    ents, owns = sample_records()
    path = write_registry_xlsx(tmp_path / "seed.xlsx", ents, owns)
    report = import_registry(session=session, path=path)
    session.commit()
    assert report.committed and report.count("created") == len(ents) + len(owns)
    return session


def test_import_builds_the_tree(loaded: Session) -> None:
    levels = dict(loaded.execute(select(Enterprise.short_name, Enterprise.level)).all())
    assert levels["A11"] == 3 and levels["G2"] == 1
    assert loaded.scalar(select(Enterprise.state_share_pct).where(Enterprise.uscc == SAMPLE["G2"]))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_changes_nothing(loaded: Session, tmp_path: Path, suffix: str) -> None:
    before = _snapshot(loaded)
    target = tmp_path / f"out{suffix}"
    written = export_registry(session=loaded, scope=Scope.everything(), path=target)
    assert written[0] == target
    report = import_registry(session=loaded, path=target)
    loaded.commit()
    assert report.committed
    assert {r.action for r in report.rows} == {"unchanged"}
    assert _snapshot(loaded) == before


def test_csv_in_gb18030_is_read(session: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    path = write_registry_csv(tmp_path / "gbk.csv", ents, owns, encoding="gb18030")
    report = import_registry(session=session, path=path)
    assert report.committed
    names = set(session.scalars(select(Enterprise.name_zh)))
    assert "示例测试一集团有限公司" in names


def test_reimport_with_a_change_updates_only_that_row(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    ents[1] = ents[1].model_copy(update={"name_en": "Demo Test A1 renamed"})
    owns[1] = owns[1].model_copy(update={"share_pct": Decimal("55.5")})
    report = import_registry(
        session=loaded, path=write_registry_xlsx(tmp_path / "c.xlsx", ents, owns)
    )
    loaded.commit()
    changed = [(r.key, r.action) for r in report.rows if r.action != "unchanged"]
    assert changed == [
        (SAMPLE["A1"], "updated"),
        (f"{SAMPLE['A1']}→{SAMPLE['A11']}@2012-06-01", "updated"),
    ]
    share = loaded.scalar(
        select(OwnershipEdge.share_pct).join(Enterprise, Enterprise.id == OwnershipEdge.child_id)
        .where(Enterprise.uscc == SAMPLE["A11"])
    )  # fmt: skip
    assert share == Decimal("55.5")


def test_holdings_left_out_are_kept_and_end_with_an_end_date(
    loaded: Session, tmp_path: Path
) -> None:
    ents, owns = sample_records()
    minority = next(o for o in owns if not o.controlling)
    without = [o for o in owns if o is not minority]
    report = import_registry(
        session=loaded, path=write_registry_xlsx(tmp_path / "k.xlsx", ents, without)
    )
    assert report.count("removed") == 0
    assert loaded.scalar(select(OwnershipEdge).where(OwnershipEdge.controlling.is_(False)))
    ended = [
        o.model_copy(update={"valid_to": date(2025, 1, 1)}) if o is minority else o for o in owns
    ]
    report = import_registry(
        session=loaded, path=write_registry_xlsx(tmp_path / "e.xlsx", ents, ended)
    )
    loaded.commit()
    assert [r.action for r in report.rows if r.action != "unchanged"] == ["updated"]
    end = loaded.scalar(select(OwnershipEdge.valid_to).where(OwnershipEdge.controlling.is_(False)))
    assert end == date(2025, 1, 1)


def test_a_corrected_start_date_replaces_the_holdings_periods(
    loaded: Session, tmp_path: Path
) -> None:
    ents, owns = sample_records()
    owns[1] = owns[1].model_copy(update={"valid_from": date(2012, 7, 1)})
    report = import_registry(
        session=loaded, path=write_registry_xlsx(tmp_path / "s.xlsx", ents, owns)
    )
    loaded.commit()
    changed = sorted(r.action for r in report.rows if r.action != "unchanged")
    assert changed == ["created", "removed"]
    starts = loaded.scalars(select(OwnershipEdge.valid_from).where(OwnershipEdge.share_pct == 51))
    assert list(starts) == [date(2012, 7, 1)]


def _reject(session: Session, path: Path) -> ImportRejected:
    before = _snapshot(session)
    with pytest.raises(ImportRejected) as info:
        import_registry(session=session, path=path)
    session.rollback()
    assert _snapshot(session) == before, "a rejected import must write nothing"
    return info.value


def _errors(exc: ImportRejected) -> list[dict[str, Any]]:
    return [p for p in exc.details["problems"] if p["severity"] == "error"]


def _bad_file(tmp_path: Path, ents: list[EnterpriseRecord], owns: list[OwnershipRecord]) -> Path:
    return write_registry_xlsx(tmp_path / "bad.xlsx", ents, owns)


def test_wrong_check_character_names_row_and_column(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    path = _bad_file(tmp_path, ents, owns)
    wb = load_workbook(path)
    ws = wb["企业"]
    good = str(ws["A4"].value)
    ws["A4"] = good[:17] + ("0" if good[17] != "0" else "1")
    wb.save(path)
    exc = _reject(loaded, path)
    [err] = _errors(exc)
    assert err["code"] == "ZG-REG-012" and err["rule"] == "uscc.invalid"
    assert err["location"] == {
        "file": "bad.xlsx",
        "sheet": "企业",
        "row": 4,
        "column": "统一社会信用代码",
        "field": "uscc",
    }
    assert "校验位" in err["message_zh"] and "check character" in err["message_en"]


def test_uscc_typed_as_a_number_is_explained(session: Session, tmp_path: Path) -> None:
    ents, _owns = sample_records()
    path = _bad_file(tmp_path, ents[:1], [])
    wb = load_workbook(path)
    wb["企业"]["A2"] = 914403001234567890
    wb.save(path)
    [err] = _errors(_reject(session, path))
    assert err["rule"] == "uscc.numeric" and "文本" in err["message_zh"]


def test_unknown_parent(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    stranger = test_uscc(999)
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["B11"], parent_uscc=stranger, share_pct=Decimal(1),
                        controlling=False, valid_from=date(2020, 1, 1))
    )  # fmt: skip
    [err] = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    assert err["rule"] == "ownership.unknown_parent" and stranger in err["message_zh"]
    assert err["location"]["sheet"] == "股权" and err["location"]["row"] == len(owns) + 1


def test_ownership_cycle(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["G1"], parent_uscc=SAMPLE["A11"], share_pct=Decimal(5),
                        controlling=False, valid_from=date(2021, 1, 1))
    )  # fmt: skip
    errs = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    assert [e["rule"] for e in errs] == ["ownership.cycle"]
    assert errs[0]["location"]["row"] == len(owns) + 1
    for key in ("G1", "A1", "A11"):
        assert SAMPLE[key] in errs[0]["message_en"]


def test_cycle_only_in_time_is_no_cycle(loaded: Session, tmp_path: Path) -> None:
    """A2 held G2 before 2015 — while G2 never held A2 at the same time: allowed."""
    ents, owns = sample_records()
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["G2"], parent_uscc=SAMPLE["A2"], share_pct=Decimal(5),
                        controlling=False, valid_from=date(2012, 1, 1), valid_to=date(2015, 1, 1))
    )  # fmt: skip
    report = import_registry(session=loaded, path=_bad_file(tmp_path, ents, owns))
    assert report.committed


def test_shares_over_100_percent(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["A11"], parent_uscc=SAMPLE["G2"], share_pct=Decimal(50),
                        controlling=False, valid_from=date(2022, 1, 1))
    )  # fmt: skip
    [err] = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    assert err["rule"] == "ownership.share_over_100" and "101" in err["message_en"]
    assert err["location"]["row"] == len(owns) + 1


def test_duplicate_codes(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    ents.append(ents[2].model_copy(update={"name_zh": "示例重复公司"}))
    [err] = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    assert err["rule"] == "enterprise.duplicate"
    assert err["location"]["row"] == len(ents) + 1 and "第 4 行" in err["message_zh"]


def test_overlapping_periods_for_the_same_pair(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["A12"], parent_uscc=SAMPLE["A1"], share_pct=Decimal(100),
                        valid_from=date(2018, 1, 1))
    )  # fmt: skip
    errs = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    rules = {e["rule"] for e in errs}
    assert "ownership.overlap" in rules
    assert all(e["location"]["row"] == len(owns) + 1 for e in errs)


def test_two_controlling_parents_at_once(loaded: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["B1"], parent_uscc=SAMPLE["G1"], share_pct=Decimal(10),
                        controlling=True, valid_from=date(2019, 1, 1))
    )  # fmt: skip
    [err] = _errors(_reject(loaded, _bad_file(tmp_path, ents, owns)))
    assert err["rule"] == "ownership.two_controlling" and "2019-01-01" in err["message_en"]


def test_every_problem_is_reported_at_once(session: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    ents.append(ents[0].model_copy())
    owns.append(
        OwnershipRecord(child_uscc=SAMPLE["A1"], parent_uscc=test_uscc(4242), share_pct=Decimal(1),
                        controlling=False, valid_from=date(2020, 1, 1))
    )  # fmt: skip
    path = _bad_file(tmp_path, ents, owns)
    wb = load_workbook(path)
    wb["股权"]["C2"] = "一百"
    wb["股权"]["F3"] = "1999-01-01"
    wb.save(path)
    exc = _reject(session, path)
    rules = sorted(e["rule"] for e in _errors(exc))
    assert rules == sorted(
        ["enterprise.duplicate", "ownership.unknown_parent", "value.type", "ownership.dates"]
    )
    report = exc.details["report"]
    assert report["committed"] is False
    rejected = {(r["sheet"], r["row"]) for r in report["rows"] if r["action"] == "rejected"}
    assert ("股权", 2) in rejected and ("股权", 3) in rejected
    assert "未写入" in exc.message_zh and "nothing was written" in exc.message_en


def test_missing_required_column(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text("企业名称,英文名称\n示例甲公司,Demo A\n", encoding="utf-8")
    [err] = _errors(_reject(session, path))
    assert err["rule"] == "column.missing" and "uscc" in err["message_en"]


def test_file_without_registry_tables(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    [err] = _errors(_reject(session, path))
    assert err["rule"] == "file.no_sheet"


def test_dry_run_validates_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    ents, owns = sample_records()
    report = import_registry(
        session=session, path=write_registry_xlsx(tmp_path / "d.xlsx", ents, owns), dry_run=True
    )
    assert report.dry_run and not report.committed and report.count("created") == 16
    assert session.scalar(select(Enterprise.id)) is None


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04garbage", b"not a workbook at all"])
def test_unreadable_workbooks_are_a_clear_error(
    session: Session, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    [err] = _errors(_reject(session, path))
    assert err["rule"] == "file.unreadable" and err["location"]["file"] == "broken.xlsx"
    assert str(tmp_path) not in err["message_en"]  # no server paths in messages


def _csv(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "e.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("国有股权比例(%)", "1e30", "at most 100"),
        ("国有股权比例(%)", "NaN", "number"),
        ("级次", "²", "expected 1"),
        ("级次", "99999999999999999999", "expected 1"),
        ("企业名称", "示" * 201, "longer than 200"),
        ("英文名称", "a\x00b", "control characters"),
        ("行政区划代码", "44030", "6-digit"),
        ("行业代码", "Z9999", "GB/T 4754"),
        ("状态", "倒闭", "expected one of"),
    ],
)
def test_bad_cells_are_located_and_explained_in_both_languages(
    session: Session, tmp_path: Path, column: str, value: str, fragment: str
) -> None:
    header = (
        f"统一社会信用代码,企业名称,{column}"
        if column != "企业名称"
        else "统一社会信用代码,企业名称"
    )
    cells = (
        f"{SAMPLE['G1']},示例甲公司,{value}" if column != "企业名称" else f"{SAMPLE['G1']},{value}"
    )
    [err] = _errors(_reject(session, _csv(tmp_path, header, cells)))
    assert err["location"]["row"] == 2 and err["location"]["column"] == column
    assert fragment in err["message_en"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in err["message_en"].split("value")[0])


def test_header_only_file_is_rejected(session: Session, tmp_path: Path) -> None:
    [err] = _errors(_reject(session, _csv(tmp_path, "统一社会信用代码,企业名称")))
    assert err["rule"] == "file.no_rows"


def test_a_file_with_fewer_columns_does_not_blank_the_others(
    loaded: Session, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "uscc,name_zh", f"{SAMPLE['G2']},示例测试二集团（更名）有限公司")
    report = import_registry(session=loaded, path=path)
    loaded.commit()
    assert [r.action for r in report.rows] == ["updated"]
    g2 = loaded.scalars(select(Enterprise).where(Enterprise.uscc == SAMPLE["G2"])).one()
    assert g2.name_zh == "示例测试二集团（更名）有限公司"
    assert (g2.industry_code, g2.supervision_class, g2.state_share_pct) == (
        "G5412", "commercial_2", Decimal("90"),
    )  # fmt: skip
