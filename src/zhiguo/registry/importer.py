"""Registry import and export: validate everything, then write all or nothing.

An import file states enterprises (upserted by USCC; only the columns the file has are
updated) and, for every holding it lists — a (shareholder, enterprise) pair — that holding's
**complete** history: the pair's stored periods are replaced by the file's. Holdings the file
does not mention are kept, so a scoped export imported again changes nothing; a holding ends
with an end date, not by leaving it out. Validation runs over the registry as it would be
after the import, so an unknown parent, a cycle or a share total over 100 % is caught whether
it comes from the file alone or from the file together with what is already stored. Any
error: nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, Location, Problem

from .checks import Edge, check_cycles, check_edges, level_warnings
from .errors import problem
from .industries import IndustryCategory
from .models import Enterprise, OwnershipEdge
from .parsing import ParsedEnterprise, ParsedOwnership, parse_tables
from .schemas import CLASS_ZH, STATUS_ZH, EnterpriseRecord, ImportReport, RowOutcome
from .service import refresh_levels, scope_filter
from .tables import Table, UnreadableFile, read_tables, write_tables

__all__ = ["export_registry", "import_registry"]


def _enterprise_row(rec: EnterpriseRecord, table: Table | None = None) -> dict[str, object]:
    """Column values to store; with ``table``, only the columns that file has (a file with
    just codes and names must not blank the rest)."""
    values = rec.column_values()
    if table is None:
        return values
    present = set(table.header)
    if "industry_code" in present:
        present.add("industry_category")  # derived from the code when not given
    return {k: v for k, v in values.items() if k in present}


def _unique_enterprises(
    parsed: list[ParsedEnterprise], problems: list[Problem]
) -> list[ParsedEnterprise]:
    """The first row of each USCC; later rows with the same code are errors naming it."""
    first_row: dict[str, int] = {}
    unique: list[ParsedEnterprise] = []
    for rec, table, number in parsed:
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
        unique.append((rec, table, number))
    return unique


def _file_edges(
    parsed: list[ParsedOwnership], known: set[str], problems: list[Problem]
) -> list[Edge]:
    """Ownership rows whose parent and child exist (in the registry or the file), once each."""
    edges: list[Edge] = []
    seen: dict[tuple[str, str, date], int] = {}
    for rec, table, number in parsed:
        if rec.parent_uscc not in known:
            loc = table.loc(number, "parent_uscc")
            problems.append(problem("ownership.unknown_parent", loc, uscc=rec.parent_uscc))
            continue
        if rec.child_uscc not in known:
            loc = table.loc(number, "child_uscc")
            problems.append(problem("ownership.unknown_child", loc, uscc=rec.child_uscc))
            continue
        key = (rec.parent_uscc, rec.child_uscc, rec.valid_from)
        if key in seen:
            problems.append(problem("ownership.duplicate", table.loc(number), first_row=seen[key]))
            continue
        seen[key] = number
        edges.append(Edge.from_record(rec, number, table.loc(number)))
    return edges


def _row_key(location: Location) -> tuple[str, int | None]:
    return (location.sheet or location.file or "", location.row)


def _outcomes(
    unique_e: list[ParsedEnterprise],
    parsed_o: list[ParsedOwnership],
    existing: dict[str, Enterprise],
    stored: dict[tuple[str, str, date], OwnershipEdge],
    problems: list[Problem],
) -> list[RowOutcome]:
    """What happens — or would have happened — to every row, with its messages."""
    messages: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for p in problems:
        if p.location.row is not None:
            messages[_row_key(p.location)].append(f"[{p.code}] {p.message_zh} / {p.message_en}")
    error_rows = {_row_key(p.location) for p in problems if p.severity == "error"}
    rows: list[RowOutcome] = []

    def add(table: Table, number: int, key: str, action: str) -> None:
        where = (table.sheet or table.file, number)
        if where in error_rows:
            action = "rejected"
        rows.append(RowOutcome(sheet=where[0], row=number, key=key, action=action,
                               messages=messages.get(where, [])))  # fmt: skip

    for rec, table, number in unique_e:
        old = existing.get(rec.uscc)
        if old is None:
            add(table, number, rec.uscc, "created")
        else:
            row = _enterprise_row(rec, table)
            same = all(_same(getattr(old, k), v) for k, v in row.items())
            add(table, number, rec.uscc, "unchanged" if same else "updated")
    file_keys = set()
    for rec_o, table, number in parsed_o:
        key = (rec_o.parent_uscc, rec_o.child_uscc, rec_o.valid_from)
        file_keys.add(key)
        old_edge = stored.get(key)
        label = f"{key[0]}→{key[1]}@{key[2]}"
        if old_edge is None:
            add(table, number, label, "created")
        else:
            same = Edge.from_model(old_edge, key[0], key[1]).same_terms(rec_o)
            add(table, number, label, "unchanged" if same else "updated")
    for key in sorted(stored.keys() - file_keys):
        label = f"{key[0]}→{key[1]}@{key[2]}"
        rows.append(RowOutcome(sheet="", row=0, key=label, action="removed"))
    # Problems on rows that could not be parsed at all.
    reported = {(r.sheet, r.row) for r in rows}
    unparsed = sorted(
        (k for k in messages if k[1] is not None and k not in reported),
        key=lambda k: (k[0], k[1] or 0),
    )
    for sheet, line in unparsed:
        texts = messages[(sheet, line)]
        rows.append(
            RowOutcome(sheet=sheet, row=line or 0, key="", action="rejected", messages=texts)
        )
    return rows


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
    tables: list[Table] = []
    try:
        tables = read_tables(path)
    except (UnreadableFile, OSError, UnicodeError) as exc:
        reason = str(exc) if isinstance(exc, UnreadableFile) else type(exc).__name__
        problems.append(problem("file.unreadable", Location(file=name), detail=reason))
    if not tables and not problems:
        problems.append(problem("file.no_sheet", Location(file=name)))
    parsed_e, parsed_o = parse_tables(tables, problems)

    existing = {e.uscc: e for e in session.scalars(select(Enterprise))}
    uscc_of = {e.id: e.uscc for e in existing.values()}
    unique_e = _unique_enterprises(parsed_e, problems)
    names = {u: e.name_zh for u, e in existing.items()}
    names.update({r.uscc: r.name_zh for r, _t, _n in unique_e})
    file_edges = _file_edges(parsed_o, set(existing) | set(names), problems)

    # The ownership graph after the import: stored edges of children the file does not
    # list, plus the file's edges.
    touched = {(rec.parent_uscc, rec.child_uscc) for rec, _t, _n in parsed_o}
    stored = {
        (uscc_of[r.parent_id], uscc_of[r.child_id], r.valid_from): r
        for r in session.scalars(select(OwnershipEdge))
    }
    kept = [Edge.from_model(r, p, c) for (p, c, _d), r in stored.items() if (p, c) not in touched]
    merged = kept + file_edges
    unchanged = {Edge.from_model(r, p, c).terms() for (p, c, _d), r in stored.items()}
    check_edges(merged, {e.child for e in file_edges}, problems, names)
    check_cycles(merged, problems, unchanged)
    level_warnings(unique_e, merged, problems)

    replaced = {k: r for k, r in stored.items() if k[:2] in touched}
    report = ImportReport(
        file=name,
        committed=False,
        dry_run=dry_run,
        rows=_outcomes(unique_e, parsed_o, existing, replaced, problems),
        problems=[p.as_dict() for p in problems],
    )
    if any(p.severity == "error" for p in problems):
        rejected = ImportRejected(problems, file=name)
        rejected.details["report"] = report.model_dump(mode="json")
        raise rejected
    if dry_run:
        return report
    _apply(session, unique_e, file_edges, existing, replaced)
    report.committed = True
    return report


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return bool(old == new)


def _apply(
    session: Session,
    enterprises: list[ParsedEnterprise],
    edges: list[Edge],
    existing: dict[str, Enterprise],
    stored_keys: dict[tuple[str, str, date], OwnershipEdge],
) -> None:
    new_rows = []
    for rec, table, _n in enterprises:
        old = existing.get(rec.uscc)
        values = _enterprise_row(rec, None if old is None else table)
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
