"""Dataset catalogue: names, schemas, classification labels and lineage (data-centre issue)."""

__all__: list[str] = []
