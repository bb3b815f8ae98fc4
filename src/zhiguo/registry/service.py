"""Registry queries and writes: who is who, who owns whom, as of any date.

Every function that returns business data takes the caller's ``scope`` and filters in the
query itself, so a caller outside a subtree gets ``NotFound`` — never a row, a count or a
name from it. Tree queries follow controlling edges (并表关系); share arithmetic follows all
edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import NotFound

from .models import Enterprise, OwnershipEdge
from .schemas import EnterpriseRecord, OwnershipOut, OwnershipRecord, TreeNode

__all__ = [
    "children_of",
    "count_enterprises",
    "edge_valid_on",
    "effective_state_ownership",
    "get_enterprise",
    "list_enterprises",
    "load_records",
    "path_to_root",
    "portfolio_summary",
    "refresh_levels",
    "scope_filter",
    "shareholders_of",
    "subtree_ids",
    "top_level_ids",
    "tree",
]

_MAX_DEPTH = 64  # guards recursive queries; validated trees are far shallower
Progress = Callable[[int], None]
_Sel = TypeVar("_Sel", bound="Select[*tuple[Any, ...]]")


def _today(as_of: date | None) -> date:
    return as_of or date.today()


def edge_valid_on(as_of: date) -> ColumnElement[bool]:
    """SQL condition: an edge in force on ``as_of`` (valid_to is exclusive)."""
    e = OwnershipEdge
    return and_(e.valid_from <= as_of, or_(e.valid_to.is_(None), e.valid_to > as_of))


def scope_filter(stmt: _Sel, scope: Scope, column: Any = Enterprise.id) -> _Sel:
    """The one place the registry narrows a query to a caller's scope (default deny)."""
    if scope.enterprise_ids is None:
        return stmt
    if not scope.enterprise_ids:
        return stmt.where(literal(False))
    return stmt.where(column.in_(sorted(scope.enterprise_ids)))


def get_enterprise(
    *, session: Session, scope: Scope, enterprise_id: int | None = None, uscc: str | None = None
) -> Enterprise:
    """One enterprise by id or USCC; ``NotFound`` if absent **or** outside the scope."""
    stmt = select(Enterprise)
    if enterprise_id is not None:
        stmt = stmt.where(Enterprise.id == enterprise_id)
    elif uscc is not None:
        stmt = stmt.where(Enterprise.uscc == uscc.strip().upper())
    else:
        raise ValueError("enterprise_id or uscc is required")
    found: Enterprise | None = session.scalars(scope_filter(stmt, scope)).first()
    if found is None:
        key = uscc if uscc is not None else enterprise_id
        raise NotFound(f"未找到企业 {key}", f"No enterprise {key}")
    return found


def _search(stmt: _Sel, q: str | None) -> _Sel:
    if not q:
        return stmt
    like = f"%{q.strip()}%"
    return stmt.where(
        or_(
            Enterprise.name_zh.like(like),
            Enterprise.name_en.ilike(like),
            Enterprise.short_name.like(like),
            Enterprise.uscc.like(like.upper()),
        )
    )


def list_enterprises(
    *,
    session: Session,
    scope: Scope,
    q: str | None = None,
    level: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Enterprise]:
    stmt = _search(scope_filter(select(Enterprise), scope), q)
    if level is not None:
        stmt = stmt.where(Enterprise.level == level)
    stmt = stmt.order_by(Enterprise.level, Enterprise.uscc).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def count_enterprises(
    *, session: Session, scope: Scope, q: str | None = None, level: int | None = None
) -> int:
    stmt = _search(scope_filter(select(func.count(Enterprise.id)), scope), q)
    if level is not None:
        stmt = stmt.where(Enterprise.level == level)
    return int(session.scalar(stmt) or 0)


