"""Fictitious monthly flash reports (财务快报) for the demo world — every figure is invented.

Why it exists: dashboards, 一利五率 tracking, debt warnings, 催报 (chasing late reports) and the
flash-report validator all need months of reports that look real and *pass the audit rules*,
with a few known problems planted so that warnings have something to find. Nothing here
describes a real enterprise: the entities are :func:`~zhiguo.demo.world.generate_world`'s
示例/Demo companies and the numbers come from a seeded random generator (示例数据).

How it stays consistent: every money figure is carried as integer fen (0.01 元). Leaf items
("parts") are drawn and rounded first; every total is then *derived* from rounded parts, so
balance-sheet and profit identities hold exactly. Monthly flows are generated for the whole
calendar from January of the year before the window, so 本年累计 is a running sum that resets
each January and 上年同期累计 is simply the figure twelve months earlier; a year's 年初余额 is
the previous December's 期末余额. A group's consolidated report (合并) sums the parts of every
entity in its tree — no eliminations — and re-derives the totals, so it is linear in the
singles and still balances.

Generation is vectorised: every series is a ``(months, entities)`` array, and
:meth:`DemoReports.facts` assembles one period's Arrow table with ``take`` rather than a Python
loop over facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from zhiguo.core import InputError, Period
from zhiguo.datacenter.flashreport import items_for_year
from zhiguo.registry import EnterpriseStatus

from .world import AS_OF, World

__all__ = [
    "FACT_SCHEMA",
    "PLANTED_KINDS",
    "SUBMISSION_SCHEMA",
    "DemoReports",
    "generate_flash_reports",
]

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]

FACT_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("period", pa.string()),
        ("report_type", pa.string()),
        ("item_code", pa.string()),
        ("caliber", pa.string()),
        ("scope", pa.string()),
        ("value", pa.float64()),
    ]
)
SUBMISSION_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("period", pa.string()),
        ("report_type", pa.string()),
        ("submitted_at", pa.timestamp("us", tz="UTC")),
    ]
)
PLANTED_KINDS = ("rising_debt", "falling_cash", "loss_making", "late", "missing")

_SHANGHAI_OFFSET_S = 8 * 3600  # Asia/Shanghai: UTC+8, no daylight saving since 1991
_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class _Profile(NamedTuple):
    """Rough shape of an industry section's books (GB/T 4754 section letter)."""

    turnover: float  # annual operating revenue / total assets
    current: float  # current assets / total assets
    fixed: float  # fixed assets / total assets
    cip: float  # construction in progress / total assets
    ltr: float  # long-term receivables / total assets
    inventory: float  # inventories / current assets
    receivable: float  # accounts receivable / current assets
    contract: float  # contract assets / current assets
    cogs: float  # cost of sales / total revenue
    rd: float  # R&D expenses / total revenue
    debt: float  # typical debt ratio
    per_head: float  # total assets per employee, 元
    wage: float  # annual compensation per employee, 元
    season: str  # key into _SEASONS


# Per GB/T 4754 section: turnover = annual revenue / assets; current, fixed, cip, ltr = shares
# of total assets; inventory, receivable, contract = shares of current assets; cogs, rd =
# shares of revenue; debt = typical debt ratio; per_head = assets per employee (元); wage =
# annual pay per employee (元); season = revenue shape. "*" is every other section.
_PROFILE_TABLE = """
sec turnover current fixed cip  ltr  inventory receivable contract cogs rd    debt per_head wage
C   0.80     0.55    0.25  0.05 0.00 0.25      0.25       0.02     0.80 0.035 0.55 2.0e6 1.5e5
D   0.25     0.20    0.55  0.10 0.01 0.05      0.25       0.00     0.82 0.005 0.58 8.0e6 2.0e5
E   0.70     0.75    0.05  0.02 0.03 0.15      0.30       0.20     0.90 0.010 0.62 3.0e6 1.4e5
F   1.50     0.75    0.08  0.01 0.00 0.30      0.25       0.00     0.92 0.001 0.58 3.0e6 1.1e5
G   0.20     0.20    0.60  0.10 0.01 0.02      0.20       0.00     0.80 0.004 0.55 5.0e6 1.6e5
H   0.40     0.30    0.50  0.03 0.00 0.05      0.15       0.00     0.75 0.001 0.50 0.8e6 0.9e5
I   0.70     0.65    0.10  0.02 0.00 0.08      0.35       0.05     0.65 0.080 0.45 1.5e6 2.5e5
J   0.08     0.70    0.02  0.00 0.20 0.00      0.05       0.00     0.55 0.010 0.62 1.5e7 3.5e5
K   0.20     0.75    0.03  0.02 0.00 0.60      0.08       0.02     0.75 0.002 0.64 1.0e7 1.8e5
L   0.30     0.45    0.10  0.03 0.03 0.05      0.25       0.02     0.80 0.005 0.50 4.0e6 1.6e5
M   0.50     0.60    0.20  0.03 0.00 0.05      0.30       0.05     0.60 0.120 0.40 1.5e6 2.2e5
N   0.15     0.25    0.35  0.15 0.02 0.03      0.25       0.05     0.80 0.003 0.55 4.0e6 1.3e5
Q   0.60     0.40    0.40  0.05 0.00 0.08      0.30       0.00     0.78 0.010 0.45 1.0e6 1.6e5
R   0.40     0.45    0.35  0.03 0.00 0.05      0.25       0.02     0.75 0.010 0.45 1.5e6 1.5e5
*   0.60     0.50    0.25  0.03 0.00 0.10      0.25       0.02     0.80 0.010 0.50 2.0e6 1.4e5
"""
_SEASON_OF = {
    "D": "summer",
    "E": "yearend",
    "F": "festive",
    "H": "holiday",
    "I": "yearend",
    "K": "yearend",
    "M": "yearend",
    "N": "holiday",
    "R": "holiday",
}  # else "base"


