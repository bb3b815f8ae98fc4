"""Foundations with no domain in them: settings, workspace, metadata DB, errors, periods,
USCC codes, access value objects (Principal, Scope) and interface text."""

from .access import Principal, Role, Scope
from .db import Base, create_db_engine, make_sessionmaker, migrate, session_scope
from .errors import (
    AuthError,
    ConfigError,
    Conflict,
    DependencyMissing,
    ImportRejected,
    InputError,
    InvalidPeriod,
    InvalidUSCC,
    Location,
    NotFound,
    PermissionDenied,
    Problem,
    WorkspaceError,
    ZhiguoError,
)
from .i18n import DEFAULT_LANG, LANGS, normalise_lang, t
from .inbox import Received, keep_file, keep_path, record_outcome
from .periods import Period
from .settings import Settings, load_settings
from .uscc import make_uscc, uscc_check_char, validate_uscc
from .workspace import Workspace, init_workspace, open_workspace

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "AuthError",
    "Base",
    "ConfigError",
    "Conflict",
    "DependencyMissing",
    "ImportRejected",
    "InputError",
    "InvalidPeriod",
    "InvalidUSCC",
    "Location",
    "NotFound",
    "Period",
    "PermissionDenied",
    "Principal",
    "Problem",
    "Received",
    "Role",
    "Scope",
    "Settings",
    "Workspace",
    "WorkspaceError",
    "ZhiguoError",
    "create_db_engine",
    "init_workspace",
    "keep_file",
    "keep_path",
    "load_settings",
    "make_sessionmaker",
    "make_uscc",
    "migrate",
    "normalise_lang",
    "open_workspace",
    "record_outcome",
    "session_scope",
    "t",
    "uscc_check_char",
    "validate_uscc",
]
