"""Checks across rows: the ownership graph as it would be after an import.

Per child: no overlapping periods for one parent, one controlling parent at a time, shares
at most 100 % at every date; and no cycle at any date. Each finding names the row that
caused it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from zhiguo.core.errors import Location, Problem

from .errors import problem
from .models import OwnershipEdge
from .parsing import ParsedEnterprise
from .schemas import OwnershipRecord

__all__ = ["FAR_FUTURE", "Edge", "check_cycles", "check_edges", "level_warnings"]

FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    share: Decimal
    controlling: bool
    start: date
    end: date | None
    row: int | None  # None: already in the registry
    loc: Location

    @classmethod
    def from_record(cls, rec: OwnershipRecord, row: int, loc: Location) -> Edge:
        return cls(rec.parent_uscc, rec.child_uscc, rec.share_pct, rec.controlling,
                   rec.valid_from, rec.valid_to, row, loc)  # fmt: skip

    @classmethod
    def from_model(cls, edge: OwnershipEdge, parent: str, child: str) -> Edge:
        """A stored edge (no file row)."""
        return cls(parent, child, Decimal(edge.share_pct), edge.controlling,
                   edge.valid_from, edge.valid_to, None, Location())  # fmt: skip

    def terms(self) -> tuple[Any, ...]:
        return (self.parent, self.child, self.start, self.share, self.controlling, self.end)

    def same_terms(self, rec: OwnershipRecord) -> bool:
        return (self.share, self.controlling, self.end) == (
            rec.share_pct,
            rec.controlling,
            rec.valid_to,
        )

    def overlaps(self, other: Edge) -> bool:
        return self.start < (other.end or FAR_FUTURE) and other.start < (self.end or FAR_FUTURE)

    def valid_on(self, day: date) -> bool:
        return self.start <= day < (self.end or FAR_FUTURE)


def check_edges(
    edges: list[Edge], touched: set[str], problems: list[Problem], names: dict[str, str]
) -> None:
    """Per child: no overlapping periods per pair, one controlling parent, shares ≤ 100 %."""
    by_child: dict[str, list[Edge]] = defaultdict(list)
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


def check_cycles(edges: list[Edge], problems: list[Problem], stored: set[tuple[Any, ...]]) -> None:
    """A file edge p→c closes a cycle if c is an ancestor of p while the edge is in force.

    Walks *up* from p (ancestor chains are short) carrying the window in which every edge on
    the path is in force; an empty window prunes the walk. Edges that are new or changed
    relative to the registry are tried first, so a cycle is reported on the row that made it.
    """
    parents: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        parents[e.child].append(e)
    seen_cycles: set[frozenset[str]] = set()

    candidates = sorted((e for e in edges if e.row is not None), key=lambda e: e.terms() in stored)
    for edge in candidates:
        stack: list[tuple[str, date, date, list[str]]] = [
            (edge.parent, edge.start, edge.end or FAR_FUTURE, [edge.child, edge.parent])
        ]
        while stack:
            node, lo, hi, path = stack.pop()
            if len(path) > 64:
                continue
            for up in parents.get(node, []):
                new_lo, new_hi = max(lo, up.start), min(hi, up.end or FAR_FUTURE)
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


def level_warnings(
    enterprises: list[ParsedEnterprise],
    edges: list[Edge],
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