def _profiles() -> dict[str, _Profile]:
    lines = _PROFILE_TABLE.strip().splitlines()[1:]
    return {
        sec: _Profile._make([*map(float, rest), _SEASON_OF.get(sec, "base")])
        for sec, *rest in (line.split() for line in lines)
    }


_PROFILES = _profiles()
# Monthly revenue shape, January first: Spring Festival dip, year-end push, summer peaks.
_SEASONS: dict[str, tuple[float, ...]] = {
    "base": (0.80, 0.72, 0.98, 0.98, 1.00, 1.06, 0.98, 1.00, 1.03, 0.97, 1.05, 1.43),
    "yearend": (0.60, 0.58, 0.90, 0.95, 1.00, 1.12, 0.98, 1.00, 1.06, 0.97, 1.10, 1.74),
    "summer": (1.05, 0.90, 0.88, 0.92, 1.03, 1.10, 1.18, 1.18, 1.05, 0.93, 0.88, 0.90),
    "festive": (1.20, 1.05, 0.88, 0.90, 0.95, 0.98, 0.92, 0.94, 0.98, 1.05, 1.08, 1.07),
    "holiday": (1.10, 1.22, 0.85, 0.92, 1.02, 0.92, 1.20, 1.25, 0.88, 1.18, 0.73, 0.73),
}
_BONUS = np.array([1.9, 0.9, 0.9, 0.9, 0.9, 0.95, 0.95, 0.9, 0.9, 0.9, 0.9, 1.4])  # wages
_DIVIDENDS = np.array([0.5, 0.5, 0.7, 0.8, 0.9, 2.0, 0.6, 0.6, 0.9, 0.6, 0.6, 2.3])
_HOLDING_ASSETS_PER_MEMBER = 1.2e8  # a group's own (single) balance sheet grows with its tree
_LEVEL_ASSETS = (0.0, 0.0, 1.5e9, 2.0e8, 2.5e7, 6.0e6)  # median assets by level (元)
_DEBT_FROM, _DEBT_TO = 0.60, 0.78  # the planted rising-debt trajectory over the window


@dataclass(frozen=True)
class _Entities:
    """The existing (not deregistered) enterprises of the world, as parallel arrays."""

    uscc: list[str]
    level: I64
    section: list[str]
    suspended: Bool
    has_children: Bool
    group: I64  # index into ``groups``
    outside: F64  # share not held by the controlling parent (0 for a group)
    founded: I64  # calendar month of the first controlling edge (0: before the calendar)
    groups: list[str]
    group_column: I64  # column of each group's own single report

    def __len__(self) -> int:
        return len(self.uscc)


@dataclass(frozen=True)
class _Calendar:
    """January of the year before the window … the window's last month."""

    first: Period
    size: int
    start: int  # index of the window's first month

    @property
    def moy(self) -> I64:
        return np.arange(self.size, dtype=np.int64) % 12  # 0 = January

    def period(self, t: int) -> Period:
        return self.first.shift(t)


@dataclass(frozen=True)
class _Cube:
    """Every item as a ``(calendar month, report column)`` integer array (fen or heads)."""

    base: dict[str, I64]  # month flow or closing balance
    ytd: dict[str, I64]  # flows and averages: year to date
    money: dict[str, bool]
    uscc: pa.Array  # per report column
    report_type: pa.Array
    report_type_index: I64


@dataclass(frozen=True, eq=False)
class DemoReports:
    """Generated flash reports: per-period facts, the submission log and what was planted."""

    periods: list[str]
    submissions: pa.Table
    planted: dict[str, list[str]]
    _cube: _Cube
    _calendar: _Calendar
    _submitted: Bool  # (period, report column)

    @property
    def fact_count(self) -> int:
        """Number of facts over all periods, without building the tables (for logging)."""
        per_report = [_fact_layout(Period.parse(p).year)[0] for p in self.periods]
        counts = self._submitted.sum(axis=1)
        return int(sum(len(k) * int(c) for k, c in zip(per_report, counts, strict=True)))

    def facts(self, period: str) -> pa.Table:
        """The facts of every report submitted for ``period`` (``FACT_SCHEMA``)."""
        if period not in self.periods:
            raise InputError(
                f"演示快报不含期间 {period!r}",
                f"The demo flash reports do not cover period {period!r}",
            )
        p = self.periods.index(period)
        return _facts_table(self._cube, self._calendar.start + p, period, self._submitted[p])

    def iter_facts(self) -> Iterator[tuple[str, pa.Table]]:
        """``(period, facts)`` for every period in order, one table at a time."""
        for period in self.periods:
            yield period, self.facts(period)


