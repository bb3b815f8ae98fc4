"""A consistent fictitious flash report for tests: every identity, subtotal and cross-period
rule holds, so a test can break exactly one thing and expect exactly one problem."""

from __future__ import annotations

import csv
from pathlib import Path

from zhiguo.core.periods import Period

__all__ = ["BASE_BALANCES", "BASE_FLOWS", "flash_report_rows", "write_csv"]

# closing balances in 元 (opening = the same, so last year's December closing matches)
BASE_BALANCES: dict[str, float] = {
    "total_assets": 1_000_000.0,
    "current_assets": 400_000.0,
    "cash": 100_000.0,
    "accounts_receivable": 100_000.0,
    "inventory": 50_000.0,
    "fixed_assets": 300_000.0,
    "total_liabilities": 600_000.0,
    "current_liabilities": 300_000.0,
    "short_term_borrowings": 100_000.0,
    "long_term_borrowings": 200_000.0,
    "total_equity": 400_000.0,
    "equity_parent": 350_000.0,
    "minority_interest": 50_000.0,
    "state_capital": 300_000.0,
    "employees_end": 120.0,
}
# monthly flows in 元 (the same every month: YTD = month × month number)
BASE_FLOWS: dict[str, float] = {
    "total_revenue": 50_000.0,
    "operating_revenue": 48_000.0,
    "total_costs": 40_000.0,
    "operating_profit": 10_000.0,
    "non_operating_income": 500.0,
    "non_operating_expenses": 300.0,
    "total_profit": 10_200.0,
    "income_tax": 2_500.0,
    "net_profit": 7_700.0,
    "net_profit_parent": 7_000.0,
    "operating_cash_flow": 6_000.0,
}


def flash_report_rows(
    uscc: str, period: str, *, unit: str = "元", report_type: str = "单户", scale: float = 1.0
) -> list[dict[str, object]]:
    """Long-format rows (the CSV layout) of one consistent report; ``unit`` 万元 divides."""
    p = Period.parse(period)
    div = 10_000.0 if unit in ("万元", "10k_yuan") else 1.0
    rows: list[dict[str, object]] = []

    def add(item: str, caliber: str, value: float, money: bool = True) -> None:
        v = value * scale / div if money else value
        rows.append(
            {
                "uscc": uscc,
                "period": str(p),
                "report_type": report_type,
                "unit": unit,
                "item_code": item,
                "caliber": caliber,
                "scope": "合计",
                "value": round(v, 6),
            }
        )

    for item, value in BASE_BALANCES.items():
        money = item != "employees_end"
        add(item, "期末余额", value, money)
        if money:
            add(item, "年初余额", value)
    for item, value in BASE_FLOWS.items():
        add(item, "本月", value)
        add(item, "本年累计", value * p.month)
        add(item, "上年同期累计", value * p.month * 0.9)
    return rows


def write_csv(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8") -> Path:
    """Write long-format rows as a CSV file (the layout submitters use)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
