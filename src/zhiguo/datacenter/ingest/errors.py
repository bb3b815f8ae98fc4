"""Ingest errors and the one table of ingest rules (file form + content), each with a stable
code and zh/en text. A new rule is one row in ``file_rules.py`` or ``content_rules.py`` plus
the check that raises it; a test asserts codes are unique and documented.
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import Location, Problem, render_problem
from zhiguo.datacenter.ingest.content_rules import CONTENT_RULES
from zhiguo.datacenter.ingest.file_rules import FILE_RULES

__all__ = ["RULES", "problem"]

RULES: dict[str, tuple[str, str, str]] = {**FILE_RULES, **CONTENT_RULES}


def problem(rule: str, location: Location, severity: str = "error", **fields: Any) -> Problem:
    """A located :class:`Problem` for ``rule`` of this package's rule table."""
    return render_problem(RULES, rule, location, severity, **fields)
