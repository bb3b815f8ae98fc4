"""Security errors (codes ZG-SEC-…)."""

from __future__ import annotations

from zhiguo.core.errors import AuthError, Conflict, InputError, PermissionDenied

__all__ = [
    "InvalidCredentials",
    "PasswordChangeRequired",
    "SessionExpired",
    "UserExists",
    "WeakPassword",
    "WrongCurrentPassword",
]


class InvalidCredentials(AuthError):
    code = "ZG-SEC-001"
    title_zh = "用户名或密码错误"
    title_en = "Wrong username or password"


class SessionExpired(AuthError):
    code = "ZG-SEC-002"
    title_zh = "会话已过期，请重新登录"
    title_en = "Session expired; please log in again"


class WrongCurrentPassword(InputError):
    code = "ZG-SEC-012"
    title_zh = "当前密码错误"
    title_en = "The current password is wrong"


class UserExists(Conflict):
    code = "ZG-SEC-010"
    title_zh = "用户名已存在"
    title_en = "Username already exists"


class WeakPassword(InputError):
    code = "ZG-SEC-011"
    title_zh = "密码不符合复杂度要求（至少 10 位，含大小写字母、数字和符号中的三类）"
    title_en = "Password too weak (10+ characters with three of: upper, lower, digit, symbol)"


class PasswordChangeRequired(PermissionDenied):
    """An initial (or reset) password must be changed before anything else (等保 身份鉴别)."""

    code = "ZG-SEC-003"
    title_zh = "请先修改初始密码"
    title_en = "Change your initial password first"
