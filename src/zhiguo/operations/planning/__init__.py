"""operations.planning (issue 6)."""
