"""Site-selection errors of the planning service, said in zh and en.

Codes from ZG-PLAN-050 on; the solver (:mod:`.solver`) owns the lower codes (its
``Infeasible`` among them)::

    InputError                   ZG-INPUT-001 (core)
    ├── PlanRequestInvalid       ZG-PLAN-050 a plan request that does not make sense
    ├── TargetUnreachable        ZG-PLAN-051 the target share is above what the candidates reach
    ├── NoCandidates             ZG-PLAN-052 no outdoor candidate site in scope
    ├── UnknownExclusion         ZG-PLAN-053 an excluded site code that does not exist
    └── DemandEmpty              ZG-PLAN-055 the demand raster carries no weight
    NotFound                     ZG-NF-001 (core)
    └── PlanNotFound             ZG-PLAN-054 no such plan (or none yet)
"""

from __future__ import annotations

from zhiguo.core.errors import InputError, Location, NotFound

__all__ = [
    "DemandEmpty",
    "NoCandidates",
    "PlanNotFound",
    "PlanRequestInvalid",
    "TargetUnreachable",
    "UnknownExclusion",
]


class PlanRequestInvalid(InputError):
    """Mode, target and budget do not fit together (set cover needs a target in (0, 1],
    max cover a budget ≥ 0), or a number is out of range."""

    code = "ZG-PLAN-050"
    title_zh = "选址规划请求无效"
    title_en = "Invalid site-selection request"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(message_zh, message_en, location=Location(field=field))


class TargetUnreachable(InputError):
    """Even every allowed candidate together covers less demand than the target asks."""

    code = "ZG-PLAN-051"
    title_zh = "覆盖目标无法达到"
    title_en = "Coverage target not reachable"

    def __init__(self, target: float, reachable: float) -> None:
        self.target = target
        self.reachable = reachable
        super().__init__(
            f"覆盖目标 {target:.2%} 无法达到：所有可用候选站点合计最多覆盖 {reachable:.2%} 的需求",
            f"coverage target {target:.2%} is not reachable: all allowed candidate sites "
            f"together cover at most {reachable:.2%} of the demand",
            location=Location(field="target_coverage"),
            details={"target": target, "reachable": reachable},
        )


class NoCandidates(InputError):
    """Nothing to choose from: no outdoor site in the caller's scope."""

    code = "ZG-PLAN-052"
    title_zh = "没有候选站点"
    title_en = "No candidate sites"

    def __init__(self) -> None:
        super().__init__(
            "范围内没有可用于室外覆盖的站点（请先导入站点：zhiguo sites import）",
            "no outdoor site in scope to plan with (import sites first: zhiguo sites import)",
        )


class UnknownExclusion(InputError):
    """An excluded site code names no site."""

    code = "ZG-PLAN-053"
    title_zh = "排除的站点不存在"
    title_en = "Unknown excluded site"

    def __init__(self, codes: list[str]) -> None:
        shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
        super().__init__(
            f"排除列表中的站点编码不存在：{shown}",
            f"excluded site codes that do not exist: {shown}",
            location=Location(field="exclude"),
        )


class PlanNotFound(NotFound):
    code = "ZG-PLAN-054"
    title_zh = "规划不存在"
    title_en = "Plan not found"
    may_hide_scope = False  # whole-portfolio data for regulators: absence is an answer

    def __init__(self, plan_id: int | None = None) -> None:
        if plan_id is None:
            super().__init__("尚无选址规划", "no site-selection plan yet")
        else:
            super().__init__(f"选址规划 {plan_id} 不存在", f"plan {plan_id} does not exist")


class DemandEmpty(InputError):
    code = "ZG-PLAN-055"
    title_zh = "需求为空"
    title_en = "No demand"

    def __init__(self) -> None:
        super().__init__(
            "需求栅格的总权重为 0，无可规划的覆盖对象",
            "the demand raster's total weight is 0: there is nothing to cover",
        )