def generate_flash_reports(
    world: World, *, end: str = "2026-10", months: int = 36, seed: int = 20261125
) -> DemoReports:
    """Generate ``months`` monthly flash reports ending at ``end`` for every enterprise of
    ``world``; the same world, window and seed give identical tables."""
    if months < 1:
        raise InputError(
            f"演示快报期数应为正数，实际为 {months}", f"months must be positive; got {months}"
        )
    last = Period.parse(end)
    window_start = last.shift(1 - months)
    first = Period(window_start.year - 1, 1)
    cal = _Calendar(first, first.months_until(last) + 1, first.months_until(window_start))
    ent = _entities(world, cal)
    rngs = [np.random.default_rng([seed, k]) for k in range(3)]
    plants = _choose_plants(ent, rngs[0])
    single = _single_parts(ent, cal, plants, rngs[1])
    cons = _consolidate(single, ent)
    parts = {k: np.concatenate([single[k], cons[k]], axis=1) for k in single}
    # each report's own deviation of 劳动生产总值 from its formula, within ±3 %
    lo_noise = rngs[1].uniform(-0.03, 0.03, len(ent) + len(ent.groups))
    cube = _cube(parts, lo_noise, ent, cal)
    expected = np.concatenate(
        [
            np.arange(cal.start, cal.size)[:, None] >= ent.founded[None, :],
            np.ones((months, len(ent.groups)), dtype=bool),
        ],
        axis=1,
    )
    avoid = np.zeros(len(ent), dtype=bool)
    for kind in ("rising_debt", "falling_cash", "loss_making"):
        avoid[plants[kind]] = True
    avoid[np.isin(ent.group, plants["rising_group"])] = True
    submitted_at, missing, late = _submissions(ent, cal, expected, avoid, rngs[2])
    periods = [str(cal.period(cal.start + p)) for p in range(months)]
    columns = ent.uscc + ent.groups  # the reporter of each report column
    rising = {ent.groups[int(g)] for g in plants["rising_group"]}  # its consolidated report
    planted = {
        "rising_debt": sorted(rising | {columns[i] for i in plants["rising_debt"]}),
        "falling_cash": sorted(columns[i] for i in plants["falling_cash"]),
        "loss_making": sorted(columns[i] for i in plants["loss_making"]),
        "late": sorted({columns[r] for r in np.nonzero(late)[1]}),
        "missing": sorted({columns[r] for r in np.nonzero(missing)[1]}),
    }
    return DemoReports(
        periods=periods,
        submissions=_submission_table(cube, periods, expected, submitted_at, missing),
        planted=planted,
        _cube=cube,
        _calendar=cal,
        _submitted=expected & ~missing,
    )


def _entities(world: World, cal: _Calendar) -> _Entities:
    """Existing enterprises with their group, founding month and outside share."""
    gone = {e.uscc for e in world.enterprises if e.status == EnterpriseStatus.DEREGISTERED}
    records = [e for e in world.enterprises if e.uscc not in gone]
    parent: dict[str, str] = {}  # from the latest controlling edge: the one in force now
    outside: dict[str, float] = {}
    founded: dict[str, date] = {}
    latest: dict[str, date] = {}
    for edge in world.ownership:
        if not edge.controlling:
            continue
        child = edge.child_uscc
        founded[child] = min(founded.get(child, date.max), edge.valid_from)
        if edge.valid_from >= latest.get(child, date.min):
            latest[child] = edge.valid_from
            parent[child] = edge.parent_uscc
            outside[child] = 1.0 - float(edge.share_pct) / 100.0
    group_of = {g: i for i, g in enumerate(world.groups)}
    for e in world.enterprises:  # parents come before their children
        if e.uscc not in group_of:
            group_of[e.uscc] = group_of[parent[e.uscc]]
    parents = set(parent.values())
    usccs = [e.uscc for e in records]
    index = {u: i for i, u in enumerate(usccs)}
    first_day = cal.first.first_day()

    def month(u: str) -> int:
        day = founded.get(u, first_day)
        return max(0, Period.parse(day).index - cal.first.index)

    return _Entities(
        uscc=usccs,
        level=np.array([e.level or 1 for e in records], dtype=np.int64),
        section=[e.industry_code[:1] for e in records],
        suspended=np.array([e.status == EnterpriseStatus.SUSPENDED for e in records]),
        has_children=np.array([u in parents for u in usccs]),
        group=np.array([group_of[u] for u in usccs], dtype=np.int64),
        outside=np.array([outside.get(u, 0.0) for u in usccs]),
        founded=np.array([month(u) for u in usccs], dtype=np.int64),
        groups=list(world.groups),
        group_column=np.array([index[g] for g in world.groups], dtype=np.int64),
    )


