from __future__ import annotations

import json
from pathlib import Path

from zhiguo.core.inbox import keep_file, record_outcome


def test_files_are_kept_by_hash_with_their_history(tmp_path: Path) -> None:
    first = keep_file(tmp_path, "registry", "企业名录.xlsx", b"payload", sender="cli:alice")
    assert first.path.read_bytes() == b"payload"
    assert first.path.name == f"{first.sha256}.xlsx" and not first.already_known
    record_outcome(first, {"result": "rejected", "problems": [{"code": "ZG-REG-012"}]})
    again = keep_file(tmp_path, "registry", "copy.xlsx", b"payload", sender="web:bob")
    assert again.already_known and again.path == first.path
    meta = json.loads((tmp_path / "registry" / f"{first.sha256}.json").read_text("utf-8"))
    assert [a["name"] for a in meta["arrivals"]] == ["企业名录.xlsx", "copy.xlsx"]
    assert meta["outcomes"][0]["result"] == "rejected"
    assert not list((tmp_path / "registry").glob("*.part"))
