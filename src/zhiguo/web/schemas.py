"""Pydantic bases of the API's request bodies.

Every JSON body model derives from :class:`StrictModel`, which refuses fields it does not
declare (等保 入侵防范: strict input validation on every interface; OWASP API3 BOPLA — a
client cannot slip ``role`` or ``enterprise_id`` into a body and hope a model copies it).
The refusal is a 422 problem+json naming the field.

:data:`RowId` bounds integer path parameters to what the database can hold.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict

__all__ = ["RowId", "StrictModel"]


class StrictModel(BaseModel):
    """A request body: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row id (PostgreSQL integer range).")]
"""A path parameter naming a metadata-DB row: outside PostgreSQL's ``integer`` range it is
a 422, not a database error (a 500) — schemathesis found that one."""