def _subtree_edges(
    session: Session, root_ids: Iterable[int], as_of: date, max_depth: int = _MAX_DEPTH
) -> list[tuple[int, int, Decimal, int]]:
    """(parent, child, share, depth) of controlling edges below ``root_ids`` on ``as_of``."""
    e = OwnershipEdge
    roots = sorted(set(root_ids))
    if not roots:
        return []
    valid = and_(e.controlling.is_(True), edge_valid_on(as_of))
    base = select(e.parent_id, e.child_id, e.share_pct, literal(1).label("depth")).where(
        valid, e.parent_id.in_(roots)
    )
    cte = base.cte("subtree", recursive=True)
    step = (
        select(e.parent_id, e.child_id, e.share_pct, (cte.c.depth + 1).label("depth"))
        .join(cte, e.parent_id == cte.c.child_id)
        .where(valid, cte.c.depth < min(max_depth, _MAX_DEPTH))
    )
    cte = cte.union_all(step)
    rows = session.execute(select(cte.c.parent_id, cte.c.child_id, cte.c.share_pct, cte.c.depth))
    return [(int(p), int(c), Decimal(s), int(d)) for p, c, s, d in rows]


def subtree_ids(*, session: Session, root_id: int, as_of: date | None = None) -> set[int]:
    """``root_id`` and everything below it by controlling edges on ``as_of`` (today)."""
    edges = _subtree_edges(session, [root_id], _today(as_of))
    return {root_id, *(child for _p, child, _s, _d in edges)}


def _controlling_parent(session: Session, child_id: int, as_of: date) -> int | None:
    e = OwnershipEdge
    stmt = select(e.parent_id).where(
        e.child_id == child_id, e.controlling.is_(True), edge_valid_on(as_of)
    )
    return session.scalars(stmt).first()


def path_to_root(
    *, session: Session, scope: Scope, enterprise_id: int, as_of: date | None = None
) -> list[Enterprise]:
    """The chain from the top-level group down to the enterprise (root first).

    Ancestors outside the caller's scope are left out: an enterprise officer sees the path
    from their own group's top, not the rest of the portfolio.
    """
    day = _today(as_of)
    get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    chain = [enterprise_id]
    current: int | None = enterprise_id
    while current is not None and len(chain) <= _MAX_DEPTH:
        current = _controlling_parent(session, current, day)
        if current is not None:
            chain.append(current)
    visible = [i for i in reversed(chain) if scope.allows(i)]
    by_id = {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(visible)))}
    return [by_id[i] for i in visible]


def top_level_ids(*, session: Session, scope: Scope, as_of: date | None = None) -> list[int]:
    """Roots of what the caller sees: top-level groups, or the top of an enterprise subtree."""
    day = _today(as_of)
    e = OwnershipEdge
    has_parent = select(e.child_id).where(e.controlling.is_(True), edge_valid_on(day))
    if scope.enterprise_ids is None:
        stmt = select(Enterprise.id).where(Enterprise.id.not_in(has_parent))
        return list(session.scalars(stmt.order_by(Enterprise.uscc)))
    ids = scope.enterprise_ids
    parented = session.execute(
        select(e.child_id, e.parent_id).where(
            e.controlling.is_(True), edge_valid_on(day), e.child_id.in_(sorted(ids))
        )
    ).all()
    inside = {int(c) for c, p in parented if p in ids}
    return sorted(i for i in ids if i not in inside)


