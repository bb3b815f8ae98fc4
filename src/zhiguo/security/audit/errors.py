"""Audit errors (codes ZG-AUDIT-001…049).

Tamper findings of ``zhiguo audit verify`` carry the codes of :data:`FINDINGS`; the error
classes are what a caller of the audit package can meet.
"""

from __future__ import annotations

from zhiguo.core.errors import ConfigError, InputError, PermissionDenied, ZhiguoError

__all__ = [
    "FINDINGS",
    "AuditAccessDenied",
    "AuditKeyMissing",
    "AuditTampered",
    "AuditWriteFailed",
    "InvalidAuditEvent",
    "RetentionTooShort",
]


class InvalidAuditEvent(InputError):
    """An event type that is not dotted lower-case, or a result outside success|failure|denied."""

    code = "ZG-AUDIT-001"
    title_zh = "审计事件无效"
    title_en = "Invalid audit event"


class AuditWriteFailed(ZhiguoError):
    """The audit record could not be written, so the action it records does not happen
    (等保 安全审计: no unaudited action)."""

    code = "ZG-AUDIT-002"
    http_status = 503
    title_zh = "审计记录写入失败，操作已取消"
    title_en = "The audit record could not be written; the action was cancelled"


class AuditKeyMissing(ConfigError):
    code = "ZG-AUDIT-003"
    title_zh = "审计签名密钥不可用"
    title_en = "The audit signing key is unusable"


class AuditAccessDenied(PermissionDenied):
    """Only the audit administrator reads the audit log (三员分立)."""

    code = "ZG-AUDIT-004"
    title_zh = "仅审计管理员可访问审计日志"
    title_en = "Only the audit administrator may access the audit log"


class RetentionTooShort(InputError):
    """网络安全法 第二十一条: network logs are kept for at least six months."""

    code = "ZG-AUDIT-020"
    title_zh = "审计日志保存期不得少于 180 天"
    title_en = "Audit records must be kept at least 180 days"


class AuditTampered(ZhiguoError):
    """``verify`` found the log or its tree heads altered; ``details['findings']`` lists them."""

    code = "ZG-AUDIT-005"
    title_zh = "审计日志完整性校验失败"
    title_en = "Audit log integrity check failed"


# Finding code → (zh template, en template). Templates use {seq}, {end}, {size}, {detail}.
FINDINGS: dict[str, tuple[str, str]] = {
    "ZG-AUDIT-010": (
        "第 {seq} 条审计记录内容与其哈希不符（记录被修改或被移位）",
        "Audit record seq {seq} does not match its hash (edited or moved)",
    ),
    "ZG-AUDIT-011": (
        "第 {seq} 条审计记录的前序哈希与第 {prev} 条不符（其前有记录被插入、删除或调换）",
        "Audit record seq {seq} does not link to seq {prev} (a record was inserted, removed "
        "or reordered before it)",
    ),
    "ZG-AUDIT-012": (
        "审计记录序号不连续：缺少第 {seq}–{end} 条（记录被删除）",
        "Audit sequence has a gap: seq {seq}–{end} missing (records deleted)",
    ),
    "ZG-AUDIT-013": (
        "审计日志被截断：已签名树头记载 {size} 条，缺少第 {seq}–{end} 条",
        "Audit log truncated: a signed tree head covers {size} records; seq {seq}–{end} missing",
    ),
    "ZG-AUDIT-014": (
        "树头 {size} 的签名无效（树头文件被修改或伪造）：{detail}",
        "Tree head {size} has an invalid signature (head file edited or forged): {detail}",
    ),
    "ZG-AUDIT-015": (
        "树头 {size} 的默克尔根与前 {size} 条记录不符：第 {seq}–{end} 条在签名后被改写",
        "Tree head {size} root does not match the first {size} records: seq {seq}–{end} were "
        "rewritten after signing",
    ),
    "ZG-AUDIT-016": (
        "树头文件无法读取：{detail}",
        "Tree head file unreadable: {detail}",
    ),
    "ZG-AUDIT-017": (
        "第 {seq} 条审计记录不能接续归档锚点（锚点或归档被改）",
        "Audit record seq {seq} does not continue the archive anchor (anchor or archive altered)",
    ),
    "ZG-AUDIT-018": (
        "审计归档文件无效：{detail}",
        "Audit archive file invalid: {detail}",
    ),
    "ZG-AUDIT-019": (
        "审计头表记载 {size} 条记录，但缺少第 {seq}–{size} 条（日志尾部被删除）",
        "The audit head table counts {size} records but seq {seq}–{size} are missing (tail "
        "removed)",
    ),
}
