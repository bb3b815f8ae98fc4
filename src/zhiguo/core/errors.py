"""The one error tree of zhiguo.

Every error a user can see carries a stable code, a message in Chinese and English, and the
location it concerns, so the API, the CLI and the UI can all say exactly what is wrong and
where — and so that support can search for a code rather than for a translated sentence::

    ZhiguoError                      ZG-000  anything the platform reports on purpose
    ├── ConfigError                  ZG-CONF-001  settings or workspace unusable
    │   └── WorkspaceError           ZG-CONF-002  no workspace / not a workspace
    ├── InputError                   ZG-INPUT-001 a value a caller gave is invalid (400/422)
    │   ├── InvalidUSCC              ZG-INPUT-010 unified social credit code fails GB 32100
    │   ├── InvalidPeriod            ZG-INPUT-011 not a monthly period
    │   ├── TooLarge                 ZG-INPUT-012 an upload over the size limit (413)
    │   └── ImportRejected           ZG-INPUT-100 a file import with problems; nothing written
    ├── AuthError                    ZG-AUTH-001  not logged in / bad credentials (401)
    ├── PermissionDenied             ZG-AUTH-003  logged in but not allowed (403)
    ├── NotFound                     ZG-NF-001    no such object, or not in the caller's scope (404)
    ├── Conflict                     ZG-CONFLICT-001 clashes with existing state (409)
    └── DependencyMissing            ZG-DEP-001   an optional extra or server is not installed

Packages subclass these in their own ``errors.py`` with their own codes (``ZG-REG-…``).
Domain code never raises HTTP errors; ``web`` maps ``http_status`` to problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "DependencyMissing",
    "ImportRejected",
    "InputError",
    "InvalidPeriod",
    "InvalidUSCC",
    "Location",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "TooLarge",
    "WorkspaceError",
    "ZhiguoError",
    "render_problem",
]


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, sheet, row (1-based as a spreadsheet shows it), column, field."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def describe(self, lang: str = "zh") -> str:
        """A short human text such as ``文件 a.xlsx，工作表 企业，第 3 行，列 uscc``."""
        zh = lang.startswith("zh")
        parts: list[str] = []
        if self.file:
            parts.append(f"文件 {self.file}" if zh else f"file {self.file}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}" if zh else f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if zh else f"row {self.row}")
        if self.column:
            parts.append(f"列 {self.column}" if zh else f"column {self.column}")
        if self.field and self.field != self.column:
            parts.append(f"字段 {self.field}" if zh else f"field {self.field}")
        return ("，" if zh else ", ").join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Problem:
    """One finding of a validation: the rule it broke, where, and how bad (error blocks)."""

    code: str
    rule: str
    message_zh: str
    message_en: str
    location: Location = field(default_factory=Location)
    severity: str = "error"

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "location": self.location.as_dict(),
        }


def render_problem(
    rules: Mapping[str, tuple[str, str, str]],
    rule: str,
    location: Location,
    severity: str = "error",
    **fields: Any,
) -> Problem:
    """A located :class:`Problem` for ``rule`` of a package's rule table (rule id → code, zh
    template, en template), its message rendered in both languages. ``detail_en`` and
    ``column_en`` default to their zh values, so a template may use either."""
    code, zh, en = rules[rule]
    fields.setdefault("detail_en", fields.get("detail", ""))
    fields.setdefault("column_en", fields.get("column", ""))
    return Problem(
        code=code,
        rule=rule,
        message_zh=zh.format(**fields),
        message_en=en.format(**fields),
        location=location,
        severity=severity,
    )


class ZhiguoError(Exception):
    """Base of every error zhiguo reports on purpose."""

    code: ClassVar[str] = "ZG-000"
    http_status: ClassVar[int] = 500
    title_zh: ClassVar[str] = "平台错误"
    title_en: ClassVar[str] = "Platform error"

    def __init__(
        self,
        message_zh: str | None = None,
        message_en: str | None = None,
        *,
        location: Location | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message_zh = message_zh or self.title_zh
        self.message_en = message_en or self.title_en
        self.location = location or Location()
        self.details = details or {}
        super().__init__(self.message_en)

    def message(self, lang: str = "zh") -> str:
        text = self.message_zh if lang.startswith("zh") else self.message_en
        where = self.location.describe(lang)
        return (
            f"{text}（{where}）"
            if where and lang.startswith("zh")
            else (f"{text} ({where})" if where else text)
        )

    def __str__(self) -> str:
        return f"[{self.code}] {self.message('zh')} / {self.message('en')}"


class ConfigError(ZhiguoError):
    code = "ZG-CONF-001"
    title_zh = "配置错误"
    title_en = "Configuration error"


class WorkspaceError(ConfigError):
    code = "ZG-CONF-002"
    title_zh = "工作区不可用"
    title_en = "Workspace unusable"


class InputError(ZhiguoError):
    code = "ZG-INPUT-001"
    http_status = 422
    title_zh = "输入无效"
    title_en = "Invalid input"


class InvalidUSCC(InputError):
    code = "ZG-INPUT-010"
    title_zh = "统一社会信用代码无效"
    title_en = "Invalid unified social credit code"


class InvalidPeriod(InputError):
    code = "ZG-INPUT-011"
    title_zh = "期间无效"
    title_en = "Invalid period"


class TooLarge(InputError):
    code = "ZG-INPUT-012"
    http_status = 413
    title_zh = "文件过大"
    title_en = "File too large"


class ImportRejected(InputError):
    """A file import found errors: it lists every problem and wrote nothing."""

    code = "ZG-INPUT-100"
    title_zh = "导入被拒绝，未写入任何数据"
    title_en = "Import rejected; nothing was written"

    def __init__(self, problems: list[Problem], *, file: str | None = None) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(
            f"导入被拒绝：发现 {len(errors)} 个错误，未写入任何数据",
            f"Import rejected: {len(errors)} error(s) found; nothing was written",
            location=Location(file=file),
            details={"problems": [p.as_dict() for p in problems]},
        )


class AuthError(ZhiguoError):
    code = "ZG-AUTH-001"
    http_status = 401
    title_zh = "需要登录或凭据错误"
    title_en = "Authentication required or credentials invalid"


class PermissionDenied(ZhiguoError):
    code = "ZG-AUTH-003"
    http_status = 403
    title_zh = "无权执行此操作"
    title_en = "Not allowed"


class NotFound(ZhiguoError):
    """Also what an out-of-scope caller gets, so a 404 never tells that an object exists."""

    code = "ZG-NF-001"
    http_status = 404
    title_zh = "未找到"
    title_en = "Not found"
    may_hide_scope: ClassVar[bool] = True
    """True where the 404 may stand for an object outside the caller's scope, so the web layer
    counts it as a refusal (入侵防范). False for "nothing published yet" on whole-portfolio
    data, where a 404 is an answer, not a denial."""


class Conflict(ZhiguoError):
    code = "ZG-CONFLICT-001"
    http_status = 409
    title_zh = "与现有数据冲突"
    title_en = "Conflicts with existing data"


class DependencyMissing(ZhiguoError):
    code = "ZG-DEP-001"
    title_zh = "缺少可选组件"
    title_en = "Optional component missing"