def tree(
    *,
    session: Session,
    scope: Scope,
    root_id: int | None = None,
    as_of: date | None = None,
    max_depth: int = 3,
    max_children: int = 200,
) -> TreeNode:
    """The ownership tree below ``root_id`` (or the whole visible portfolio) on ``as_of``.

    ``max_depth`` and ``max_children`` keep a page responsive on a 100,000-entity portfolio;
    a node whose children were cut says ``truncated`` and still counts all ``descendants``.
    """
    day = _today(as_of)
    if root_id is not None:
        get_enterprise(session=session, scope=scope, enterprise_id=root_id)
        roots = [root_id]
    else:
        roots = top_level_ids(session=session, scope=scope, as_of=day)
    edges = _subtree_edges(session, roots, day)
    kids: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for parent, child, share, _depth in edges:
        if scope.allows(child):
            kids[parent].append((child, share))
    # Portfolio roots sit at depth 1 under a virtual node; an enterprise root at depth 0.
    start_depth = 0 if root_id is not None else 1
    wanted: set[int] = set(roots)
    frontier = list(roots)
    for _ in range(max_depth - start_depth):
        nxt = [c for p in frontier for c, _s in kids.get(p, [])[:max_children]]
        wanted.update(nxt)
        frontier = nxt
    cols = (Enterprise.id, Enterprise.uscc, Enterprise.name_zh, Enterprise.short_name,
            Enterprise.level)  # fmt: skip
    names = {
        row.id: row
        for chunk in _chunks(sorted(wanted), 5000)
        for row in session.execute(select(*cols).where(Enterprise.id.in_(chunk)))
    }
    # Descendant counts for every node in one pass, deepest edges first (O(edges)).
    sizes: dict[int, int] = defaultdict(int)
    for parent, child, _share, _depth in sorted(edges, key=lambda e: -e[3]):
        if scope.allows(child):
            sizes[parent] += 1 + sizes[child]

    def descendants(node: int) -> int:
        return sizes[node]

    def build(node: int, depth: int, share: Decimal | None) -> TreeNode:
        ent = names[node]
        below = kids.get(node, [])
        shown = below[:max_children] if depth < max_depth else []
        return TreeNode(
            id=node,
            uscc=ent.uscc,
            name=ent.short_name or ent.name_zh,
            level=ent.level,
            share_pct=share,
            descendants=descendants(node),
            truncated=len(shown) < len(below),
            children=[build(c, depth + 1, s) for c, s in sorted(shown, key=lambda x: x[0])],
        )

    if root_id is not None:
        return build(root_id, 0, None)
    return TreeNode(
        id=0,
        uscc="",
        name="",
        level=0,
        descendants=sum(1 + descendants(r) for r in roots),
        children=[build(r, 1, None) for r in roots],
    )


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _edges_out(session: Session, where: ColumnElement[bool], scope: Scope) -> list[OwnershipOut]:
    e = OwnershipEdge
    parent = Enterprise.__table__.alias("p")
    child = Enterprise.__table__.alias("c")
    stmt = (
        select(e, parent.c.uscc, parent.c.name_zh, child.c.uscc, child.c.name_zh)
        .join(parent, parent.c.id == e.parent_id)
        .join(child, child.c.id == e.child_id)
        .where(where)
        .order_by(e.valid_from, parent.c.uscc, child.c.uscc)
    )
    out = []
    for edge, p_uscc, p_name, c_uscc, c_name in session.execute(stmt):
        hidden = not (scope.allows(edge.parent_id) and scope.allows(edge.child_id))
        out.append(
            OwnershipOut(
                parent_id=edge.parent_id if not hidden else 0,
                parent_uscc=p_uscc if scope.allows(edge.parent_id) else "",
                parent_name=p_name if scope.allows(edge.parent_id) else "（范围外股东）",
                child_id=edge.child_id,
                child_uscc=c_uscc,
                child_name=c_name,
                share_pct=edge.share_pct,
                controlling=edge.controlling,
                valid_from=edge.valid_from,
                valid_to=edge.valid_to,
            )
        )
    return out


def shareholders_of(
    *, session: Session, scope: Scope, enterprise_id: int, as_of: date | None = None
) -> list[OwnershipOut]:
    """Edges into the enterprise; with ``as_of`` only those in force, else the full history.

    A shareholder outside the caller's scope is shown without its name or code.
    """
    get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    cond = OwnershipEdge.child_id == enterprise_id
    if as_of is not None:
        cond = and_(cond, edge_valid_on(as_of))
    return _edges_out(session, cond, scope)


def children_of(
    *, session: Session, scope: Scope, enterprise_id: int, as_of: date | None = None
) -> list[OwnershipOut]:
    """Direct investments of the enterprise in force on ``as_of`` (today), in scope only."""
    get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    cond = and_(OwnershipEdge.parent_id == enterprise_id, edge_valid_on(_today(as_of)))
    return [o for o in _edges_out(session, cond, scope) if scope.allows(o.child_id)]


