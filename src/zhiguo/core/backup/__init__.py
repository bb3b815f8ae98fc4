"""Backup and restore of a whole workspace (等保 备份恢复): the metadata DB dumped portably
table by table, the lake, inbox, audit trail and reports, in one archive whose manifest
holds the SM3 digest of every member. A restore verifies every digest before it writes
anything, and restores into SQLite or PostgreSQL whichever the backup came from."""

from .archive import FORMAT, MANIFEST, BackupResult, RestoreResult, create_backup
from .errors import (
    BackupIncompatible,
    BackupIncomplete,
    BackupSourceError,
    BackupTampered,
    BackupUnexpectedMember,
    BackupUnreadable,
    RestoreTargetNotEmpty,
)
from .restore import read_manifest, restore_backup

__all__ = [
    "FORMAT",
    "MANIFEST",
    "BackupIncompatible",
    "BackupIncomplete",
    "BackupResult",
    "BackupSourceError",
    "BackupTampered",
    "BackupUnexpectedMember",
    "BackupUnreadable",
    "RestoreResult",
    "RestoreTargetNotEmpty",
    "create_backup",
    "read_manifest",
    "restore_backup",
]
