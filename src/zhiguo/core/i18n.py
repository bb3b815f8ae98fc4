"""Interface text in 简体中文 (default) and English.

One catalogue for the whole UI and CLI, keyed by stable ids; a missing key falls back to
Chinese, then to the key itself, and a test checks both languages carry the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DEFAULT_LANG", "LANGS", "MESSAGES", "normalise_lang", "t"]

DEFAULT_LANG = "zh"
LANGS = ("zh", "en")

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "app.name": "智国 · 国资监管平台",
        "app.short": "智国",
        "app.demo_banner": "示例数据：本环境中的企业、代码与数字均为虚构，不代表任何真实企业。",
        "nav.home": "资产全景",
        "nav.enterprises": "企业名录",
        "nav.logout": "退出",
        "nav.lang": "English",
        "login.title": "登录",
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码错误",
        "home.title": "国有资产全景",
        "home.groups": "一级企业",
        "home.entities": "企业户数",
        "home.tree": "产权树",
        "home.tree_hint": "点击节点展开，双击打开企业详情",
        "home.as_of": "截至日期",
        "home.by_class": "按功能分类",
        "home.by_category": "按行业大类",
        "ent.title": "企业详情",
        "ent.uscc": "统一社会信用代码",
        "ent.name": "企业名称",
        "ent.name_en": "英文名称",
        "ent.short_name": "简称",
        "ent.industry": "行业代码",
        "ent.category": "行业大类",
        "ent.level": "级次",
        "ent.region": "行政区划",
        "ent.status": "状态",
        "ent.listed": "上市",
        "ent.class": "功能分类",
        "ent.state_share": "国有股权比例（穿透）",
        "ent.path": "产权路径",
        "ent.parents": "股东",
        "ent.children": "直接投资企业",
        "ent.subtree": "下属企业",
        "ent.share": "持股比例",
        "ent.valid_from": "生效日期",
        "ent.valid_to": "失效日期",
        "ent.none": "无",
        "ent.search": "搜索企业名称或代码",
        "status.active": "存续",
        "status.suspended": "停业",
        "status.deregistered": "注销",
        "class.commercial_1": "商业一类",
        "class.commercial_2": "商业二类",
        "class.public_welfare": "公益类",
        "class.unclassified": "未分类",
        "category.industrial": "工业",
        "category.non_industrial": "非工业",
        "category.research_tech": "科研技术",
        "category.finance": "金融",
        "ent.holding": "持股性质",
        "ent.controlling": "控股",
        "ent.minority": "参股",
        "pw.title": "修改密码",
        "pw.required": "首次登录或密码被重置后，须先修改密码。",
        "pw.current": "当前密码",
        "pw.new": "新密码（至少 10 位，含大小写字母、数字、符号中的三类）",
        "pw.submit": "修改",
        "common.yes": "是",
        "common.no": "否",
        "common.count": "户",
        "error.title": "出错了",
        "error.not_found": "未找到该页面或对象",
    },
    "en": {
        "app.name": "zhiguo · State Asset Supervision",
        "app.short": "zhiguo",
        "app.demo_banner": "Demo data: enterprises, codes and figures here are fictitious and "
        "represent no real company.",
        "nav.home": "Portfolio",
        "nav.enterprises": "Enterprises",
        "nav.logout": "Log out",
        "nav.lang": "中文",
        "login.title": "Log in",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong username or password",
        "home.title": "State asset portfolio",
        "home.groups": "Top-level groups",
        "home.entities": "Entities",
        "home.tree": "Ownership tree",
        "home.tree_hint": "Click a node to expand it; double-click to open the enterprise",
        "home.as_of": "As of",
        "home.by_class": "By supervision class",
        "home.by_category": "By industry category",
        "ent.title": "Enterprise",
        "ent.uscc": "USCC",
        "ent.name": "Name",
        "ent.name_en": "English name",
        "ent.short_name": "Short name",
        "ent.industry": "Industry code",
        "ent.category": "Industry category",
        "ent.level": "Level",
        "ent.region": "Region",
        "ent.status": "Status",
        "ent.listed": "Listed",
        "ent.class": "Supervision class",
        "ent.state_share": "Effective state ownership",
        "ent.path": "Ownership path",
        "ent.parents": "Shareholders",
        "ent.children": "Direct investments",
        "ent.subtree": "Subsidiaries",
        "ent.share": "Share",
        "ent.valid_from": "Effective from",
        "ent.valid_to": "Effective to",
        "ent.none": "None",
        "ent.search": "Search by name or code",
        "status.active": "Active",
        "status.suspended": "Suspended",
        "status.deregistered": "Deregistered",
        "class.commercial_1": "Commercial I",
        "class.commercial_2": "Commercial II",
        "class.public_welfare": "Public welfare",
        "class.unclassified": "Unclassified",
        "category.industrial": "Industrial",
        "category.non_industrial": "Non-industrial",
        "category.research_tech": "Research & technology",
        "category.finance": "Finance",
        "ent.holding": "Holding",
        "ent.controlling": "Controlling",
        "ent.minority": "Minority",
        "pw.title": "Change password",
        "pw.required": "After the first login or a reset you must change your password first.",
        "pw.current": "Current password",
        "pw.new": "New password (10+ characters, three of: upper, lower, digit, symbol)",
        "pw.submit": "Change",
        "common.yes": "Yes",
        "common.no": "No",
        "common.count": "",
        "error.title": "Something went wrong",
        "error.not_found": "No such page or object",
    },
}


def normalise_lang(value: str | None) -> str:
    """Map ``zh-CN``, ``zh_Hans``, ``en-US``… to a supported language, default Chinese."""
    if not value:
        return DEFAULT_LANG
    head = value.strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    catalogue = MESSAGES.get(normalise_lang(lang), MESSAGES[DEFAULT_LANG])
    return catalogue.get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