def effective_state_ownership(
    *, session: Session, scope: Scope, enterprise_id: int, as_of: date | None = None
) -> Decimal:
    """Share of the enterprise the state holds through all chains, in % (穿透持股).

    ESO(x) = Σ over shareholders p of share(p→x)/100 × ESO(p); a top-level enterprise (no
    shareholder inside the portfolio) is held by the state at ``state_share_pct`` (100 if
    unset). Shareholders outside the portfolio are private and contribute nothing.
    """
    day = _today(as_of)
    get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    memo: dict[int, Decimal] = {}

    def eso(node: int, depth: int) -> Decimal:
        if node in memo:
            return memo[node]
        e = OwnershipEdge
        parents = session.execute(
            select(e.parent_id, e.share_pct).where(e.child_id == node, edge_valid_on(day))
        ).all()
        if not parents or depth > _MAX_DEPTH:
            own = session.scalar(select(Enterprise.state_share_pct).where(Enterprise.id == node))
            value = Decimal(100) if own is None else Decimal(own)
        else:
            value = sum((Decimal(s) / 100 * eso(int(p), depth + 1) for p, s in parents), Decimal(0))
        memo[node] = value
        return value

    return eso(enterprise_id, 0).quantize(Decimal("0.0001"))


def portfolio_summary(*, session: Session, scope: Scope) -> dict[str, Any]:
    """Counts for the home page: entities, groups, by supervision class and by category."""
    total = count_enterprises(session=session, scope=scope)
    tops = top_level_ids(session=session, scope=scope)
    by_category: dict[Any, Any] = dict(
        session.execute(
            scope_filter(
                select(Enterprise.industry_category, func.count(Enterprise.id)), scope
            ).group_by(Enterprise.industry_category)
        ).all()
    )
    group_classes: dict[Any, Any] = dict(
        session.execute(
            select(Enterprise.supervision_class, func.count(Enterprise.id))
            .where(Enterprise.id.in_(tops or [-1]))
            .group_by(Enterprise.supervision_class)
        ).all()
    )
    return {
        "entities": total,
        "tops": len(tops),
        "by_category": {str(k): int(v) for k, v in by_category.items()},
        "by_class": {str(k or "unclassified"): int(v) for k, v in group_classes.items()},
    }


def refresh_levels(*, session: Session, as_of: date | None = None) -> int:
    """Recompute every enterprise's ``level`` (级次) from controlling edges; returns changes."""
    day = _today(as_of)
    e = OwnershipEdge
    parent_of = dict(
        session.execute(
            select(e.child_id, e.parent_id).where(e.controlling.is_(True), edge_valid_on(day))
        ).all()
    )
    current = dict(session.execute(select(Enterprise.id, Enterprise.level)).all())
    levels: dict[int, int] = {}
    for node in current:
        path: list[int] = []
        cursor: int | None = node
        base = 0
        while cursor is not None and cursor not in levels and len(path) <= _MAX_DEPTH:
            path.append(cursor)
            cursor = parent_of.get(cursor)
        if cursor is not None and cursor in levels:
            base = levels[cursor]
        for item in reversed(path):
            base += 1
            levels[item] = base
    changes = [{"id": i, "level": lv} for i, lv in levels.items() if current.get(i) != lv]
    if changes:
        session.execute(update(Enterprise), changes)
    return len(changes)


def load_records(
    *,
    session: Session,
    enterprises: Sequence[EnterpriseRecord],
    ownership: Sequence[OwnershipRecord],
    progress: Progress | None = None,
    batch: int = 2000,
) -> None:
    """Bulk-insert already validated records into an empty registry (the demo world's path;
    imports go through ``importer`` which validates and diffs first)."""
    for chunk_start in range(0, len(enterprises), batch):
        chunk = enterprises[chunk_start : chunk_start + batch]
        session.execute(
            insert(Enterprise), [{**r.column_values(), "level": r.level or 1} for r in chunk]
        )
        if progress:
            progress(len(chunk))
    ids = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    for chunk_start in range(0, len(ownership), batch):
        chunk_o = ownership[chunk_start : chunk_start + batch]
        session.execute(
            insert(OwnershipEdge),
            [
                {
                    "parent_id": ids[o.parent_uscc],
                    "child_id": ids[o.child_uscc],
                    "share_pct": o.share_pct,
                    "controlling": o.controlling,
                    "valid_from": o.valid_from,
                    "valid_to": o.valid_to,
                }
                for o in chunk_o
            ],
        )
        if progress:
            progress(len(chunk_o))
    refresh_levels(session=session)
