"""The data centre (大数据中心): where every number on the platform comes from.

Sub-packages: ``catalog`` (datasets, schemas, classification, lineage), ``ingest`` (readers,
validation, inbox, commit), ``lake`` (versioned Delta tables, time travel) and ``engine`` (the
one query layer: DuckDB by default, Spark for scale). Built by the data-centre issue."""

__all__: list[str] = []