def _choose_plants(ent: _Entities, rng: np.random.Generator) -> dict[str, I64]:
    """Pick the entities whose books carry a planted problem (disjoint, active, old enough
    to report in every period): one group and three subsidiaries with a rising debt ratio,
    three with falling cash, three loss makers."""
    sizes = np.bincount(ent.group, minlength=len(ent.groups))
    mid = np.nonzero((sizes >= 10) & (sizes <= 60))[0]
    group = rng.choice(mid if len(mid) else np.arange(len(ent.groups)), size=1)
    usable = ~ent.suspended & (ent.founded == 0) & (ent.level > 1) & ~np.isin(ent.group, group)
    taken = np.zeros(len(ent), dtype=bool)

    def pick(mask: Bool, k: int) -> I64:
        pool = np.nonzero(mask & ~taken)[0]
        chosen = np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))
        taken[chosen] = True
        return chosen.astype(np.int64)

    return {
        "rising_group": group.astype(np.int64),
        "rising_debt": pick(usable & (ent.level <= 3), 3),
        "falling_cash": pick(usable, 3),
        "loss_making": pick(usable & (ent.level >= 3) & ~ent.has_children, 3),
    }


def _fen(x: F64) -> I64:
    """元 → integer fen, rounded."""
    return np.rint(x * 100.0).astype(np.int64)


