"""The lake: versioned Delta tables under workspace/lake with as-of reads (data-centre issue)."""

__all__: list[str] = []
