"""Site selection (5G 选址规划): which SOE sites to equip to reach a coverage target at least
cost, or to cover the most demand within a budget — with a certified bound on every plan.

:mod:`.matrix` turns sites and a demand raster into the coverage matrix, :mod:`.costs` gives
each site its cost and its pinned/excluded flags, :mod:`.solver` solves the cover problem and
:mod:`.service` runs and stores plans (``operations_plans``). See ``README.md``.
"""

from zhiguo.operations.planning.costs import EXCLUDED_STATUSES, PINNED_STATUS, CostModel, site_costs
from zhiguo.operations.planning.errors import (
    DemandEmpty,
    NoCandidates,
    PlanNotFound,
    PlanRequestInvalid,
    TargetUnreachable,
    UnknownExclusion,
)
from zhiguo.operations.planning.matrix import CoverageMatrix, coverage_matrix, site_reach_m
from zhiguo.operations.planning.models import OperationsPlan, OperationsPlanSite
from zhiguo.operations.planning.service import (
    MODES,
    PlanInputs,
    build_inputs,
    candidate_sites,
    cover_problem,
    get_plan,
    latest_plan,
    list_plans,
    load_demand,
    plan_as_dict,
    plan_for_city,
    run_plan,
)

__all__ = [
    "EXCLUDED_STATUSES",
    "MODES",
    "PINNED_STATUS",
    "CostModel",
    "CoverageMatrix",
    "DemandEmpty",
    "NoCandidates",
    "OperationsPlan",
    "OperationsPlanSite",
    "PlanInputs",
    "PlanNotFound",
    "PlanRequestInvalid",
    "TargetUnreachable",
    "UnknownExclusion",
    "build_inputs",
    "candidate_sites",
    "cover_problem",
    "coverage_matrix",
    "get_plan",
    "latest_plan",
    "list_plans",
    "load_demand",
    "plan_as_dict",
    "plan_for_city",
    "run_plan",
    "site_costs",
    "site_reach_m",
]
