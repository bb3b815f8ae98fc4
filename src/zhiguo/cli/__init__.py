"""The ``zhiguo`` command line: one module per platform, thin by rule (parse, call, print)."""

from .main import app, main

__all__ = ["app", "main"]
