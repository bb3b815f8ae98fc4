"""Ledger errors: an objective factor that cannot be recorded, with a stable code and zh/en
text (``ZG-LEDGER-0xx``)."""

from __future__ import annotations

from zhiguo.core.errors import ConfigError, InputError

__all__ = ["FactorTypesInvalid", "InvalidAmount", "InvalidDirection", "UnknownFactorType"]


class InvalidDirection(InputError):
    code = "ZG-LEDGER-001"
    title_zh = "方向无效，应为 increase（增加）或 decrease（减少）"
    title_en = "Invalid direction; expected increase or decrease"


class UnknownFactorType(InputError):
    code = "ZG-LEDGER-002"
    title_zh = "该方向下没有此客观因素类型"
    title_en = "No such objective factor type for this direction"


class InvalidAmount(InputError):
    code = "ZG-LEDGER-003"
    title_zh = "金额应为大于 0 的有限数（元）"
    title_en = "The amount must be a finite number above 0 (yuan)"


class FactorTypesInvalid(ConfigError):
    """``factors.toml`` (or a deployment's own list) is inconsistent."""

    code = "ZG-LEDGER-050"
    title_zh = "客观因素类型配置错误"
    title_en = "Objective factor types are invalid"
