"""Radio-model errors: an input the TR 38.901 model cannot take, said in zh and en.

Each names the parameter, the value given and the range that is valid, so a planner can fix
the one number that is wrong::

    InputError                    ZG-INPUT-001 (core)
    └── RadioError                ZG-RADIO-001 invalid radio-model input
        ├── OutOfRange            ZG-RADIO-002 a parameter outside its validity range
        ├── UnknownScenario       ZG-RADIO-003 not UMa / UMi / RMa / InH
        ├── UnknownBand           ZG-RADIO-004 not a band of the band table
        └── NeedsRandomness       ZG-RADIO-005 UMa hUT >= 13 m draws hE: give a seed or hE
"""

from __future__ import annotations

from zhiguo.core.errors import InputError, Location

__all__ = ["NeedsRandomness", "OutOfRange", "RadioError", "UnknownBand", "UnknownScenario"]


class RadioError(InputError):
    """A value given to the radio model is unusable (not finite, wrong shape, …)."""

    code = "ZG-RADIO-001"
    title_zh = "无线传播模型输入无效"
    title_en = "Invalid radio-model input"


def _fmt(value: float) -> str:
    return f"{value:g}"


class OutOfRange(RadioError):
    """A parameter lies outside the range where the formula is valid (or defined)."""

    code = "ZG-RADIO-002"
    title_zh = "参数超出适用范围"
    title_en = "Parameter outside its validity range"

    def __init__(
        self,
        parameter: str,
        value: float,
        low: float,
        high: float,
        *,
        unit: str = "",
        context: str = "",
        source: str = "3GPP TR 38.901 Table 7.4.1-1",
        count: int = 1,
    ) -> None:
        where = f"{context} " if context else ""
        more_zh = f"（共 {count} 个值越界）" if count > 1 else ""
        more_en = f" ({count} values out of range)" if count > 1 else ""
        super().__init__(
            f"参数 {parameter} = {_fmt(value)} {unit}".rstrip()
            + f" 超出 {where}适用范围 [{_fmt(low)}, {_fmt(high)}] {unit}".rstrip()
            + f"（{source}）{more_zh}",
            f"parameter {parameter} = {_fmt(value)} {unit}".rstrip()
            + f" is outside the {where}valid range [{_fmt(low)}, {_fmt(high)}] {unit}".rstrip()
            + f" ({source}){more_en}",
            location=Location(field=parameter),
            details={
                "parameter": parameter,
                "value": value,
                "low": low,
                "high": high,
                "unit": unit,
                "count": count,
            },
        )
        self.parameter = parameter
        self.value = value
        self.low = low
        self.high = high


class UnknownScenario(RadioError):
    code = "ZG-RADIO-003"
    title_zh = "未知的传播场景"
    title_en = "Unknown propagation scenario"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"未知的传播场景 {name!r}，可选：{', '.join(known)}",
            f"unknown propagation scenario {name!r}; known: {', '.join(known)}",
            location=Location(field="scenario"),
            details={"scenario": name, "known": known},
        )


class UnknownBand(RadioError):
    code = "ZG-RADIO-004"
    title_zh = "未知的频段"
    title_en = "Unknown band"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"未知的频段 {name!r}，可选：{', '.join(known)}",
            f"unknown band {name!r}; known: {', '.join(known)}",
            location=Location(field="band"),
            details={"band": name, "known": known},
        )


class NeedsRandomness(RadioError):
    """TR 38.901 Table 7.4.1-1 Note 1: for UMa with hUT >= 13 m the effective environment
    height hE is random per link; the model will not silently pick one."""

    code = "ZG-RADIO-005"
    title_zh = "UMa 高层用户需要随机数"
    title_en = "UMa upper-floor user needs randomness"

    def __init__(self, hut: float) -> None:
        super().__init__(
            f"UMa 场景 hUT = {_fmt(hut)} m ≥ 13 m 时有效环境高度 hE 为随机量"
            "（TR 38.901 表 7.4.1-1 注 1）：请给出随机种子（--seed）或 hE（--he）",
            f"UMa with hUT = {_fmt(hut)} m >= 13 m draws the effective environment height hE "
            "at random (TR 38.901 Table 7.4.1-1 Note 1): give a seed (--seed) or hE (--he)",
            location=Location(field="hut"),
            details={"hut": hut},
        )