def _single_parts(
    ent: _Entities, cal: _Calendar, plants: dict[str, I64], rng: np.random.Generator
) -> dict[str, I64]:
    """Every entity's own parts (fen), plus tax and minority shares that need its profit."""
    t_count, n = cal.size, len(ent)
    t = np.arange(t_count, dtype=float)[:, None]
    moy = cal.moy
    prof = [_PROFILES.get(s, _PROFILES["*"]) for s in ent.section]
    section = np.array(ent.section)

    def col(field: str) -> F64:
        return np.array([getattr(p, field) for p in prof], dtype=float)

    def jitter(share: F64, sd: float = 0.02) -> F64:  # ±5 % at most, so shares never overflow
        return share[None, :] * np.clip(1 + rng.normal(0, sd, (t_count, n)), 0.95, 1.05)

    alive = (np.arange(t_count)[:, None] >= ent.founded[None, :]).astype(float)
    holding = ent.level == 1
    rising = np.zeros(n, dtype=bool)
    rising[plants["rising_debt"]] = True
    rising |= np.isin(ent.group, plants["rising_group"])
    falling = np.zeros(n, dtype=bool)
    falling[plants["falling_cash"]] = True
    losing = np.zeros(n, dtype=bool)
    losing[plants["loss_making"]] = True

    # Total assets: size by level (a group's own books by the size of its tree), trend, walk.
    members = np.bincount(ent.group)[ent.group].astype(float)
    median = np.array(_LEVEL_ASSETS)[np.clip(ent.level, 1, len(_LEVEL_ASSETS) - 1)]
    median = np.where(ent.has_children, 1.5, 1.0) * median
    a0 = np.where(holding, _HOLDING_ASSETS_PER_MEMBER * members, median)
    a0 = a0 * rng.lognormal(0, np.where(holding, 0.3, 0.7))
    growth = rng.normal(0.05, 0.04, n) + np.where(rising, 0.06, 0) - np.where(ent.suspended, 0.1, 0)
    walk = np.cumsum(rng.normal(0, 0.006, (t_count, n)), axis=0)
    assets = a0 * np.exp(growth * t / 12 + walk) * alive

    # Debt ratio: around the industry's norm, drifting a little; the planted ones climb.
    debt0 = np.clip(col("debt") + rng.normal(0, 0.06, n), 0.2, 0.8)
    phase = rng.uniform(0, 2 * np.pi, n)
    debt = np.clip(debt0 + 0.015 * np.sin(2 * np.pi * t / 30 + phase), 0.15, 0.85)
    x = np.clip((t - cal.start) / max(1, t_count - 1 - cal.start), 0, 1)
    pre = (_DEBT_FROM - 0.03) + 0.03 * np.clip(t / max(1, cal.start), 0, 1)
    climb = np.where(t < cal.start, pre, _DEBT_FROM + (_DEBT_TO - _DEBT_FROM) * x**1.5)
    offset = rng.uniform(-0.015, 0.015, n)  # one per planted entity; a group's tree shares one
    offset = np.where(
        np.isin(ent.group, plants["rising_group"]), offset[ent.group_column][ent.group], offset
    )
    debt[:, rising] = (climb + offset[None, :])[:, rising]

    # Asset side: shares of total assets, then of current assets; remainders take the rest.
    s_ca = np.clip(col("current") + rng.normal(0, 0.06, n), 0.08, 0.85)
    nc = np.stack([col("ltr"), col("fixed"), col("cip")]) * rng.uniform(0.5, 1.5, (3, n))
    nc *= np.minimum(1.0, (0.93 - s_ca) / np.maximum(nc.sum(axis=0), 1e-9))
    cur = np.stack(
        [
            rng.uniform(0.10, 0.30, n) + np.where(section == "J", 0.3, 0),
            col("receivable") * rng.uniform(0.6, 1.4, n),
            rng.uniform(0.02, 0.08, n),
            rng.uniform(0.01, 0.05, n),
            col("inventory") * rng.uniform(0.6, 1.4, n),
            col("contract") * rng.uniform(0.5, 1.5, n),
        ]
    )
    cur[0, falling] = 0.0  # their cash is drawn below, outside the shares
    cap = np.where(falling, 0.58, 0.93)
    cur *= np.minimum(1.0, cap / cur.sum(axis=0))
    ca_target = assets * jitter(s_ca)
    p: dict[str, I64] = {}
    names = ("cash", "accounts_receivable", "other_receivables", "prepayments", "inventory")
    for name, share in zip((*names, "contract_assets"), cur, strict=True):
        p[name] = _fen(ca_target * jitter(share))
    cash0 = a0 * s_ca * 0.32  # falling cash: 5 % less every month, whatever else happens
    p["cash"][:, falling] = _fen(cash0[None, falling] * 0.95**t * alive[:, falling])
    current_assets = _fen(ca_target)
    p["ca_rest"] = current_assets - _add(*(p[k] for k in (*names, "contract_assets")))
    nc_names = ("long_term_receivables", "fixed_assets", "construction_in_progress")
    for name, share in zip(nc_names, nc, strict=True):
        p[name] = _fen(assets * jitter(share))
    p["nca_rest"] = _fen(assets) - current_assets - _add(*(p[k] for k in nc_names))

    # Liability side: current (with borrowings) and long-term; equity is what is left.
    liabilities = assets * debt
    s_cl = rng.uniform(0.40, 0.75, n)
    s_ltb = rng.uniform(0.10, 0.35, n)
    s_bond = np.where(ent.level <= 2, rng.uniform(0, 0.15, n), 0.0)
    s_bond = np.where(rng.random(n) < 0.6, s_bond, 0.0)
    scale = np.minimum(1.0, 0.93 / (s_cl + s_ltb + s_bond))  # jittered, still below 100 %
    s_cl, s_ltb, s_bond = s_cl * scale, s_ltb * scale, s_bond * scale
    s_stb, s_ncd = rng.uniform(0.10, 0.40, n), rng.uniform(0.02, 0.10, n)
    cl_target = liabilities * jitter(s_cl)
    current_liabilities = _fen(cl_target)
    p["short_term_borrowings"] = _fen(cl_target * jitter(s_stb))
    p["non_current_due_within_one_year"] = _fen(cl_target * jitter(s_ncd))
    p["cl_rest"] = (
        current_liabilities - p["short_term_borrowings"] - p["non_current_due_within_one_year"]
    )
    p["long_term_borrowings"] = _fen(liabilities * jitter(s_ltb))
    p["bonds_payable"] = _fen(liabilities * jitter(s_bond))
    p["ncl_rest"] = (
        _fen(liabilities) - current_liabilities - p["long_term_borrowings"] - p["bonds_payable"]
    )
    equity = _fen(assets) - _fen(liabilities)
    minority = np.where(ent.has_children, rng.uniform(0.02, 0.15, n), 0.0)
    p["minority_interest"] = np.rint(equity * minority[None, :]).astype(np.int64)
    state = a0 * (1 - debt0) * (1 - minority) * rng.uniform(0.3, 0.7, n)
    p["state_capital"] = _fen(state[None, :] * alive)

    # Headcount: grows slowly with the balance sheet; holding companies are lean.
    heads0 = a0 / col("per_head") * rng.lognormal(0, 0.3, n) * np.where(holding, 0.08, 1.0)
    heads0 = np.maximum(heads0, np.where(holding, 60, 5))
    size = np.divide(assets, a0[None, :] * alive, out=np.ones_like(assets), where=alive > 0)
    heads = heads0 * size**0.4 * (1 + rng.normal(0, 0.01, (t_count, n)))
    p["employees_end"] = np.rint(np.maximum(heads, 3) * alive).astype(np.int64)

    # Income statement: revenue with the sector's seasons, costs as ratios of it.
    turnover = col("turnover") * rng.lognormal(0, 0.3, n)
    turnover *= np.where(holding, 0.1, 1.0) * np.where(ent.suspended, 0.05, 1.0)
    season = np.array([_SEASONS[pr.season] for pr in prof]).T  # (12, n)
    season = 1 + rng.uniform(0.5, 1.2, n) * (season / season.mean(axis=0) - 1)
    revenue = assets * turnover / 12 * season[moy] * rng.lognormal(0, 0.05, (t_count, n))
    other_share = np.where(
        section == "J",
        rng.uniform(0.1, 0.3, n),
        np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 0.02, n)),
    )
    total_revenue = revenue * (1 + other_share)
    cogs = np.clip(col("cogs") + rng.normal(0, 0.04, n), 0.35, 0.97)[None, :] * np.ones_like(t)
    onset = max(0, t_count - 18)  # loss makers: costs overtake revenue over four months
    ramp = np.clip((t - onset) / 4, 0, 1)
    cogs[:, losing] += (1.15 - cogs[:, losing]) * np.broadcast_to(ramp, cogs.shape)[:, losing]
    p["operating_revenue"] = _fen(revenue)
    p["other_revenue"] = _fen(revenue * other_share)
    p["cost_of_sales"] = _fen(total_revenue * cogs * rng.lognormal(0, 0.02, (t_count, n)))
    p["surcharges"] = _fen(total_revenue * 0.006)
    p["selling_expenses"] = _fen(total_revenue * rng.uniform(0.005, 0.05, n))
    p["admin_expenses"] = _fen(total_revenue * rng.uniform(0.02, 0.06, n) + assets * 0.0015 / 12)
    p["rd_expenses"] = _fen(total_revenue * col("rd") * rng.lognormal(0, 0.4, n))
    borrowed = (
        p["short_term_borrowings"]
        + p["non_current_due_within_one_year"]
        + p["long_term_borrowings"]
        + p["bonds_payable"]
    )
    p["interest_expense"] = np.rint(borrowed * rng.uniform(0.025, 0.048, n) / 12).astype(np.int64)
    p["interest_income"] = np.minimum(
        np.rint(p["cash"] * 0.01 / 12).astype(np.int64),
        p["interest_expense"] + p["cost_of_sales"] + p["surcharges"],
    )  # keeps 营业总成本 ≥ its listed expenses
    invest = np.where(
        holding,
        rng.uniform(0.015, 0.035, n),
        np.where(ent.has_children, rng.uniform(0.003, 0.012, n), rng.uniform(-0.0005, 0.002, n)),
    )
    invest = np.where(losing, 0.0, invest)
    dividends = _DIVIDENDS / _DIVIDENDS.mean()
    p["investment_income"] = _fen(
        assets * invest / 12 * dividends[moy][:, None] * rng.lognormal(0, 0.2, (t_count, n))
    )
    subsidy = np.isin(section, ["D", "G", "N"])
    grants = np.where(subsidy, rng.uniform(0.01, 0.06, n), rng.uniform(0, 0.01, n))
    p["other_gains"] = _fen(total_revenue * np.where(losing, 0.0, grants))
    noise = rng.lognormal(0, 0.5, (2, t_count, n))
    p["non_operating_income"] = _fen(total_revenue * rng.uniform(0, 0.004, n) * noise[0])
    p["non_operating_expenses"] = _fen(total_revenue * rng.uniform(0, 0.003, n) * noise[1])
    p["income_tax"] = np.zeros_like(p["cash"])
    profit = _total_profit(p)
    high_tech = np.isin(section, ["C", "I", "M"])
    tax_rate = np.where(high_tech, 0.15, 0.25) * rng.uniform(0.8, 1.0, n)
    p["income_tax"] = np.rint(np.maximum(profit, 0) * tax_rate).astype(np.int64)
    net = profit - p["income_tax"]
    p["minority_profit"] = np.rint(net * minority).astype(np.int64)
    p["rd_capitalised"] = np.rint(p["rd_expenses"] * rng.uniform(0, 0.3, n)).astype(np.int64)
    p["working_capital"] = _fen(total_revenue * rng.normal(0, 0.12, (t_count, n)))
    collected = rng.uniform(0.85, 1.05, (t_count, n))
    p["cash_from_sales"] = _fen(revenue * 1.09 * collected)
    p["vat"] = _fen(total_revenue * rng.uniform(0.01, 0.04, n))
    payable = p["vat"] + p["surcharges"] + p["income_tax"]
    p["taxes_paid"] = np.rint(payable * rng.uniform(0.85, 1.1, (t_count, n))).astype(np.int64)
    ends = p["employees_end"].astype(float)
    avg_heads = (np.vstack([ends[:1], ends[:-1]]) + ends) / 2
    wage = col("wage") * rng.lognormal(0, 0.15, n)
    bonus = _BONUS / _BONUS.mean()
    p["employee_compensation"] = _fen(avg_heads * wage / 12 * bonus[moy][:, None])
    dep_rate = rng.uniform(0.04, 0.09, n)
    p["depreciation"] = np.rint(p["fixed_assets"] * dep_rate / 12).astype(np.int64)
    for rest in ("ca_rest", "nca_rest", "cl_rest", "ncl_rest"):  # a parent ≥ its listed parts
        if (p[rest] < 0).any():
            raise ValueError(f"demo reports: negative {rest}; the share caps are wrong")
    return p


