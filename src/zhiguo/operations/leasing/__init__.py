"""operations.leasing (issue 6)."""
