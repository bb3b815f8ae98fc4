"""Security errors (codes ZG-SEC-…; authentication uses 001-049).

AuthError
├── InvalidCredentials          ZG-SEC-001 wrong username/password (also: unknown, disabled, locked)
├── SessionExpired              ZG-SEC-002 session ended (idle, lifetime, logout, disabled)
├── TotpRequired                ZG-SEC-005 password right, TOTP code missing/wrong/replayed
└── InvalidApiToken             ZG-SEC-009 bearer token unknown, expired, revoked or disabled
PermissionDenied
├── PasswordChangeRequired      ZG-SEC-003 initial or expired password: change it first
├── TooManyAttempts             ZG-SEC-004 login rate limit / address blocked (429)
├── TotpEnrolmentRequired       ZG-SEC-006 role needs a second factor: enrol first
├── CsrfRejected                ZG-SEC-007 unsafe request without a valid CSRF token/origin
├── TokenScopeDenied            ZG-SEC-008 the API token's scopes do not cover the request
├── SeparationOfDuties          ZG-SEC-015 三员分立: another administrator's power
└── AdminAddressRefused         ZG-SEC-016 administrator outside security.admin_networks
InputError
├── WeakPassword                ZG-SEC-011 complexity
├── WrongCurrentPassword        ZG-SEC-012
├── PasswordReused              ZG-SEC-013 one of the last N passwords
└── InvalidTotpCode             ZG-SEC-014 enrolment code wrong
Conflict
└── UserExists                  ZG-SEC-010
"""

from __future__ import annotations

from zhiguo.core.errors import AuthError, Conflict, InputError, PermissionDenied

__all__ = [
    "AdminAddressRefused",
    "CsrfRejected",
    "InvalidApiToken",
    "InvalidCredentials",
    "InvalidTotpCode",
    "PasswordChangeRequired",
    "PasswordReused",
    "SeparationOfDuties",
    "SessionExpired",
    "TokenScopeDenied",
    "TooManyAttempts",
    "TotpEnrolmentRequired",
    "TotpRequired",
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


class TooManyAttempts(PermissionDenied):
    """Per-address login rate limit or too many failures from one address (入侵防范)."""

    code = "ZG-SEC-004"
    http_status = 429
    title_zh = "登录尝试过于频繁，请稍后再试"
    title_en = "Too many login attempts; try again later"


class TotpRequired(AuthError):
    """The password was right but the second factor is missing, wrong or already used."""

    code = "ZG-SEC-005"
    title_zh = "请输入有效的动态口令"
    title_en = "A valid one-time code (TOTP) is required"


class TotpEnrolmentRequired(PermissionDenied):
    """The role needs a second factor and none is enrolled: only enrolment is open."""

    code = "ZG-SEC-006"
    title_zh = "请先绑定动态口令（双因素认证）"
    title_en = "Enrol a one-time-code app (two-factor authentication) first"


class CsrfRejected(PermissionDenied):
    code = "ZG-SEC-007"
    title_zh = "请求校验失败（CSRF 令牌缺失或错误，或来源不符），请刷新页面后重试"
    title_en = "Request check failed (CSRF token missing or wrong, or foreign origin); reload"


class TokenScopeDenied(PermissionDenied):
    code = "ZG-SEC-008"
    title_zh = "API 令牌的权限范围不包括此操作"
    title_en = "The API token's scopes do not cover this request"


class InvalidApiToken(AuthError):
    code = "ZG-SEC-009"
    title_zh = "API 令牌无效、已过期或已撤销"
    title_en = "API token invalid, expired or revoked"


class PasswordReused(InputError):
    code = "ZG-SEC-013"
    title_zh = "不能使用最近用过的密码"
    title_en = "That password was used recently; choose another"


class InvalidTotpCode(InputError):
    code = "ZG-SEC-014"
    title_zh = "动态口令错误，请核对手机时间后重试"
    title_en = "Wrong one-time code; check the phone's clock and try again"


class SeparationOfDuties(PermissionDenied):
    """三员分立 (GB/T 22239-2019 §8.1.4): the action belongs to another administrator."""

    code = "ZG-SEC-015"
    title_zh = "三员分立：您的角色无权执行此管理操作"
    title_en = "Separation of duties: your role may not perform this administrative action"


class AdminAddressRefused(PermissionDenied):
    """等保 入侵防范: administrators work only from the management address ranges
    (``security.admin_networks``)."""

    code = "ZG-SEC-016"
    title_zh = "管理员只能从指定的管理地址段登录和操作"
    title_en = "Administrators may only work from the designated management addresses"