def _add(first: I64, *rest: I64) -> I64:
    out = first.copy()
    for x in rest:
        out += x
    return out


def _consolidate(single: dict[str, I64], ent: _Entities) -> dict[str, I64]:
    """Each group's consolidated parts: the sum over its tree, plus the outside owners'
    shares of its subsidiaries as minority interest (no intra-group eliminations)."""
    order = np.argsort(ent.group, kind="stable")
    starts = np.searchsorted(ent.group[order], np.arange(len(ent.groups)))

    def total(x: I64) -> I64:
        return np.add.reduceat(x[:, order], starts, axis=1)

    cons = {k: total(v) for k, v in single.items()}
    derived = _derive(single, np.zeros(len(ent)))
    equity, profit = derived["equity_parent"], derived["net_profit_parent"]
    cons["minority_interest"] += total(np.rint(equity * ent.outside).astype(np.int64))
    cons["minority_profit"] += total(np.rint(profit * ent.outside).astype(np.int64))
    return cons


def _total_profit(p: dict[str, I64]) -> I64:
    """利润总额 = 营业利润 + 营业外收入 − 营业外支出, with 营业利润 from its parts."""
    return _operating_profit(p) + p["non_operating_income"] - p["non_operating_expenses"]


def _operating_profit(p: dict[str, I64]) -> I64:
    return (
        p["operating_revenue"]
        + p["other_revenue"]
        - _total_costs(p)
        + p["investment_income"]
        + p["other_gains"]
    )


