"""Indicator formulas: a small, checked expression language compiled to engine SQL.

Why a language of our own rather than SQL in the library file: an analyst writes
``net_profit.ytd / avg(total_equity)`` and the platform can then *check* it before it ever
runs — every item and caliber exists in the flash-report dictionary, units add up (money is
never added to headcounts), indicators referenced exist and do not refer back to themselves —
and compile it into SQL that never divides by zero and says why a value is missing.

Grammar (Python expression syntax, parsed with :mod:`ast`, nothing evaluated)::

    expr   := expr (+|-|*|/) expr | -expr | (expr) | number | ref | call
    ref    := item.caliber          an input figure, e.g. total_assets.closing
            | indicator             another indicator's default caliber, e.g. debt_ratio
            | indicator.caliber     another indicator's named caliber
    call   := avg(item)             (opening + closing) / 2 of a balance item (平均)
            | annualise(expr)       expr × 12 / month of the year (YTD flows to a year)
            | abs(expr)

Units are dimensions over (money, headcount): ``a + b`` needs equal dimensions, ``a / b``
subtracts them. An indicator's declared unit fixes its dimension and scale ('%' is a
dimensionless ratio × 100; '万元/人' is money per head × 1e-4).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from zhiguo.supervision.indicators.errors import FormulaError

__all__ = [
    "UNITS",
    "Compiled",
    "Dim",
    "InputRef",
    "compile_formula",
    "input_column",
]

Dim = tuple[int, int]
"""Exponents of (money, headcount): (1, 0) money, (0, 0) a pure ratio, (1, -1) money/head."""

UNITS: dict[str, tuple[Dim, float]] = {
    "%": ((0, 0), 100.0),
    "倍": ((0, 0), 1.0),
    "次": ((0, 0), 1.0),
    "元": ((1, 0), 1.0),
    "万元": ((1, 0), 1e-4),
    "人": ((0, 1), 1.0),
    "万元/人": ((1, -1), 1e-4),
}
"""Declared unit → (dimension of the formula, factor applied to its value)."""


@dataclass(frozen=True)
class InputRef:
    """One input column of the wide per-report row: an item (or extra input) and a caliber."""

    item: str
    caliber: str


def input_column(ref: InputRef) -> str:
    """The SQL column name of an input in the wide table."""
    return f"{ref.item}__{ref.caliber}"


@dataclass
class Compiled:
    """A checked formula: its SQL, its dimension, and what it reads."""

    sql: str
    dim: Dim
    inputs: set[InputRef] = field(default_factory=set)
    denominators: list[str] = field(default_factory=list)
    indicators: set[str] = field(default_factory=set)


InputKinds = Mapping[str, tuple[str, Dim, tuple[str, ...]]]
"""item code → (kind, dimension, allowed calibers)."""
IndicatorLookup = Callable[[str, str | None], Compiled]
"""(code, caliber or None for default) → the compiled referenced indicator (raises if unknown)."""


def compile_formula(
    text: str,
    *,
    inputs: InputKinds,
    indicator: IndicatorLookup,
    where: str,
) -> Compiled:
    """Parse, check and compile ``text``; ``where`` names the definition in error messages."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            where,
            f"公式语法错误（第 {exc.offset} 个字符）：{text}",
            f"formula syntax error at character {exc.offset}: {text}",
        ) from None
    return _Compiler(inputs, indicator, where).visit(tree.body)


