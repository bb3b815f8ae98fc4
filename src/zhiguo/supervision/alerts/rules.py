"""Early-warning rules as versioned data: the built-in ``rules.toml`` plus any file a deployment
adds, each checked completely before any of it is used.

A rule file is TOML with one ``[[rule]]`` table per rule version (see ``rules.toml``). Each
family declares its parameters here (:data:`FAMILY_PARAMS`: type, default, allowed values),
so a typo, a missing parameter, an unknown family or severity, or an indicator the library
does not know (when the caller passes ``known_indicators``) is rejected with the file, the line
and the field, in Chinese and English — and the whole file is refused.

For a given year the version of a rule in force is the one with the latest ``valid_from`` whose
years cover it; ``enabled = false`` in that version switches the rule off from then on.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from zhiguo.core.errors import Location, Problem
from zhiguo.registry import IndustryCategory
from zhiguo.supervision.alerts.errors import RuleFileRejected, problem

__all__ = [
    "ALERT_LEVELS",
    "FAMILIES",
    "FAMILY_PARAMS",
    "SEVERITIES",
    "AlertRule",
    "ParamSpec",
    "RuleSet",
    "builtin_rules",
    "load_rules",
    "parse_rules",
    "severity_rank",
]

SEVERITIES: tuple[str, ...] = ("yellow", "orange", "red")
"""Severities from mild to grave (黄 / 橙 / 红)."""

SEVERITY_ZH: Mapping[str, str] = MappingProxyType({"yellow": "黄", "orange": "橙", "red": "红"})

ALERT_LEVELS: tuple[str, ...] = ("entity", "group", "subtree")
"""Indicator levels a rule may look at (the portfolio is no enterprise, so it raises none)."""

FAMILIES: tuple[str, ...] = (
    "threshold",
    "trend",
    "yoy",
    "peer",
    "guarantee",
    "loss",
    "data_quality",
)

_CATEGORIES: tuple[str, ...] = (*(c.value for c in IndustryCategory), "all")
_KEYS = ("section", "division", "category")
_CODE = re.compile(r"^[a-z][a-z0-9_.\-]{1,63}$")
_INDICATOR = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_FIELDS = (
    "code",
    "version",
    "valid_from",
    "valid_to",
    "family",
    "title_zh",
    "title_en",
    "severity",
    "enabled",
    "params",
)


def severity_rank(severity: str) -> int:
    """0 yellow, 1 orange, 2 red."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a family takes: its kind, default, and allowed values or lower bound."""

    kind: str  # str | indicator | choice | int | float | levels | severity_map | ...
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None


def _choice(*choices: str, default: str | None = None) -> ParamSpec:
    return ParamSpec("choice", required=default is None, default=default, choices=choices)


_IND = {
    "indicator": ParamSpec("indicator", required=True),
    "caliber": ParamSpec("str", default="default"),
    "levels": ParamSpec("levels", default=("entity", "group")),
}

FAMILY_PARAMS: Mapping[str, Mapping[str, ParamSpec]] = MappingProxyType(
    {
        "threshold": {
            **_IND,
            "direction": _choice("above", "below", default="above"),
            "baseline": _choice("median", "mean", "none", default="median"),
            "baseline_key": _choice(*_KEYS, default="section"),
            "baseline_min_n": ParamSpec("int", default=3, minimum=1),
            "offsets": ParamSpec("severity_map", default={}),
            "fixed_lines": ParamSpec("category_lines", default={}),
            "combine": _choice("stricter", "override", "baseline", "fixed", default="stricter"),
        },
        "trend": {
            **_IND,
            "n": ParamSpec("int", default=3, minimum=1),
            "compare": _choice("previous", "yoy", default="previous"),
        },
        "yoy": {
            **_IND,
            "change": _choice("pp", "pct", default="pp"),
            "direction": _choice("rise", "drop", "both"),
            "threshold": ParamSpec("float", required=True, minimum=0.0),
        },
        "peer": {
            **_IND,
            "levels": ParamSpec("levels", default=("entity",)),
            "k": ParamSpec("float", default=3.5, minimum=0.0),
            "direction": _choice("high", "low", "both", default="both"),
            "peer_key": _choice(*_KEYS, default="section"),
            "min_peers": ParamSpec("int", default=5, minimum=3),
        },
        "guarantee": {
            "indicator": ParamSpec("indicator", required=True),
            "caliber": ParamSpec("str", default="default"),
            "caps": ParamSpec("level_map", required=True),
        },
        "loss": {
            "measure": _choice("net_loss", "loss_share"),
            "indicator": ParamSpec("indicator"),
            "caliber": ParamSpec("str", default="default"),
            "levels": ParamSpec("levels"),
            "max_pct": ParamSpec("float", minimum=0.0),
        },
        "data_quality": {
            "check": _choice("missing", "late", "batch_warnings"),
            "dataset": ParamSpec("str", default="flash_report"),
        },
    }
)
"""family → parameter → spec; every family also takes ``escalate_after`` (int ≥ 1, default 2)."""

