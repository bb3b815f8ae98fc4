"""operations.demand (issue 6)."""
