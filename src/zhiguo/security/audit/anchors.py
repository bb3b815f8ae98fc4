"""Archive anchors: where the log in the database starts after retention pruning.

Pruning moves the oldest records to ``<workspace>/audit/archive/<first>-<last>.jsonl`` and
writes a signed manifest ``<last>.json`` holding the last pruned hash and the Merkle
frontier over every record up to it, so the verifier can continue both the hash chain and
the tree-head roots from the anchor without the archived records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zhiguo.core.crypto import SM2KeyPair, SM2PublicKey, sm2_sign, sm2_verify

from .heads import ALGORITHM, key_id, write_json_atomic
from .merkle import MerkleFrontier

__all__ = ["Anchor", "load_anchor"]


@dataclass(frozen=True)
class Anchor:
    """Signed: records ``1..up_to_seq`` were archived to ``archive_file``; the last had
    ``last_hash``; ``frontier`` is the RFC 6962 frontier over their hashes."""

    up_to_seq: int
    last_hash: str
    frontier: dict[str, Any] = field(default_factory=dict)
    archive_file: str = ""
    archive_sm3: str = ""
    key_id: str = ""
    algorithm: str = ALGORITHM
    signature: str = ""

    def signed_bytes(self) -> bytes:
        doc = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def signed(self, key: SM2KeyPair) -> Anchor:
        unsigned = Anchor(**{**asdict(self), "key_id": key_id(key.public_key), "signature": ""})
        sig = sm2_sign(key, unsigned.signed_bytes()).hex()
        return Anchor(**{**asdict(unsigned), "signature": sig})

    def signature_ok(self, public_key: SM2PublicKey) -> bool:
        try:
            raw = bytes.fromhex(self.signature)
        except ValueError:
            return False
        return self.key_id == key_id(public_key) and sm2_verify(
            public_key, self.signed_bytes(), raw
        )

    def merkle(self) -> MerkleFrontier:
        return MerkleFrontier.from_json(self.frontier) if self.frontier else MerkleFrontier()

    def write(self, directory: Path) -> Path:
        path = directory / f"{self.up_to_seq}.json"
        write_json_atomic(path, asdict(self))
        return path


def load_anchor(directory: Path, up_to_seq: int) -> Anchor:
    """The manifest for ``up_to_seq``; raises ``OSError``/``ValueError`` if missing or bad."""
    doc = json.loads((directory / f"{up_to_seq}.json").read_text(encoding="utf-8"))
    anchor = Anchor(**doc)
    if anchor.up_to_seq != up_to_seq:
        raise ValueError(f"manifest names seq {anchor.up_to_seq}")
    MerkleFrontier.from_json(anchor.frontier)
    return anchor
