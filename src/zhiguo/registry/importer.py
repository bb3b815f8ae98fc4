"""Registry import and export: validate everything, then write all or nothing.

An import file states enterprises (upserted by USCC) and, for every child it lists in the
ownership table, that child's **complete** ownership history (its existing edges are
replaced). Validation runs over the registry as it would be after the import, so an unknown
parent, a cycle or a share total over 100 % is caught whether it comes from the file alone
or from the file together with what is already stored. Any error: nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, InvalidUSCC, Location, Problem
from zhiguo.core.uscc import validate_uscc

from .errors import problem
from .industries import IndustryCategory, category_for, normalise_industry_code
from .models import Enterprise, OwnershipEdge
from .schemas import (
    CLASS_ZH,
    STATUS_ZH,
    EnterpriseRecord,
    EnterpriseStatus,
    ImportReport,
    OwnershipRecord,
    RowOutcome,
    SupervisionClass,
)
from .service import refresh_levels, scope_filter
from .tables import Table, read_tables, write_tables

__all__ = ["export_registry", "import_registry"]

_TRUE = {"是", "true", "yes", "y", "1", "t", "控股"}
_FALSE = {"否", "false", "no", "n", "0", "f", "", "参股"}
_CATEGORY_ZH = {c.label_zh: c.value for c in IndustryCategory}
_FAR_FUTURE = date(9999, 12, 31)


class _Bad(ValueError):
    """A cell that cannot be parsed; carries the rule and message fields."""

    def __init__(self, rule: str, **fields: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.fields = fields


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _uscc(value: Any, column: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _Bad("uscc.numeric", value=value)
    if not _text(value):
        raise _Bad("value.required", column=column)
    try:
        return validate_uscc(value)
    except InvalidUSCC as exc:
        raise _Bad("uscc.invalid", detail=exc.message_zh, detail_en=exc.message_en) from exc


def _bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad("value.type", column=column, value=value, detail="应为 是/否 (yes/no)")


def _decimal(value: Any, column: str) -> Decimal | None:
    text = _text(value).rstrip("%")
    if not text:
        return None
    try:
        number = Decimal(str(round(float(text), 4))) if isinstance(value, float) else Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise _Bad("value.type", column=column, value=value, detail="应为数字 (a number)") from exc
    if not number.is_finite():
        raise _Bad("value.type", column=column, value=value, detail="应为数字 (a number)")
    return number.quantize(Decimal("0.0001"))


def _date(value: Any, column: str) -> date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _Bad("value.type", column=column, value=value, detail="应为日期 YYYY-MM-DD (a date)")


def _choice(value: Any, column: str, enum: Any, labels: dict[str, str]) -> Any:
    text = _text(value)
    if not text:
        return None
    reverse = {zh: key for key, zh in labels.items()}
    key = reverse.get(text, text.lower())
    try:
        return enum(key)
    except ValueError as exc:
        allowed = "、".join(labels.values())
        raise _Bad("value.type", column=column, value=value, detail=f"应为 {allowed}") from exc


def _parse_enterprise(values: dict[str, Any], table: Table) -> EnterpriseRecord:
    col = table.header.get
    uscc = _uscc(values.get("uscc"), col("uscc", "uscc"))
    name = _text(values.get("name_zh"))
    if not name:
        raise _Bad("value.required", column=col("name_zh", "name_zh"))
    code_raw = _text(values.get("industry_code"))
    code = normalise_industry_code(code_raw) if code_raw else ""
    if code is None:
        raise _Bad(
            "value.type",
            column=col("industry_code", "industry_code"),
            value=code_raw,
            detail="不是 GB/T 4754-2017 行业代码 (not a GB/T 4754 code)",
        )
    category_raw = _text(values.get("industry_category"))
    category = _CATEGORY_ZH.get(category_raw, category_raw.lower()) if category_raw else ""
    if category and category not in {c.value for c in IndustryCategory}:
        raise _Bad(
            "value.type",
            column=col("industry_category", "industry_category"),
            value=category_raw,
            detail="应为 工业、非工业、科研技术、金融",
        )
    region = _text(values.get("region_code"))
    if region and (len(region) != 6 or not region.isdigit()):
        raise _Bad(
            "value.type",
            column=col("region_code", "region_code"),
            value=region,
            detail="应为 6 位行政区划代码 (6-digit division code)",
        )
    share = _decimal(values.get("state_share_pct"), col("state_share_pct", "state_share_pct"))
    if share is not None and not Decimal(0) <= share <= Decimal(100):
        raise _Bad("ownership.share_range", value=share)
    level_text = _text(values.get("level"))
    if level_text and not level_text.isdigit():
        raise _Bad("value.type", column=col("level", "level"), value=level_text, detail="整数")
    status = _choice(values.get("status"), col("status", "status"), EnterpriseStatus, STATUS_ZH)
    klass = _choice(
        values.get("supervision_class"),
        col("supervision_class", "supervision_class"),
        SupervisionClass,
        CLASS_ZH,
    )
    return EnterpriseRecord(
        uscc=uscc,
        name_zh=name,
        name_en=_text(values.get("name_en")),
        short_name=_text(values.get("short_name")),
        industry_code=code,
        industry_category=category or (category_for(code).value if code else "non_industrial"),
        region_code=region,
        status=status or EnterpriseStatus.ACTIVE,
        is_listed=_bool(values.get("is_listed"), col("is_listed", "is_listed")),
        supervision_class=klass,
        state_share_pct=share,
        level=int(level_text) if level_text else None,
    )


def _parse_ownership(values: dict[str, Any], table: Table) -> OwnershipRecord:
    col = table.header.get
    child = _uscc(values.get("child_uscc"), col("child_uscc", "child_uscc"))
    parent = _uscc(values.get("parent_uscc"), col("parent_uscc", "parent_uscc"))
    if child == parent:
        raise _Bad("ownership.self")
    share = _decimal(values.get("share_pct"), col("share_pct", "share_pct"))
    if share is None:
        raise _Bad("value.required", column=col("share_pct", "share_pct"))
    if not Decimal(0) < share <= Decimal(100):
        raise _Bad("ownership.share_range", value=share)
    start = _date(values.get("valid_from"), col("valid_from", "valid_from"))
    if start is None:
        raise _Bad("value.required", column=col("valid_from", "valid_from"))
    end = _date(values.get("valid_to"), col("valid_to", "valid_to"))
    if end is not None and end <= start:
        raise _Bad("ownership.dates", valid_from=start, valid_to=end)
    controlling_raw = values.get("controlling")
    controlling = True if _text(controlling_raw) == "" else _bool(controlling_raw, "controlling")
    return OwnershipRecord(
        child_uscc=child,
        parent_uscc=parent,
        share_pct=share,
        controlling=controlling,
        valid_from=start,
        valid_to=end,
    )


_FIELD_OF_RULE = {
    "uscc.invalid": None,
    "uscc.numeric": None,
    "ownership.share_range": "share_pct",
    "ownership.dates": "valid_to",
}


@dataclass(frozen=True)
class _Edge:
    parent: str
    child: str
    share: Decimal
    controlling: bool
    start: date
    end: date | None
    row: int | None  # None: already in the registry
    loc: Location

    def overlaps(self, other: _Edge) -> bool:
        return self.start < (other.end or _FAR_FUTURE) and other.start < (self.end or _FAR_FUTURE)

    def valid_on(self, day: date) -> bool:
        return self.start <= day < (self.end or _FAR_FUTURE)


def _parse_tables(
    tables: list[Table], problems: list[Problem]
) -> tuple[list[tuple[EnterpriseRecord, Table, int]], list[tuple[OwnershipRecord, Table, int]]]:
    enterprises: list[tuple[EnterpriseRecord, Table, int]] = []
    ownership: list[tuple[OwnershipRecord, Table, int]] = []
    required = {"enterprise": ("uscc", "name_zh"), "ownership": ("child_uscc", "parent_uscc")}
    for table in tables:
        for text in table.unknown:
            problems.append(problem("column.unknown", table.loc(key=text), "warning", column=text))
        missing = [k for k in required[table.kind] if k not in table.header]
        for key in missing:
            problems.append(problem("column.missing", table.loc(key=key), column=key))
        if missing:
            continue
        for number, values in table.rows:
            try:
                if table.kind == "enterprise":
                    enterprises.append((_parse_enterprise(values, table), table, number))
                else:
                    ownership.append((_parse_ownership(values, table), table, number))
            except _Bad as bad:
                column_key = _guess_key(bad, table)
                problems.append(problem(bad.rule, table.loc(number, column_key), **bad.fields))
    return enterprises, ownership


def _guess_key(bad: _Bad, table: Table) -> str | None:
    column = bad.fields.get("column")
    if column:
        for key, text in table.header.items():
            if text == column:
                return key
        return str(column)
    if bad.rule in {"uscc.invalid", "uscc.numeric"}:
        return "uscc" if table.kind == "enterprise" else None
    return _FIELD_OF_RULE.get(bad.rule)


def _check_edges(
    edges: list[_Edge], touched: set[str], problems: list[Problem], names: dict[str, str]
) -> None:
    """Per child: no overlapping periods per pair, one controlling parent, shares ≤ 100 %."""
    by_child: dict[str, list[_Edge]] = defaultdict(list)
    for e in edges:
        by_child[e.child].append(e)
    for child in sorted(touched):
        mine = sorted(by_child.get(child, []), key=lambda e: (e.start, e.parent))
        label = names.get(child, child)
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                if not a.overlaps(b):
                    continue
                culprit = b if b.row is not None else a
                if a.parent == b.parent:
                    other = f"第 {a.row} 行" if a.row else f"已有记录 {a.start}"
                    problems.append(
                        problem(
                            "ownership.overlap",
                            culprit.loc,
                            parent=a.parent,
                            child=label,
                            other=other,
                        )
                    )
                elif a.controlling and b.controlling:
                    problems.append(
                        problem(
                            "ownership.two_controlling",
                            culprit.loc,
                            child=label,
                            day=max(a.start, b.start),
                            a=a.parent,
                            b=b.parent,
                        )
                    )
        for day in sorted({e.start for e in mine}):
            live = [e for e in mine if e.valid_on(day)]
            total = sum((e.share for e in live), Decimal(0))
            if total > 100:
                culprit = next((e for e in live if e.row is not None and e.start == day), live[-1])
                problems.append(
                    problem(
                        "ownership.share_over_100", culprit.loc, child=label, day=day, total=total
                    )
                )


def _check_cycles(
    edges: list[_Edge], problems: list[Problem], stored: set[tuple[Any, ...]]
) -> None:
    """A file edge p→c closes a cycle if c is an ancestor of p while the edge is in force.

    Walks *up* from p (ancestor chains are short) carrying the window in which every edge on
    the path is in force; an empty window prunes the walk. Edges that are new or changed
    relative to the registry are tried first, so a cycle is reported on the row that made it.
    """
    parents: dict[str, list[_Edge]] = defaultdict(list)
    for e in edges:
        parents[e.child].append(e)
    seen_cycles: set[frozenset[str]] = set()

    def is_new(e: _Edge) -> bool:
        return (e.parent, e.child, e.start, e.share, e.controlling, e.end) not in stored

    candidates = sorted((e for e in edges if e.row is not None), key=lambda e: not is_new(e))
    for edge in candidates:
        stack: list[tuple[str, date, date, list[str]]] = [
            (edge.parent, edge.start, edge.end or _FAR_FUTURE, [edge.child, edge.parent])
        ]
        while stack:
            node, lo, hi, path = stack.pop()
            if len(path) > 64:
                continue
            for up in parents.get(node, []):
                new_lo, new_hi = max(lo, up.start), min(hi, up.end or _FAR_FUTURE)
                if new_lo >= new_hi:
                    continue
                if up.parent == edge.child:
                    members = frozenset(path)
                    if members not in seen_cycles:
                        seen_cycles.add(members)
                        chain = " → ".join([*reversed(path), edge.child])
                        problems.append(problem("ownership.cycle", edge.loc, cycle=chain))
                    continue
                if up.parent not in path:
                    stack.append((up.parent, new_lo, new_hi, [*path, up.parent]))


def _level_warnings(
    enterprises: list[tuple[EnterpriseRecord, Table, int]],
    edges: list[_Edge],
    problems: list[Problem],
) -> None:
    today = date.today()
    parent_of = {e.child: e.parent for e in edges if e.controlling and e.valid_on(today)}
    for rec, table, number in enterprises:
        if rec.level is None:
            continue
        depth, node = 1, rec.uscc
        while node in parent_of and depth < 64:
            node, depth = parent_of[node], depth + 1
        if depth != rec.level:
            problems.append(
                problem(
                    "enterprise.level_mismatch",
                    table.loc(number, "level"),
                    "warning",
                    value=rec.level,
                    expected=depth,
                )
            )


def _enterprise_row(rec: EnterpriseRecord) -> dict[str, Any]:
    values = rec.model_dump(exclude={"level"})
    values["status"] = rec.status.value
    values["supervision_class"] = rec.supervision_class.value if rec.supervision_class else None
    return values


def import_registry(
    *, session: Session, path: Path, dry_run: bool = False, scope: Scope | None = None
) -> ImportReport:
    """Validate ``path`` against the registry and apply it in one transaction.

    Raises :class:`ImportRejected` (with the per-row report in ``details``) when any error is
    found; the registry is then untouched. ``dry_run`` validates and reports only.
    """
    del scope  # registry maintenance is a regulator function; the caller checks the role
    problems: list[Problem] = []
    name = path.name
    try:
        tables = read_tables(path)
    except (OSError, ValueError) as exc:
        problems.append(problem("file.unreadable", Location(file=name), detail=str(exc)))
        tables = []
    if not tables and not problems:
        problems.append(problem("file.no_sheet", Location(file=name)))
    parsed_e, parsed_o = _parse_tables(tables, problems)

    existing = {e.uscc: e for e in session.scalars(select(Enterprise))}
    uscc_of = {e.id: e.uscc for e in existing.values()}
    first_row: dict[str, int] = {}
    unique_e: list[tuple[EnterpriseRecord, Table, int]] = []
    for rec, table, number in parsed_e:
        if rec.uscc in first_row:
            problems.append(
                problem(
                    "enterprise.duplicate",
                    table.loc(number, "uscc"),
                    uscc=rec.uscc,
                    first_row=first_row[rec.uscc],
                )
            )
            continue
        first_row[rec.uscc] = number
        unique_e.append((rec, table, number))
    known = set(existing) | set(first_row)
    names = {u: e.name_zh for u, e in existing.items()} | {
        r.uscc: r.name_zh for r, _t, _n in unique_e
    }

    file_edges: list[_Edge] = []
    edge_rows: dict[tuple[str, str, date], int] = {}
    for rec_o, table, number in parsed_o:
        if rec_o.parent_uscc not in known:
            problems.append(
                problem(
                    "ownership.unknown_parent",
                    table.loc(number, "parent_uscc"),
                    uscc=rec_o.parent_uscc,
                )
            )
            continue
        if rec_o.child_uscc not in known:
            problems.append(
                problem(
                    "ownership.unknown_child",
                    table.loc(number, "child_uscc"),
                    uscc=rec_o.child_uscc,
                )
            )
            continue
        key = (rec_o.parent_uscc, rec_o.child_uscc, rec_o.valid_from)
        if key in edge_rows:
            problems.append(
                problem("ownership.duplicate", table.loc(number), first_row=edge_rows[key])
            )
            continue
        edge_rows[key] = number
        file_edges.append(
            _Edge(
                rec_o.parent_uscc,
                rec_o.child_uscc,
                rec_o.share_pct,
                rec_o.controlling,
                rec_o.valid_from,
                rec_o.valid_to,
                number,
                table.loc(number),
            )
        )
    touched = {rec_o.child_uscc for rec_o, _t, _n in parsed_o}
    kept: list[_Edge] = []
    stored_edges = list(session.scalars(select(OwnershipEdge)))
    for row in stored_edges:
        child = uscc_of[row.child_id]
        if child in touched:
            continue
        kept.append(
            _Edge(
                uscc_of[row.parent_id],
                child,
                Decimal(row.share_pct),
                row.controlling,
                row.valid_from,
                row.valid_to,
                None,
                Location(),
            )
        )
    merged = kept + file_edges
    stored_facts = {
        (uscc_of[r.parent_id], uscc_of[r.child_id], r.valid_from, Decimal(r.share_pct),
         r.controlling, r.valid_to)
        for r in stored_edges
    }  # fmt: skip
    _check_edges(merged, {e.child for e in file_edges}, problems, names)
    _check_cycles(merged, problems, stored_facts)
    _level_warnings(unique_e, merged, problems)

    report = ImportReport(file=name, committed=False, dry_run=dry_run)
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for p in problems:
        if p.location.row is not None:
            key_row = (p.location.sheet or p.location.file or "", p.location.row)
            by_row[key_row].append(f"[{p.code}] {p.message_zh} / {p.message_en}")
    report.problems = [p.as_dict() for p in problems]
    errors = [p for p in problems if p.severity == "error"]

    # Per-row outcomes (what happens — or would have happened).
    for rec, table, number in unique_e:
        old = existing.get(rec.uscc)
        action = "created"
        if old is not None:
            row_now = _enterprise_row(rec)
            same = all(_same(getattr(old, k), v) for k, v in row_now.items())
            action = "unchanged" if same else "updated"
        report.rows.append(
            RowOutcome(
                sheet=table.sheet or table.file,
                row=number,
                key=rec.uscc,
                action=action,
                messages=by_row.get((table.sheet or table.file, number), []),
            )
        )
    stored_keys = {
        (uscc_of[r.parent_id], uscc_of[r.child_id], r.valid_from): r
        for r in stored_edges
        if uscc_of[r.child_id] in touched
    }
    for rec_o, table, number in parsed_o:
        key = (rec_o.parent_uscc, rec_o.child_uscc, rec_o.valid_from)
        old_edge = stored_keys.get(key)
        if old_edge is None:
            action = "created"
        elif (
            Decimal(old_edge.share_pct) == rec_o.share_pct
            and old_edge.controlling == rec_o.controlling
            and old_edge.valid_to == rec_o.valid_to
        ):
            action = "unchanged"
        else:
            action = "updated"
        report.rows.append(
            RowOutcome(
                sheet=table.sheet or table.file,
                row=number,
                key=f"{rec_o.parent_uscc}→{rec_o.child_uscc}@{rec_o.valid_from}",
                action=action,
                messages=by_row.get((table.sheet or table.file, number), []),
            )
        )
    file_keys = set(edge_rows)
    for key, _old in stored_keys.items():
        if key not in file_keys:
            report.rows.append(
                RowOutcome(sheet="", row=0, key=f"{key[0]}→{key[1]}@{key[2]}", action="removed")
            )
    # Row-level problems not attached to a parsed row (unparseable rows) become 'rejected'.
    reported = {(r.sheet, r.row) for r in report.rows}
    for (sheet, number), messages in sorted(by_row.items()):
        if (sheet, number) not in reported:
            report.rows.append(
                RowOutcome(sheet=sheet, row=number, key="", action="rejected", messages=messages)
            )
    error_rows = {
        (p.location.sheet or p.location.file or "", p.location.row)
        for p in errors
        if p.location.row is not None
    }
    for outcome in report.rows:
        if (outcome.sheet, outcome.row) in error_rows:
            outcome.action = "rejected"

    if errors:
        rejected = ImportRejected(problems, file=name)
        rejected.details["report"] = report.model_dump(mode="json")
        raise rejected
    if dry_run:
        return report
    _apply(session, unique_e, file_edges, existing, stored_keys)
    report.committed = True
    return report


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return bool(old == new)


def _apply(
    session: Session,
    enterprises: list[tuple[EnterpriseRecord, Table, int]],
    edges: list[_Edge],
    existing: dict[str, Enterprise],
    stored_keys: dict[tuple[str, str, date], OwnershipEdge],
) -> None:
    new_rows = []
    for rec, _t, _n in enterprises:
        values = _enterprise_row(rec)
        old = existing.get(rec.uscc)
        if old is None:
            new_rows.append({**values, "level": rec.level or 1})
        elif not all(_same(getattr(old, k), v) for k, v in values.items()):
            session.execute(update(Enterprise).where(Enterprise.id == old.id).values(**values))
    if new_rows:
        session.execute(insert(Enterprise), new_rows)
    ids = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    wanted = {(e.parent, e.child, e.start): e for e in edges}
    for key, old_edge in stored_keys.items():
        if key not in wanted:
            session.execute(delete(OwnershipEdge).where(OwnershipEdge.id == old_edge.id))
    inserts: list[dict[str, Any]] = []
    for key, edge in wanted.items():
        current = stored_keys.get(key)
        values = {
            "share_pct": edge.share,
            "controlling": edge.controlling,
            "valid_to": edge.end,
        }
        if current is None:
            inserts.append(
                {
                    **values,
                    "parent_id": ids[edge.parent],
                    "child_id": ids[edge.child],
                    "valid_from": edge.start,
                }
            )
        elif (
            Decimal(current.share_pct) != edge.share
            or current.controlling != edge.controlling
            or current.valid_to != edge.end
        ):
            session.execute(
                update(OwnershipEdge).where(OwnershipEdge.id == current.id).values(**values)
            )
    if inserts:
        session.execute(insert(OwnershipEdge), inserts)
    session.flush()
    refresh_levels(session=session)


def _fmt_decimal(value: Decimal | None) -> str | float | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def export_registry(*, session: Session, scope: Scope, path: Path) -> list[Path]:
    """Write the registry (as the caller may see it) in the import format."""
    enterprises = list(
        session.scalars(
            scope_filter(select(Enterprise), scope).order_by(Enterprise.level, Enterprise.uscc)
        )
    )
    visible = {e.id: e.uscc for e in enterprises}
    ent_rows: list[list[Any]] = [
        [
            e.uscc,
            e.name_zh,
            e.name_en,
            e.short_name,
            e.industry_code,
            IndustryCategory(e.industry_category).label_zh if e.industry_category else "",
            e.region_code,
            STATUS_ZH.get(e.status, e.status),
            "是" if e.is_listed else "否",
            CLASS_ZH.get(e.supervision_class, "") if e.supervision_class else "",
            _fmt_decimal(e.state_share_pct),
            e.level,
        ]
        for e in enterprises
    ]
    edges = session.scalars(select(OwnershipEdge)).all()
    own_rows: list[list[Any]] = sorted(
        (
            [
                visible[r.child_id],
                visible[r.parent_id],
                _fmt_decimal(r.share_pct),
                "是" if r.controlling else "否",
                r.valid_from.isoformat(),
                r.valid_to.isoformat() if r.valid_to else None,
            ]
            for r in edges
            if r.child_id in visible and r.parent_id in visible
        ),
        key=lambda row: (row[0], row[4], row[1]),
    )
    return write_tables(path, ent_rows, own_rows)
