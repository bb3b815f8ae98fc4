"""Writing secret files: mode 0600, atomically, never half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["write_secret_json"]


def write_secret_json(path: Path, doc: dict[str, Any], *, exclusive: bool = False) -> bool:
    """Write ``doc`` as JSON to ``path`` with mode 0600 via a temp file in the same folder
    (created 0700 if missing), then rename — readers see the old file or the new one.

    ``exclusive``: only create, never replace (a hard link fails if ``path`` exists), so
    two processes creating the first key at once cannot end up with different keys.
    Returns whether this call wrote ``path``.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        os.replace(tmp, path)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
