"""Merkle tree hashes over record hashes, RFC 6962 §2.1 with SM3 in place of SHA-256.

leaf = SM3(0x00 || record hash), node = SM3(0x01 || left || right), and the root of ``n``
leaves splits at the largest power of two below ``n``. :class:`MerkleFrontier` keeps only
the roots of the perfect subtrees of that split (one per set bit of ``n``), so appending
is O(1) amortised and a root over a million leaves needs no second pass.
"""

from __future__ import annotations

import hashlib

__all__ = ["EMPTY_ROOT", "MerkleFrontier", "leaf_hash", "node_hash", "tree_root"]


def _sm3(data: bytes) -> bytes:
    # GB/T 32905-2016 through hashlib's OpenSSL binding: the same SM3 as core.crypto.sm3
    # (a test checks), without the per-call object set-up, in loops run millions of times.
    return hashlib.new("sm3", data).digest()


EMPTY_ROOT = _sm3(b"")  # RFC 6962 §2.1: MTH({}) = HASH()


def leaf_hash(record_hash: bytes) -> bytes:
    return _sm3(b"\x00" + record_hash)


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sm3(b"\x01" + left + right)


class MerkleFrontier:
    """The right edge of a growing RFC 6962 tree: ``(size, root)`` of each perfect subtree."""

    __slots__ = ("size", "stack")

    def __init__(self, size: int = 0, stack: list[tuple[int, bytes]] | None = None) -> None:
        self.size = size
        self.stack: list[tuple[int, bytes]] = stack or []

    def append(self, record_hash: bytes) -> None:
        stack = self.stack
        size, node = 1, _sm3(b"\x00" + record_hash)
        while stack and stack[-1][0] == size:
            left = stack.pop()[1]
            node = _sm3(b"\x01" + left + node)
            size *= 2
        stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        node = self.stack[-1][1]
        for _size, left in reversed(self.stack[:-1]):
            node = node_hash(left, node)
        return node

    def to_json(self) -> dict[str, object]:
        return {"size": self.size, "stack": [[s, h.hex()] for s, h in self.stack]}

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> MerkleFrontier:
        stack = [(int(s), bytes.fromhex(str(h))) for s, h in doc["stack"]]  # type: ignore[attr-defined]
        size = int(doc["size"])  # type: ignore[call-overload]
        if sum(s for s, _ in stack) != size:
            raise ValueError("frontier sizes do not add up")
        return cls(size, stack)


def tree_root(record_hashes: list[bytes]) -> bytes:
    """MTH of the leaves by the recursive definition (RFC 6962 §2.1); a reference for tests
    and small trees."""
    n = len(record_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(record_hashes[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(tree_root(record_hashes[:k]), tree_root(record_hashes[k:]))
