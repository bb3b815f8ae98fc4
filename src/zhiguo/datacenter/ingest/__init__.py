"""Ingestion: readers, validation, the inbox that keeps every file, atomic commits (data-centre issue)."""

__all__: list[str] = []