def _total_costs(p: dict[str, I64]) -> I64:
    return (
        p["cost_of_sales"]
        + p["surcharges"]
        + p["selling_expenses"]
        + p["admin_expenses"]
        + p["rd_expenses"]
        + p["interest_expense"]
        - p["interest_income"]
    )


def _derive(p: dict[str, I64], lo_noise: F64) -> dict[str, I64]:
    """Every reported total from the rounded parts; ``lo_noise`` is each report's relative
    deviation of 劳动生产总值 from its reasonableness formula (a warning rule, not an error)."""
    d: dict[str, I64] = {}
    d["current_assets"] = (
        p["cash"]
        + p["accounts_receivable"]
        + p["other_receivables"]
        + p["prepayments"]
        + p["inventory"]
        + p["contract_assets"]
        + p["ca_rest"]
    )
    d["total_assets"] = (
        d["current_assets"]
        + p["long_term_receivables"]
        + p["fixed_assets"]
        + p["construction_in_progress"]
        + p["nca_rest"]
    )
    d["current_liabilities"] = (
        p["short_term_borrowings"] + p["non_current_due_within_one_year"] + p["cl_rest"]
    )
    d["total_liabilities"] = (
        d["current_liabilities"] + p["long_term_borrowings"] + p["bonds_payable"] + p["ncl_rest"]
    )
    d["total_equity"] = d["total_assets"] - d["total_liabilities"]
    d["equity_parent"] = d["total_equity"] - p["minority_interest"]
    d["total_revenue"] = p["operating_revenue"] + p["other_revenue"]
    d["finance_expenses"] = p["interest_expense"] - p["interest_income"]
    d["total_costs"] = _total_costs(p)
    d["operating_profit"] = _operating_profit(p)
    d["total_profit"] = _total_profit(p)
    d["net_profit"] = d["total_profit"] - p["income_tax"]
    d["net_profit_parent"] = d["net_profit"] - p["minority_profit"]
    d["rd_investment"] = p["rd_expenses"] + p["rd_capitalised"]
    d["operating_cash_flow"] = d["net_profit"] + p["depreciation"] + p["working_capital"]
    d["taxes_payable"] = p["vat"] + p["surcharges"] + p["income_tax"]
    # 劳动生产总值 ≈ 净利润 − 投资收益 + 职工薪酬 + 应交税费总额 + 计提折旧额 (supervision.md)
    gross = (
        d["net_profit"]
        - p["investment_income"]
        + p["employee_compensation"]
        + d["taxes_payable"]
        + p["depreciation"]
    )
    d["labour_output"] = np.rint(gross * (1 + lo_noise[None, :])).astype(np.int64)
    return d


def _ytd(x: I64, moy: I64) -> I64:
    """本年累计: a running sum that restarts every January (the calendar starts in one)."""
    run = np.cumsum(x, axis=0)
    before = np.arange(len(x)) - moy - 1  # the previous December, -1 in the first year
    base = np.where((before >= 0)[:, None], run[np.maximum(before, 0)], 0)
    return run - base


def _cube(parts: dict[str, I64], u: F64, ent: _Entities, cal: _Calendar) -> _Cube:
    """Derive the totals and lay every dictionary item out for quick per-period slicing."""
    derived = _derive(parts, u)
    values = {**parts, **derived}
    years = range(cal.period(cal.start).year, cal.period(cal.size - 1).year + 1)
    items = {code: item for year in years for code, item in items_for_year(year).items()}
    base: dict[str, I64] = {}
    ytd: dict[str, I64] = {}
    money: dict[str, bool] = {}
    for code, item in items.items():
        money[code] = item.unit_kind == "money"
        if item.kind == "average":
            if code != "employees_avg":
                raise ValueError(f"demo reports: no generator for average item {code!r}")
            ends = values["employees_end"]
            twice = np.vstack([ends[:1], ends[:-1]]) + ends  # 2 × the month's average
            months = (cal.moy + 1)[:, None].astype(float)
            ytd[code] = np.rint(_ytd(twice, cal.moy) / (2 * months)).astype(np.int64)
            continue
        if code not in values:
            raise ValueError(f"demo reports: no generator for item {code!r}")
        base[code] = values[code]
        if item.kind == "flow":
            ytd[code] = _ytd(values[code], cal.moy)
    n_groups = len(ent.groups)
    return _Cube(
        base=base,
        ytd=ytd,
        money=money,
        uscc=pa.array(ent.uscc + ent.groups, type=pa.string()),
        report_type=pa.array(["single", "consolidated"], type=pa.string()),
        report_type_index=np.concatenate(
            [np.zeros(len(ent), dtype=np.int64), np.ones(n_groups, dtype=np.int64)]
        ),
    )


