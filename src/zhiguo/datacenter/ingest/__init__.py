"""Ingestion: readers, validation, the inbox that keeps every file, atomic commits.

Built by the data-centre issue."""

__all__: list[str] = []
