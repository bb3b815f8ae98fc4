"""Backup and restore errors (codes ZG-BACKUP-001 … 049).

Every refusal names what it is about (the archive member, the table, the folder), so an
operator can tell a tampered archive from a wrong target without reading code::

    ZhiguoError
    ├── ConfigError
    │   ├── BackupSourceError       ZG-BACKUP-001 the workspace cannot be backed up as it is
    │   └── RestoreTargetNotEmpty   ZG-BACKUP-020 the target already holds data (--force)
    └── InputError
        ├── BackupUnreadable        ZG-BACKUP-010 not a zhiguo backup archive
        ├── BackupTampered          ZG-BACKUP-011 a member's SM3 differs from the manifest
        ├── BackupIncomplete        ZG-BACKUP-012 a member the manifest lists is missing
        ├── BackupUnexpectedMember  ZG-BACKUP-013 a member the manifest does not list / unsafe
        └── BackupIncompatible      ZG-BACKUP-014 made by an unknown format or schema revision
"""

from __future__ import annotations

from zhiguo.core.errors import ConfigError, InputError

__all__ = [
    "BackupIncompatible",
    "BackupIncomplete",
    "BackupSourceError",
    "BackupTampered",
    "BackupUnexpectedMember",
    "BackupUnreadable",
    "RestoreTargetNotEmpty",
]


class BackupSourceError(ConfigError):
    code = "ZG-BACKUP-001"
    title_zh = "工作区无法备份"
    title_en = "The workspace cannot be backed up"


class RestoreTargetNotEmpty(ConfigError):
    code = "ZG-BACKUP-020"
    title_zh = "恢复目标非空（确认覆盖请加 --force）"
    title_en = "The restore target is not empty (add --force to overwrite it)"


class BackupUnreadable(InputError):
    code = "ZG-BACKUP-010"
    title_zh = "不是可读的 zhiguo 备份文件"
    title_en = "Not a readable zhiguo backup archive"


class BackupTampered(InputError):
    """A member's SM3 digest differs from the manifest: the archive was altered or damaged."""

    code = "ZG-BACKUP-011"
    title_zh = "备份文件已被篡改或损坏"
    title_en = "The backup archive was altered or damaged"


class BackupIncomplete(InputError):
    code = "ZG-BACKUP-012"
    title_zh = "备份文件不完整"
    title_en = "The backup archive is incomplete"


class BackupUnexpectedMember(InputError):
    code = "ZG-BACKUP-013"
    title_zh = "备份文件含清单之外或不安全的成员"
    title_en = "The backup archive holds an unlisted or unsafe member"


class BackupIncompatible(InputError):
    code = "ZG-BACKUP-014"
    title_zh = "备份文件的格式或数据库版本不受支持"
    title_en = "The backup's format or schema revision is not supported"
