"""Security: identity, login sessions and the caller's scope (信息安全).

Owns ``users`` and ``user_sessions``. Resolves each request's :class:`~zhiguo.core.Scope`
once; the data layer applies it. The security issue adds 三员分立 roles, TOTP, API tokens,
classification, masking and the SM3 audit chain on top of these functions.
"""

from .errors import (
    InvalidCredentials,
    PasswordChangeRequired,
    SessionExpired,
    UserExists,
    WeakPassword,
    WrongCurrentPassword,
)
from .models import User, UserSession
from .passwords import generate_password, hash_password, verify_password
from .service import (
    NewUser,
    add_user,
    authenticate,
    change_password,
    check_password_strength,
    disable_user,
    list_users,
    login,
    logout,
    principal_for,
    resolve_scope,
    resolve_session,
    set_password,
)

__all__ = [
    "InvalidCredentials",
    "NewUser",
    "PasswordChangeRequired",
    "SessionExpired",
    "User",
    "UserExists",
    "UserSession",
    "WeakPassword",
    "WrongCurrentPassword",
    "add_user",
    "authenticate",
    "change_password",
    "check_password_strength",
    "disable_user",
    "generate_password",
    "hash_password",
    "list_users",
    "login",
    "logout",
    "principal_for",
    "resolve_scope",
    "resolve_session",
    "set_password",
    "verify_password",
]
