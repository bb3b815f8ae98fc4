"""Security errors (codes ZG-SEC-…)."""

from __future__ import annotations

from zhiguo.core.errors import AuthError, Conflict, InputError

__all__ = ["InvalidCredentials", "SessionExpired", "UserExists", "WeakPassword"]


class InvalidCredentials(AuthError):
    code = "ZG-SEC-001"
    title_zh = "用户名或密码错误"
    title_en = "Wrong username or password"


class SessionExpired(AuthError):
    code = "ZG-SEC-002"
    title_zh = "会话已过期，请重新登录"
    title_en = "Session expired; please log in again"


class UserExists(Conflict):
    code = "ZG-SEC-010"
    title_zh = "用户名已存在"
    title_en = "Username already exists"


class WeakPassword(InputError):
    code = "ZG-SEC-011"
    title_zh = "密码不符合复杂度要求（至少 10 位，含大小写字母、数字和符号中的三类）"
    title_en = "Password too weak (10+ characters with three of: upper, lower, digit, symbol)"
