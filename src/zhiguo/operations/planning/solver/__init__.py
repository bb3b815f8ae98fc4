"""Site-selection solvers (set cover / maximal covering) with certified bounds.

``solve_set_cover`` / ``solve_max_cover`` are ours (reductions, Lagrangian bound, core
sub-MIP); ``greedy_*`` and ``highs_*`` are the baselines the benchmark compares against.
"""

from zhiguo.operations.planning.solver.greedy import greedy_max_cover, greedy_set_cover
from zhiguo.operations.planning.solver.highs import highs_max_cover, highs_set_cover
from zhiguo.operations.planning.solver.lagrangian import solve_max_cover, solve_set_cover
from zhiguo.operations.planning.solver.problem import (
    CoverProblem,
    Infeasible,
    Plan,
    PlanInputError,
)

__all__ = [
    "CoverProblem",
    "Infeasible",
    "Plan",
    "PlanInputError",
    "greedy_max_cover",
    "greedy_set_cover",
    "highs_max_cover",
    "highs_set_cover",
    "solve_max_cover",
    "solve_set_cover",
]
