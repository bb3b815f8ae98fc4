"""operations planning routes (issue 6). A reserved module until its routes land."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
