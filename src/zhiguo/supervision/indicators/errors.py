"""Indicator-library errors: a definition that cannot be accepted, and why, in zh and en.

Every message names the definition it concerns (file and indicator code, or the API body) so
an analyst can fix the one line that is wrong; nothing of a rejected file is stored.
"""

from __future__ import annotations

from zhiguo.core.errors import InputError, Location

__all__ = ["FormulaError", "LibraryError"]


class LibraryError(InputError):
    """An indicator definition (or library file) is invalid; nothing was changed."""

    code = "ZG-IND-001"
    title_zh = "指标定义无效"
    title_en = "Invalid indicator definition"

    def __init__(
        self, where: str, message_zh: str, message_en: str, *, file: str | None = None
    ) -> None:
        super().__init__(
            f"指标 {where}：{message_zh}",
            f"indicator {where}: {message_en}",
            location=Location(file=file),
            details={"definition": where},
        )
        self.where = where


class FormulaError(LibraryError):
    """A formula refers to an unknown item, caliber or indicator, mixes units, refers back
    to itself, or uses syntax the language does not have."""

    code = "ZG-IND-002"
    title_zh = "指标公式无效"
    title_en = "Invalid indicator formula"