def _fact_layout(year: int) -> tuple[list[tuple[str, str]], pa.Array, pa.Array]:
    """The (item, caliber) pairs of a report in ``year``, in dictionary order."""
    pairs = [(code, c) for code, item in items_for_year(year).items() for c in item.calibers]
    codes = pa.array([code for code, _ in pairs], type=pa.string())
    calibers = pa.array([c for _, c in pairs], type=pa.string())
    return pairs, codes, calibers


def _facts_table(cube: _Cube, t: int, period: str, submitted: Bool) -> pa.Table:
    pairs, codes, calibers = _fact_layout(Period.parse(period).year)
    december = t - t % 12 - 1  # the previous December: 年初余额 is its 期末余额
    cols = np.nonzero(submitted)[0]
    values = np.empty((len(pairs), len(cols)), dtype=np.float64)
    for k, (code, caliber) in enumerate(pairs):
        if caliber in ("month", "closing"):
            row = cube.base[code][t]
        elif caliber == "opening":
            row = cube.base[code][december]
        else:  # ytd / ytd_prior_year (上年同期累计 is the same month a year earlier)
            row = cube.ytd[code][t if caliber == "ytd" else t - 12]
        values[k] = row[cols] / (100.0 if cube.money[code] else 1.0)
    k_count, n = len(pairs), len(cols)
    per_fact = np.repeat(cols, k_count)
    item_index = pa.array(np.tile(np.arange(k_count, dtype=np.int32), n))
    return pa.table(
        {
            "uscc": cube.uscc.take(pa.array(per_fact)),
            "period": _constant(period, k_count * n),
            "report_type": cube.report_type.take(pa.array(cube.report_type_index[per_fact])),
            "item_code": codes.take(item_index),
            "caliber": calibers.take(item_index),
            "scope": _constant("total", k_count * n),
            "value": pa.array(values.T.ravel()),
        },
        schema=FACT_SCHEMA,
    )


def _constant(text: str, n: int) -> pa.Array:
    return pa.array([text], type=pa.string()).take(pa.array(np.zeros(n, dtype=np.int32)))


def _submissions(
    ent: _Entities, cal: _Calendar, expected: Bool, avoid: Bool, rng: np.random.Generator
) -> tuple[I64, Bool, Bool]:
    """When each expected report arrived (µs since the epoch, UTC) and which are missing or
    late. Due: the 15th of the next month, 23:59:59 Shanghai time. Most arrive on the 5th–14th;
    consolidated reports come last. A few habitual latecomers, a sprinkle of random late ones;
    missing ones cluster in the last two periods (still being chased) with a few older gaps."""
    months, r = expected.shape
    n = len(ent)
    due_month = [cal.period(cal.start + p).shift(1).first_day() for p in range(months)]
    first_local = np.array(
        [(d.toordinal() - _EPOCH_ORDINAL) * _DAY_US for d in due_month], dtype=np.int64
    )
    first_utc = first_local - _SHANGHAI_OFFSET_S * _US
    deadline = first_utc + 14 * _DAY_US + (86_400 - 1) * _US
    is_cons = np.arange(r) >= n
    day = np.where(is_cons, rng.integers(10, 15, (months, r)), rng.integers(5, 15, (months, r)))
    second = rng.integers(8 * 3600 + 1800, 22 * 3600, (months, r))
    at = first_utc[:, None] + (day - 1) * _DAY_US + second * _US
    chronic = np.zeros(r, dtype=bool)
    chronic[rng.choice(n, size=min(6, n), replace=False)] = True
    late = expected & (rng.random((months, r)) < np.where(chronic, 0.3, 0.002))
    cutoff = (AS_OF.toordinal() - _EPOCH_ORDINAL) * _DAY_US - _SHANGHAI_OFFSET_S * _US
    delay = rng.integers(3600, 20 * 86_400, (months, r)) * _US
    late_at = np.minimum(deadline[:, None] + delay, cutoff - 3600 * _US)
    late &= late_at > deadline[:, None]
    at = np.where(late, late_at, at)
    can_miss = expected & ~np.concatenate([avoid | (ent.level == 1), np.ones(r - n, bool)])
    chance = np.zeros((months, 1))
    chance[-1] = 0.035
    if months > 1:
        chance[-2] = 0.012
    missing = can_miss & (rng.random((months, r)) < chance)
    if months > 2:
        older = np.argwhere(can_miss[:-2])
        picks = rng.choice(len(older), size=min(8, len(older)), replace=False)
        missing[older[picks, 0], older[picks, 1]] = True
    late &= ~missing
    return at.astype(np.int64), missing, late


def _submission_table(
    cube: _Cube, periods: list[str], expected: Bool, at: I64, missing: Bool
) -> pa.Table:
    p_idx, r_idx = np.nonzero(expected)
    stamps = pa.array(
        at[p_idx, r_idx], type=pa.timestamp("us", tz="UTC"), mask=missing[p_idx, r_idx]
    )
    return pa.table(
        {
            "uscc": cube.uscc.take(pa.array(r_idx)),
            "period": pa.array(periods, type=pa.string()).take(pa.array(p_idx)),
            "report_type": cube.report_type.take(pa.array(cube.report_type_index[r_idx])),
            "submitted_at": stamps,
        },
        schema=SUBMISSION_SCHEMA,
    )
