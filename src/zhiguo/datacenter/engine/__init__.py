"""The one query layer over the lake: DuckDB (default) or Spark; the only importer of either."""

__all__: list[str] = []
