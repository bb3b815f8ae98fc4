"""Operations: SOE site resources — JSON API, the map's GeoJSON, the list page with its
upload form, and the site detail page (issue 6).

Every route reads through :mod:`zhiguo.operations.sites.service` with the caller's scope:
an enterprise user sees only its own group's sites, and a site outside the scope is a 404
(like an enterprise). Imports are all or nothing; the problems of a rejected file are
answered as 422 problem+json (API) or shown in place (page).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import InputError, TooLarge, ZhiguoError
from zhiguo.core.settings import Settings
from zhiguo.operations.geo import city_from_settings
from zhiguo.operations.sites import service
from zhiguo.operations.sites.readers import SUFFIXES
from zhiguo.operations.sites.schemas import SiteImportResult, SiteOut, SitePage
from zhiguo.operations.sites.types import CARRIERS, SITE_STATUSES, SITE_TYPES
from zhiguo.security import RequestInfo
from zhiguo.security.audit import record_event

from ..deps import LangDep, PrincipalDep, RequestInfoDep, ScopeDep, SessionDep, SettingsDep
from ..policy import roles
from ..rendering import render
from .registry_api import safe_upload_name

__all__ = ["IMPORTERS", "MAX_SITE_FILE_BYTES", "READERS", "TEXT", "router", "st"]

router = APIRouter(tags=["operations"])

# Policy: every logged-in role but the public reads sites (the scope narrows the rows; the
# 三员 administrators' scope is empty); owners' staff and the regulator's operators import.
READERS = roles(*(r for r in Role if r is not Role.PUBLIC))
IMPORTERS = roles(
    Role.PLATFORM_ADMIN,
    Role.REGULATOR_ANALYST,
    Role.ENTERPRISE_LEADER,
    Role.ENTERPRISE_OFFICER,
    Role.OPERATIONS_STAFF,
)
IMPORTER_ROLES = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.REGULATOR_ANALYST,
        Role.ENTERPRISE_LEADER,
        Role.ENTERPRISE_OFFICER,
        Role.OPERATIONS_STAFF,
    }
)
MAX_SITE_FILE_BYTES = 32 * 1024 * 1024

SiteTypeQ = Annotated[
    Literal["rooftop", "smart_pole", "hub", "park", "tower", "indoor"] | None, Query(alias="type")
]
StatusQ = Annotated[
    Literal["available", "reserved", "leased", "in_service", "unavailable"] | None, Query()
]
DistrictQ = Annotated[int | None, Query(ge=0, le=1000)]
SearchQ = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
SiteId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
# the page's filter form sends "" for "all"
PageTypeQ = Annotated[
    str, Query(alias="type", pattern=r"^(|rooftop|smart_pole|hub|park|tower|indoor)$")
]
PageStatusQ = Annotated[
    str, Query(pattern=r"^(|available|reserved|leased|in_service|unavailable)$")
]
PageDistrictQ = Annotated[str, Query(pattern=r"^\d{0,4}$")]


# ------------------------------------------------------------------------------ API


@router.get("/api/operations/sites.geojson", dependencies=[READERS])
def sites_geojson(db: SessionDep, scope: ScopeDep, settings: SettingsDep) -> JSONResponse:
    """The sites the caller may see as WGS84 Point features (the map page's layer)."""
    city = city_from_settings(settings.operations)
    data = service.sites_geojson(session=db, scope=scope, city=city)
    return JSONResponse(data, media_type="application/geo+json")


@router.get("/api/operations/sites", dependencies=[READERS])
def list_sites(
    db: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    site_type: SiteTypeQ = None,
    status: StatusQ = None,
    district: DistrictQ = None,
    q: SearchQ = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> SitePage:
    """Sites in the caller's scope, by code, filtered and paged."""
    items, total = service.list_sites(
        session=db,
        scope=scope,
        site_type=site_type,
        status=status,
        district=district,
        q=q,
        limit=limit,
        offset=offset,
        city=city_from_settings(settings.operations),
    )
    return SitePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/api/operations/sites/{site_id}", dependencies=[READERS])
def get_site(site_id: SiteId, db: SessionDep, scope: ScopeDep, settings: SettingsDep) -> SiteOut:
    """One site (404 when it does not exist or lies outside the caller's scope)."""
    city = city_from_settings(settings.operations)
    return service.get_site(session=db, scope=scope, site_id=site_id, city=city)


def _import_upload(
    *,
    db: Any,
    settings: Settings,
    principal: Principal,
    scope: Scope,
    info: RequestInfo,
    upload: UploadFile,
    datum: str | None,
    sheet: str | None,
) -> SiteImportResult:
    """Keep, judge and import one uploaded site file, then audit it (same transaction)."""
    name = safe_upload_name(upload.filename, "sites.csv")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise InputError(
            "仅支持 CSV、xlsx 或 GeoJSON 站址文件", "Only CSV, xlsx or GeoJSON site files"
        )
    data = upload.file.read(MAX_SITE_FILE_BYTES + 1)
    if len(data) > MAX_SITE_FILE_BYTES:
        raise TooLarge(
            f"文件超过 {MAX_SITE_FILE_BYTES >> 20} MB 上限",
            f"File exceeds the {MAX_SITE_FILE_BYTES >> 20} MB limit",
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = service.import_sites(
            session=db,
            path=path,
            lake_root=settings.workspace / "lake",
            inbox=settings.workspace / "inbox",
            scope=scope,
            actor=f"web:{principal.username}",
            datum=datum or None,
            sheet=sheet or None,
            ops=settings.operations,
            file_label=name,
        )
    record_event(
        db,
        event_type="sites.import",
        principal=principal,
        object=f"operations.sites/{name}",
        detail={
            "sha256": result.sha256,
            "rows": result.rows,
            "new": result.imported,
            "updated": result.updated,
            "version": result.version,
        },
        client_addr=info.client_addr,
        request_id=info.request_id,
    )
    return result


@router.post("/api/operations/sites/import", status_code=201, dependencies=[IMPORTERS])
def import_sites(
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    info: RequestInfoDep,
    file: Annotated[UploadFile, File(description="CSV / xlsx / GeoJSON")],
    datum: Annotated[Literal["", "wgs84", "gcj02"], Form()] = "",
    sheet: Annotated[str, Form(max_length=100)] = "",
) -> SiteImportResult:
    """Import a site file for owners in the caller's scope, all or nothing; 422 with every
    problem (file, sheet, row, column, zh/en) when rejected."""
    return _import_upload(
        db=db,
        settings=settings,
        principal=principal,
        scope=scope,
        info=info,
        upload=file,
        datum=datum,
        sheet=sheet,
    )


# ------------------------------------------------------------------------------ pages

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "title": "站址资源",
        "detail": "站址详情",
        "hint": "上传站址清单（CSV（UTF-8 或 GBK）、xlsx、GeoJSON 点要素），并声明坐标系："
        "手机地图 App（高德、腾讯）给出的是 GCJ-02。文件先存档再校验；有任何错误时不写入任何数据，"
        "并逐条列出问题。",
        "file": "文件",
        "datum": "坐标系",
        "datum.file": "按文件声明（未声明时为 WGS84）",
        "datum.wgs84": "WGS84（GPS、天地图）",
        "datum.gcj02": "GCJ-02（高德、腾讯）",
        "sheet": "工作表（xlsx，可空）",
        "upload": "上传并导入",
        "result.accepted": "已导入",
        "result.rejected": "已拒绝，未写入任何数据",
        "new": "新增",
        "updated": "更新",
        "unchanged": "未变",
        "version": "数据集版本",
        "filter": "筛选",
        "all": "全部",
        "type": "类型",
        "status": "状态",
        "district": "区",
        "search": "编码或名称",
        "code": "编码",
        "name": "名称",
        "height": "挂高（米）",
        "owner": "产权单位",
        "carriers": "已入驻运营商",
        "power": "供电容量（kW）",
        "fibre": "光纤",
        "load": "承重（kg）",
        "rent": "年租金（元）",
        "restrictions": "限制条件",
        "lonlat": "经纬度（WGS84）",
        "xy": "平面坐标（米）",
        "source": "来源文件",
        "updated_at": "更新时间",
        "yes": "有",
        "no": "无",
        "none": "没有符合条件的站址",
        "total": "共 {total} 个站址",
        "prev": "上一页",
        "next": "下一页",
        "back": "返回站址列表",
        "map": "在地图上查看",
        "problem.row": "行",
        "problem.column": "列",
        "problem.code": "代码",
        "problem.message": "说明",
    },
    "en": {
        "title": "Site resources",
        "detail": "Site",
        "hint": "Upload a site list (CSV in UTF-8 or GBK, xlsx, GeoJSON points) and declare its "
        "datum: map apps (Amap, Tencent) give GCJ-02. The file is kept before it is checked; "
        "with any error nothing is written and every problem is listed.",
        "file": "File",
        "datum": "Datum",
        "datum.file": "As the file declares (WGS84 if it does not)",
        "datum.wgs84": "WGS84 (GPS, Tianditu)",
        "datum.gcj02": "GCJ-02 (Amap, Tencent)",
        "sheet": "Sheet (xlsx, optional)",
        "upload": "Upload and import",
        "result.accepted": "Imported",
        "result.rejected": "Rejected; nothing was written",
        "new": "New",
        "updated": "Updated",
        "unchanged": "Unchanged",
        "version": "Dataset version",
        "filter": "Filter",
        "all": "All",
        "type": "Type",
        "status": "Status",
        "district": "District",
        "search": "Code or name",
        "code": "Code",
        "name": "Name",
        "height": "Height (m)",
        "owner": "Owner",
        "carriers": "Carriers on site",
        "power": "Power (kW)",
        "fibre": "Fibre",
        "load": "Load limit (kg)",
        "rent": "Rent (CNY/year)",
        "restrictions": "Restrictions",
        "lonlat": "Lon/lat (WGS84)",
        "xy": "Projected (m)",
        "source": "Source file",
        "updated_at": "Updated",
        "yes": "yes",
        "no": "no",
        "none": "No site matches",
        "total": "{total} sites",
        "prev": "Previous",
        "next": "Next",
        "back": "Back to the site list",
        "map": "Show on the map",
        "problem.row": "Row",
        "problem.column": "Column",
        "problem.code": "Code",
        "problem.message": "Message",
    },
}


def st(key: str, lang: str = "zh") -> str:
    """A site page text in ``lang``, falling back to Chinese, then to the key."""
    return TEXT.get(lang, TEXT["zh"]).get(key) or TEXT["zh"].get(key, key)


PAGE_SIZE = 50


def _page_context(
    lang: str, principal: Principal, settings: Settings, **extra: Any
) -> dict[str, Any]:
    city = city_from_settings(settings.operations)
    return {
        "lang": lang,
        "principal": principal,
        "st": st,
        "site_types": SITE_TYPES,
        "site_statuses": SITE_STATUSES,
        "carriers": CARRIERS,
        "districts": city.districts,
        "may_import": principal.role in IMPORTER_ROLES,
        **extra,
    }


def _list_view(
    db: Any,
    scope: Scope,
    settings: Settings,
    site_type: str | None,
    status: str | None,
    district: int | None,
    q: str | None,
    page: int,
) -> dict[str, Any]:
    items, total = service.list_sites(
        session=db,
        scope=scope,
        site_type=site_type,
        status=status,
        district=district,
        q=q,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        city=city_from_settings(settings.operations),
    )
    return {
        "sites": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {
            "type": site_type or "",
            "status": status or "",
            "district": "" if district is None else district,
            "q": q or "",
        },
    }


@router.get(
    "/operations/sites",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[READERS],
)
def sites_page(
    request: Request,
    db: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
    site_type: PageTypeQ = "",
    status: PageStatusQ = "",
    district: PageDistrictQ = "",
    q: SearchQ = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The list with its filters (a form: "all" is an empty value) and the upload form."""
    view = _list_view(
        db,
        scope,
        settings,
        site_type or None,
        status or None,
        int(district) if district else None,
        q,
        page,
    )
    context = _page_context(lang, principal, settings, result=None, error=None, **view)
    return render(request, "operations/sites.html", context)


@router.post(
    "/operations/sites",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[IMPORTERS],
)
def sites_upload(
    request: Request,
    db: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
    lang: LangDep,
    file: Annotated[UploadFile, File()],
    datum: Annotated[Literal["", "wgs84", "gcj02"], Form()] = "",
    sheet: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Import through the browser; the outcome and every problem are shown in place."""
    status_code = 200
    result: SiteImportResult | None = None
    error: dict[str, Any] | None = None
    try:
        result = _import_upload(
            db=db,
            settings=settings,
            principal=principal,
            scope=scope,
            info=info,
            upload=file,
            datum=datum,
            sheet=sheet,
        )
    except ZhiguoError as exc:
        db.rollback()
        error = {
            "code": exc.code,
            "message": exc.message(lang),
            "problems": exc.details.get("problems", []),
        }
        status_code = exc.http_status
    view = _list_view(db, scope, settings, None, None, None, None, 1)
    context = _page_context(lang, principal, settings, result=result, error=error, **view)
    return render(request, "operations/sites.html", context, status_code=status_code)


@router.get(
    "/operations/sites/{site_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[READERS],
)
def site_page(
    site_id: SiteId,
    request: Request,
    db: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    city = city_from_settings(settings.operations)
    site = service.get_site(session=db, scope=scope, site_id=site_id, city=city)
    return render(
        request, "operations/site_detail.html", _page_context(lang, principal, settings, s=site)
    )