class _Compiler:
    def __init__(self, inputs: InputKinds, indicator: IndicatorLookup, where: str) -> None:
        self.inputs = inputs
        self.indicator = indicator
        self.where = where

    def fail(self, zh: str, en: str) -> FormulaError:
        return FormulaError(self.where, zh, en)

    def visit(self, node: ast.expr) -> Compiled:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                raise self.fail(
                    f"公式中不能使用布尔值：{ast.unparse(node)}",
                    f"booleans are not allowed in formulas: {ast.unparse(node)}",
                )
            return Compiled(repr(float(node.value)), (0, 0))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.visit(node.operand)
            return _derive(f"(-{inner.sql})", inner.dim, inner)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Attribute):
            return self.reference(node)
        if isinstance(node, ast.Name):
            return self.named(node.id, None)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(
            f"公式中不支持的写法：{ast.unparse(node)}",
            f"unsupported construct in formula: {ast.unparse(node)}",
        )

    def binop(self, node: ast.BinOp) -> Compiled:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Add | ast.Sub):
            if left.dim != right.dim:
                raise self.fail(
                    f"单位不一致，不能相加减：{ast.unparse(node)}（{_dim_zh(left.dim)} 与 "
                    f"{_dim_zh(right.dim)}）",
                    f"unit mismatch in addition/subtraction: {ast.unparse(node)} "
                    f"({_dim_en(left.dim)} vs {_dim_en(right.dim)})",
                )
            op = "+" if isinstance(node.op, ast.Add) else "-"
            return _derive(f"({left.sql} {op} {right.sql})", left.dim, left, right)
        if isinstance(node.op, ast.Mult):
            dim = (left.dim[0] + right.dim[0], left.dim[1] + right.dim[1])
            return _derive(f"({left.sql} * {right.sql})", dim, left, right)
        if isinstance(node.op, ast.Div):
            dim = (left.dim[0] - right.dim[0], left.dim[1] - right.dim[1])
            if isinstance(node.right, ast.Constant):  # a literal divisor needs no guard
                if not node.right.value:
                    raise self.fail(
                        f"公式除以常数 0：{ast.unparse(node)}",
                        f"formula divides by the constant 0: {ast.unparse(node)}",
                    )
                return _derive(f"({left.sql} / {right.sql})", dim, left, right)
            out = _derive(f"({left.sql} / NULLIF({right.sql}, 0))", dim, left, right)
            out.denominators.append(right.sql)
            return out
        raise self.fail(
            f"公式中不支持的运算符：{ast.unparse(node)}",
            f"unsupported operator in formula: {ast.unparse(node)}",
        )

    def reference(self, node: ast.Attribute) -> Compiled:
        if not isinstance(node.value, ast.Name):
            raise self.fail(
                f"引用应为 项目.口径：{ast.unparse(node)}",
                f"a reference must be item.caliber: {ast.unparse(node)}",
            )
        name, caliber = node.value.id, node.attr
        if name in self.inputs:
            kind, dim, calibers = self.inputs[name]
            if caliber not in calibers:
                raise self.fail(
                    f"项目 {name}（{kind}）没有口径 {caliber}；可用：{'、'.join(calibers)}",
                    f"item {name} ({kind}) has no caliber {caliber}; "
                    f"allowed: {', '.join(calibers)}",
                )
            ref = InputRef(name, caliber)
            return Compiled(input_column(ref), dim, {ref})
        return self.named(name, caliber)

    def named(self, name: str, caliber: str | None) -> Compiled:
        if name in self.inputs:
            _kind, _dim, calibers = self.inputs[name]
            raise self.fail(
                f"项目 {name} 需指明口径，如 {name}.{calibers[0]}",
                f"item {name} needs a caliber, e.g. {name}.{calibers[0]}",
            )
        target = self.indicator(name, caliber)  # raises for unknown names and cycles
        out = Compiled(
            target.sql, target.dim, set(target.inputs), list(target.denominators), {name}
        )
        out.indicators |= target.indicators
        return out

    def call(self, node: ast.Call) -> Compiled:
        fname = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        if node.keywords or len(node.args) != 1:
            raise self.fail(
                f"函数 {fname} 只接受一个参数：{ast.unparse(node)}",
                f"function {fname} takes exactly one argument: {ast.unparse(node)}",
            )
        arg = node.args[0]
        if fname == "avg":
            if not isinstance(arg, ast.Name) or arg.id not in self.inputs:
                raise self.fail(
                    f"avg() 的参数应为资产负债类项目：{ast.unparse(node)}",
                    f"avg() takes a balance item: {ast.unparse(node)}",
                )
            kind, dim, _calibers = self.inputs[arg.id]
            if kind != "balance":
                raise self.fail(
                    f"avg() 只适用于期末/年初余额类项目，{arg.id} 是 {kind}",
                    f"avg() applies to balance items only; {arg.id} is a {kind} item",
                )
            opening, closing = InputRef(arg.id, "opening"), InputRef(arg.id, "closing")
            sql = f"(({input_column(opening)} + {input_column(closing)}) / 2.0)"
            return Compiled(sql, dim, {opening, closing})
        inner = self.visit(arg)
        if fname == "annualise":
            return _derive(f"({inner.sql} * 12.0 / month_of_year)", inner.dim, inner)
        if fname == "abs":
            return _derive(f"abs({inner.sql})", inner.dim, inner)
        raise self.fail(
            f"未知函数 {fname}；可用：avg、annualise、abs",
            f"unknown function {fname}; available: avg, annualise, abs",
        )


def _derive(sql: str, dim: Dim, *parts: Compiled) -> Compiled:
    out = Compiled(sql, dim)
    for part in parts:
        out.inputs |= part.inputs
        out.denominators.extend(part.denominators)
        out.indicators |= part.indicators
    return out


def _dim_en(dim: Dim) -> str:
    names = {(0, 0): "ratio", (1, 0): "money", (0, 1): "headcount", (1, -1): "money per head"}
    return names.get(dim, f"money^{dim[0]}·headcount^{dim[1]}")


def _dim_zh(dim: Dim) -> str:
    names = {(0, 0): "比率", (1, 0): "金额", (0, 1): "人数", (1, -1): "人均金额"}
    return names.get(dim, f"金额^{dim[0]}·人数^{dim[1]}")
