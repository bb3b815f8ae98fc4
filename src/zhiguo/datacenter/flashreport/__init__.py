"""The monthly flash report (财务快报): item dictionary, dimensions, audit rules, the dataset.

The data centre's first dataset. Items and rules are data files versioned by year
(``items.csv``, ``rules.toml``); see ``shared/domain/supervision.md`` for the sources.
"""

from zhiguo.datacenter.flashreport.datasets import FLASH_REPORT
from zhiguo.datacenter.flashreport.items import (
    CALIBERS,
    KIND_CALIBERS,
    REPORT_TYPES,
    SCOPES,
    UNITS,
    Item,
    all_items,
    items_for_year,
    label_to_code,
)
from zhiguo.datacenter.flashreport.rules import AuditRule, rules_for_year
from zhiguo.datacenter.flashreport.template import write_template, write_template_in

__all__ = [
    "CALIBERS",
    "FLASH_REPORT",
    "KIND_CALIBERS",
    "REPORT_TYPES",
    "SCOPES",
    "UNITS",
    "AuditRule",
    "Item",
    "all_items",
    "items_for_year",
    "label_to_code",
    "rules_for_year",
    "write_template",
    "write_template_in",
]
