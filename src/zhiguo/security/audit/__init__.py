"""Security audit (安全审计): the append-only, SM3 hash-chained audit log.

Every login, permission change, export, read of 重要/核心 data and configuration change is
appended with :func:`record_event` inside the caller's transaction. Signed Merkle tree
heads (RFC 6962 style, SM2) kept outside the database let :func:`verify_log` detect an
edited, deleted, reordered, inserted or truncated record and name its ``seq``.
"""

from .chain import AuditEvent, canonical_bytes, record_event, record_events, record_hash
from .errors import (
    AuditAccessDenied,
    AuditKeyMissing,
    AuditTampered,
    AuditWriteFailed,
    InvalidAuditEvent,
    RetentionTooShort,
)
from .heads import TreeHead, load_heads
from .merkle import MerkleFrontier, tree_root
from .models import GENESIS_HASH, AuditHead, AuditPrunePermit, AuditRecord
from .retention import PruneResult, prune
from .seal import enable_auto_seal, seal
from .service import AuditFilter, AuditRow, export_lines, list_records, require_audit_admin
from .verify import Finding, VerifyReport, verify_log

__all__ = [
    "GENESIS_HASH",
    "AuditAccessDenied",
    "AuditEvent",
    "AuditFilter",
    "AuditHead",
    "AuditKeyMissing",
    "AuditPrunePermit",
    "AuditRecord",
    "AuditRow",
    "AuditTampered",
    "AuditWriteFailed",
    "Finding",
    "InvalidAuditEvent",
    "MerkleFrontier",
    "PruneResult",
    "RetentionTooShort",
    "TreeHead",
    "VerifyReport",
    "canonical_bytes",
    "enable_auto_seal",
    "export_lines",
    "list_records",
    "load_heads",
    "prune",
    "record_event",
    "record_events",
    "record_hash",
    "require_audit_admin",
    "seal",
    "tree_root",
    "verify_log",
]