_COMMON = {"escalate_after": ParamSpec("int", default=2, minimum=1)}


@dataclass(frozen=True)
class AlertRule:
    """One version of an early-warning rule, its parameters checked and defaulted."""

    code: str
    version: str
    valid_from: int
    valid_to: int | None
    family: str
    title_zh: str
    title_en: str
    severity: str | None
    params: Mapping[str, Any]
    enabled: bool = True
    source: str = "builtin"
    line: int | None = None

    def applies_to(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def escalate_after(self) -> int:
        return int(self.params["escalate_after"])

    @property
    def indicator(self) -> str | None:
        value = self.params.get("indicator")
        return None if value is None else str(value)

    @property
    def caliber(self) -> str:
        return str(self.params.get("caliber", "default"))

    @property
    def levels(self) -> tuple[str, ...]:
        if self.family == "guarantee":
            return tuple(sorted(self.params["caps"]))
        return tuple(self.params.get("levels") or ("entity",))

    @property
    def years(self) -> str:
        """``2023–2024`` or ``2025–``."""
        return f"{self.valid_from}–{self.valid_to or ''}"

    def severities(self) -> tuple[str, ...]:
        """The severities this rule can raise, mild to grave."""
        if self.family != "threshold":
            return (self.severity or "yellow",)
        found = set(self.params["offsets"])
        for lines in self.params["fixed_lines"].values():
            found |= set(lines)
        return tuple(s for s in SEVERITIES if s in found)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "family": self.family,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "severity": self.severity,
            "severities": list(self.severities()),
            "enabled": self.enabled,
            "source": self.source,
            "params": _plain(self.params),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class RuleSet:
    """Every version of every rule; :meth:`in_force` picks what applies in a year."""

    rules: tuple[AlertRule, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[AlertRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def in_force(self, year: int) -> tuple[AlertRule, ...]:
        """The enabled version of each rule code in force in ``year``, sorted by code."""
        chosen: dict[str, AlertRule] = {}
        for rule in self.rules:
            if not rule.applies_to(year):
                continue
            known = chosen.get(rule.code)
            if known is None or rule.valid_from > known.valid_from:
                chosen[rule.code] = rule
        return tuple(r for _, r in sorted(chosen.items()) if r.enabled)

    def get(self, code: str, year: int) -> AlertRule | None:
        return next((r for r in self.in_force(year) if r.code == code), None)

    def extended(self, more: Iterable[AlertRule], *, file: str) -> RuleSet:
        """This set plus ``more`` (a deployment's file); clashes reject the file."""
        added = list(more)
        problems = _clashes([*self.rules, *added], first_new=len(self.rules))
        if problems:
            raise RuleFileRejected(problems, file=file)
        return RuleSet((*self.rules, *added))


# --- parsing -----------------------------------------------------------------------------------


class _Lines:
    """Best-effort line numbers in a TOML text: where each ``[[rule]]`` starts and where a key
    is written inside it (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.starts = [
            n
            for n, line in enumerate(self.lines, start=1)
            if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)
        ]

    def rule(self, index: int) -> int | None:
        return self.starts[index] if index < len(self.starts) else None

    def key(self, index: int, key: str, *, in_params: bool = False) -> int | None:
        """The line of ``key`` inside rule ``index``; for a parameter not written, the line of
        the rule's parameters; else the rule's first line."""
        start = self.rule(index)
        if start is None:
            return None
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lines) + 1
        name = re.escape(key)
        patterns = [re.compile(rf"^\s*({name}\s*=|\[\s*rule\.params\.{name}\s*\])")]
        if in_params:
            patterns.append(re.compile(r"^\s*(\[\s*rule\.params\s*\]|params\s*=)"))
        for pattern in patterns:
            for n in range(start, end):
                if pattern.match(self.lines[n - 1]):
                    return n
        return start


class _Checker:
    def __init__(self, file: str, lines: _Lines, index: int, code: str) -> None:
        self.file, self.lines, self.index, self.code = file, lines, index, code
        self.problems: list[Problem] = []

    def add(self, rule: str, key: str, **fields: Any) -> None:
        name = key.rsplit(".", 1)[-1]
        location = Location(
            file=self.file,
            row=self.lines.key(self.index, name, in_params=key.startswith("params.")),
            field=f"rule[{self.index + 1}].{key}",
        )
        self.problems.append(problem(rule, location, rule_code=self.code, **fields))


def _detail(zh: str, en: str) -> dict[str, str]:
    return {"detail": zh, "detail_en": en}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _param(
    chk: _Checker,
    name: str,
    spec: ParamSpec,
    value: Any,
    known_indicators: Collection[str] | None,
) -> Any:
    key = f"params.{name}"

    def bad(zh: str, en: str) -> None:
        chk.add("param.type", key, param=name, **_detail(zh, en))

    if spec.kind in ("str", "indicator"):
        if not isinstance(value, str) or not value.strip():
            bad("应为非空文本", "must be non-empty text")
            return None
        if spec.kind == "indicator":
            if not _INDICATOR.match(value):
                bad(f"指标编码 {value!r} 格式无效", f"indicator code {value!r} is malformed")
                return None
            if known_indicators is not None and value not in known_indicators:
                chk.add("param.unknown_indicator", key, value=value)
                return None
        return value
    if spec.kind == "choice":
        if value not in spec.choices:
            allowed = " / ".join(spec.choices)
            bad(f"{value!r} 不在可选值 {allowed} 中", f"{value!r} is not one of {allowed}")
            return None
        return value
    if spec.kind in ("int", "float"):
        ok = isinstance(value, int) and not isinstance(value, bool) if spec.kind == "int" else None
        if spec.kind == "float":
            ok = _number(value)
        if not ok:
            kind_zh = "整数" if spec.kind == "int" else "数字"
            bad(f"应为{kind_zh}，收到 {value!r}", f"must be a {spec.kind}, got {value!r}")
            return None
        if spec.minimum is not None and value < spec.minimum:
            bad(f"不能小于 {spec.minimum:g}", f"must be at least {spec.minimum:g}")
            return None
        return float(value) if spec.kind == "float" else int(value)
    if spec.kind == "levels":
        allowed = " / ".join(ALERT_LEVELS)
        if (
            not isinstance(value, list)
            or not value
            or any(v not in ALERT_LEVELS for v in value)
            or len(set(value)) != len(value)
        ):
            bad(f"应为层级列表（{allowed}）", f"must be a list of levels ({allowed})")
            return None
        return tuple(value)
    if spec.kind == "severity_map":
        return _severity_map(chk, key, name, value)
    if spec.kind == "level_map":
        allowed = " / ".join(ALERT_LEVELS)
        if (
            not isinstance(value, dict)
            or not value
            or any(k not in ALERT_LEVELS or not _number(v) for k, v in value.items())
        ):
            bad(
                f"应为 层级 = 数值 的表（{allowed}）",
                f"must be a table of level = number ({allowed})",
            )
            return None
        return MappingProxyType({k: float(v) for k, v in value.items()})
    if spec.kind == "category_lines":
        allowed = " / ".join(_CATEGORIES)
        if not isinstance(value, dict) or any(k not in _CATEGORIES for k in value):
            bad(
                f"应为 行业类别 = 线 的表（{allowed}）",
                f"must be a table of category = lines ({allowed})",
            )
            return None
        out = {}
        for category, lines in value.items():
            parsed = _severity_map(chk, f"{key}.{category}", name, lines)
            if parsed is None:
                return None
            out[category] = parsed
        return MappingProxyType(out)
    raise AssertionError(spec.kind)  # pragma: no cover - specs are ours


def _severity_map(chk: _Checker, key: str, name: str, value: Any) -> Mapping[str, float] | None:
    if not isinstance(value, dict) or any(not _number(v) for v in value.values()):
        chk.add(
            "param.type",
            key,
            param=name,
            **_detail("应为 预警等级 = 数值 的表", "must be a table of severity = number"),
        )
        return None
    for sev in value:
        if sev not in SEVERITIES:
            chk.add("rule.bad_severity", key, value=sev)
            return None
    return MappingProxyType({k: float(v) for k, v in value.items()})


def _params(
    chk: _Checker, family: str, raw: Any, known_indicators: Collection[str] | None
) -> dict[str, Any]:
    specs = {**FAMILY_PARAMS[family], **_COMMON}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        chk.add("rule.field_type", "params", field="params", **_detail("应为表", "must be a table"))
        return {}
    out: dict[str, Any] = {}
    for name in raw:
        if name not in specs:
            chk.add(
                "param.unknown",
                f"params.{name}",
                param=name,
                family=family,
                allowed=", ".join(specs),
            )
    for name, spec in specs.items():
        if name in raw:
            out[name] = _param(chk, name, spec, raw[name], known_indicators)
        elif spec.required:
            chk.add("param.missing", f"params.{name}", param=name)
        else:
            out[name] = spec.default
    _cross_checks(chk, family, out)
    return out


def _cross_checks(chk: _Checker, family: str, p: dict[str, Any]) -> None:
    if family == "threshold":
        has_base = p.get("baseline") not in (None, "none") and bool(p.get("offsets"))
        has_fixed = bool(p.get("fixed_lines"))
        combine = p.get("combine")
        if combine == "baseline" and not has_base:
            chk.add("param.missing", "params.offsets", param="baseline + offsets")
        elif combine == "fixed" and not has_fixed:
            chk.add("param.missing", "params.fixed_lines", param="fixed_lines")
        elif not (has_base or has_fixed):
            chk.add("param.missing", "params.offsets", param="offsets / fixed_lines")
    if family == "loss":
        measure = p.get("measure")
        if measure == "loss_share" and p.get("max_pct") is None:
            chk.add("param.missing", "params.max_pct", param="max_pct")
        if p.get("indicator") is None and measure is not None:
            p["indicator"] = "net_profit" if measure == "net_loss" else "loss_share"
        if p.get("levels") is None:
            p["levels"] = ("entity",) if measure == "net_loss" else ("group", "subtree")


def _year(chk: _Checker, entry: dict[str, Any], name: str, required: bool) -> int | None:
    value = entry.get(name)
    if value is None:
        if required:
            chk.add("rule.field_missing", name, field=name)
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 9999:
        chk.add(
            "rule.bad_years",
            name,
            **_detail(f"{name} 应为年份，收到 {value!r}", f"{name} must be a year, got {value!r}"),
        )
        return None
    return value


def _text(chk: _Checker, entry: dict[str, Any], name: str, limit: int = 300) -> str | None:
    value = entry.get(name)
    if value is None:
        chk.add("rule.field_missing", name, field=name)
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "version":
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        chk.add(
            "rule.field_type",
            name,
            field=name,
            **_detail(
                f"应为不超过 {limit} 字的文本", f"must be text of at most {limit} characters"
            ),
        )
        return None
    return value.strip()


def _rule(
    entry: Any,
    index: int,
    file: str,
    lines: _Lines,
    known_indicators: Collection[str] | None,
) -> tuple[AlertRule | None, list[Problem]]:
    code_raw = entry.get("code") if isinstance(entry, dict) else None
    code = code_raw if isinstance(code_raw, str) else f"#{index + 1}"
    chk = _Checker(file, lines, index, code)
    if not isinstance(entry, dict):
        chk.add("rule.field_type", "rule", field="rule", **_detail("应为表", "must be a table"))
        return None, chk.problems
    for name in entry:
        if name not in _TOP_FIELDS:
            chk.add("rule.field_unknown", name, field=name, allowed=", ".join(_TOP_FIELDS))
    parsed_code = _text(chk, entry, "code", 64)
    if parsed_code is not None and not _CODE.match(parsed_code):
        chk.add(
            "rule.field_type",
            "code",
            field="code",
            **_detail(
                "只能用小写字母、数字和 . _ -，以字母开头",
                "use lower-case letters, digits and . _ - , starting with a letter",
            ),
        )
    version = _text(chk, entry, "version", 20)
    valid_from = _year(chk, entry, "valid_from", required=True)
    valid_to = _year(chk, entry, "valid_to", required=False)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        chk.add(
            "rule.bad_years",
            "valid_to",
            **_detail(
                f"valid_to {valid_to} 早于 valid_from {valid_from}",
                f"valid_to {valid_to} is before valid_from {valid_from}",
            ),
        )
    title_zh = _text(chk, entry, "title_zh")
    title_en = _text(chk, entry, "title_en")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        chk.add(
            "rule.field_type",
            "enabled",
            field="enabled",
            **_detail("应为 true/false", "must be true/false"),
        )
    family = entry.get("family")
    params: dict[str, Any] = {}
    if family is None:
        chk.add("rule.field_missing", "family", field="family")
    elif family not in FAMILIES:
        chk.add("rule.unknown_family", "family", value=family, allowed=", ".join(FAMILIES))
    else:
        params = _params(chk, family, entry.get("params"), known_indicators)
    severity = entry.get("severity")
    if severity is None:
        if family in FAMILIES and family != "threshold":
            chk.add("rule.field_missing", "severity", field="severity")
    elif severity not in SEVERITIES:
        chk.add("rule.bad_severity", "severity", value=severity)
    if chk.problems:
        return None, chk.problems
    assert parsed_code and version and valid_from and title_zh and title_en and family
    rule = AlertRule(
        code=parsed_code,
        version=version,
        valid_from=valid_from,
        valid_to=valid_to,
        family=family,
        title_zh=title_zh,
        title_en=title_en,
        severity=severity,
        params=MappingProxyType(params),
        enabled=bool(enabled),
        source=file,
        line=lines.rule(index),
    )
    return rule, []


def _clashes(rules: Sequence[AlertRule], first_new: int = 0) -> list[Problem]:
    """Duplicate (code, version), or two versions of a code starting in the same year."""
    problems: list[Problem] = []
    versions: dict[tuple[str, str], AlertRule] = {}
    starts: dict[tuple[str, int], AlertRule] = {}
    for n, rule in enumerate(rules):
        where = Location(file=rule.source, row=rule.line, field="version")
        first = versions.get((rule.code, rule.version))
        other = starts.get((rule.code, rule.valid_from))
        if n >= first_new and first is not None:
            problems.append(
                problem(
                    "rule.duplicate_version",
                    where,
                    rule_code=rule.code,
                    version=rule.version,
                    first=f"{first.source}:{first.line}",
                )
            )
        elif n >= first_new and other is not None:
            problems.append(
                problem(
                    "rule.same_start",
                    Location(file=rule.source, row=rule.line, field="valid_from"),
                    rule_code=rule.code,
                    version=rule.version,
                    other=other.version,
                    year=rule.valid_from,
                )
            )
        versions.setdefault((rule.code, rule.version), rule)
        starts.setdefault((rule.code, rule.valid_from), rule)
    return problems


def parse_rules(
    text: str, *, file: str, known_indicators: Collection[str] | None = None
) -> list[AlertRule]:
    """Every rule of one rule file's ``text``; :class:`RuleFileRejected` listing every
    problem (file, line, field; zh and en) if anything is wrong. ``known_indicators``: the
    indicator library's codes, to reject a rule over an indicator that does not exist."""
    loc = Location(file=file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = Location(file=file, row=int(m.group(1))) if m else loc
        raise RuleFileRejected(
            [problem("file.syntax", where, **_detail(str(exc), str(exc)))], file=file
        ) from None
    entries = data.get("rule")
    if not isinstance(entries, list) or not entries:
        raise RuleFileRejected([problem("file.no_rules", loc)], file=file)
    lines = _Lines(text)
    rules: list[AlertRule] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        rule, found = _rule(entry, index, file, lines, known_indicators)
        problems.extend(found)
        if rule is not None:
            rules.append(rule)
    problems.extend(_clashes(rules))
    if problems:
        raise RuleFileRejected(problems, file=file)
    return rules


@cache
def builtin_rules() -> RuleSet:
    """The rule set shipped with zhiguo (``rules.toml``)."""
    text = resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8")
    return RuleSet(tuple(parse_rules(text, file="rules.toml")))


def load_rules(
    files: Iterable[Path] = (),
    *,
    known_indicators: Collection[str] | None = None,
    builtin: bool = True,
) -> RuleSet:
    """The built-in rules (unless ``builtin=False``) plus each file a deployment adds, in
    order. A file may add rule codes or new versions of built-in ones (a later
    ``valid_from`` takes over from that year); a bad file is rejected whole."""
    ruleset = builtin_rules() if builtin else RuleSet()
    if known_indicators is not None and builtin:
        # check the built-in set against the library too (a removed indicator shows here)
        text = resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8")
        parse_rules(text, file="rules.toml", known_indicators=known_indicators)
    for path in files:
        label = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            detail = _detail(str(exc), str(exc))
            raise RuleFileRejected(
                [problem("file.unreadable", Location(file=label), **detail)], file=label
            ) from None
        ruleset = ruleset.extended(
            parse_rules(text, file=label, known_indicators=known_indicators), file=label
        )
    return ruleset
