"""Rectification-loop errors (codes ZG-RECT-…), each a subclass of the core tree::

NotFound            AlertNotFound        ZG-RECT-001  no such alert, or outside the scope
PermissionDenied    WrongSide            ZG-RECT-002  the caller's role cannot take the action
Conflict            IllegalTransition    ZG-RECT-003  not allowed from the current state
InputError          ReasonRequired       ZG-RECT-010  instruction / reason / note missing
                    InvalidDueDate       ZG-RECT-011  due date not after today
                    InvalidAssignee      ZG-RECT-012  not an enterprise user of the subtree
                    AttachmentRejected   ZG-RECT-013  empty, bad name, type or kind
TooLarge            AttachmentTooLarge   ZG-RECT-014  over the size limit
"""

from __future__ import annotations

from zhiguo.core.errors import Conflict, InputError, NotFound, PermissionDenied, TooLarge

__all__ = [
    "AlertNotFound",
    "AttachmentRejected",
    "AttachmentTooLarge",
    "IllegalTransition",
    "InvalidAssignee",
    "InvalidDueDate",
    "ReasonRequired",
    "WrongSide",
]


class AlertNotFound(NotFound):
    """Also what a caller gets for another tenant's alert: a 404 never says it exists."""

    code = "ZG-RECT-001"
    title_zh = "未找到该预警"
    title_en = "Alert not found"


class WrongSide(PermissionDenied):
    code = "ZG-RECT-002"
    title_zh = "您的角色无权执行此整改操作"
    title_en = "Your role may not take this rectification action"


class IllegalTransition(Conflict):
    code = "ZG-RECT-003"
    title_zh = "预警当前状态不允许此操作"
    title_en = "The alert's current state does not allow this action"


class ReasonRequired(InputError):
    code = "ZG-RECT-010"
    title_zh = "必须填写说明"
    title_en = "A written reason is required"


class InvalidDueDate(InputError):
    code = "ZG-RECT-011"
    title_zh = "整改期限必须晚于今天"
    title_en = "The due date must be after today"


class InvalidAssignee(InputError):
    code = "ZG-RECT-012"
    title_zh = "整改责任人必须是该企业或其上级企业的企业用户"
    title_en = "The assignee must be an enterprise user of the enterprise or one of its parents"


class AttachmentRejected(InputError):
    code = "ZG-RECT-013"
    title_zh = "附件不被接受"
    title_en = "Attachment rejected"


class AttachmentTooLarge(TooLarge):
    code = "ZG-RECT-014"
    title_zh = "附件过大"
    title_en = "Attachment too large"
