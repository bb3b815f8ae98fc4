"""Enterprise registry: who is who, who owns whom, over time (企业名录与产权树).

Owns the ``enterprises`` and ``ownership_edges`` tables, the tree queries (subtree, path to
root, tree as of a date, effective state ownership through chains) and the registry file
format (xlsx / CSV) with all-or-nothing imports.
"""

from .errors import RULES
from .importer import export_registry, import_registry
from .industries import IndustryCategory, category_for, normalise_industry_code
from .models import Enterprise, OwnershipEdge
from .schemas import (
    EnterpriseOut,
    EnterpriseRecord,
    EnterpriseStatus,
    ImportReport,
    OwnershipOut,
    OwnershipRecord,
    RowOutcome,
    SupervisionClass,
    TreeNode,
)
from .service import (
    children_of,
    count_enterprises,
    effective_state_ownership,
    get_enterprise,
    list_enterprises,
    load_records,
    path_to_root,
    portfolio_summary,
    refresh_levels,
    scope_filter,
    shareholders_of,
    subtree_ids,
    top_level_ids,
    tree,
)
from .tables import ownership_csv_path, write_report

__all__ = [
    "RULES",
    "Enterprise",
    "EnterpriseOut",
    "EnterpriseRecord",
    "EnterpriseStatus",
    "ImportReport",
    "IndustryCategory",
    "OwnershipEdge",
    "OwnershipOut",
    "OwnershipRecord",
    "RowOutcome",
    "SupervisionClass",
    "TreeNode",
    "category_for",
    "children_of",
    "count_enterprises",
    "effective_state_ownership",
    "export_registry",
    "get_enterprise",
    "import_registry",
    "list_enterprises",
    "load_records",
    "normalise_industry_code",
    "ownership_csv_path",
    "path_to_root",
    "portfolio_summary",
    "refresh_levels",
    "scope_filter",
    "shareholders_of",
    "subtree_ids",
    "top_level_ids",
    "tree",
    "write_report",
]
