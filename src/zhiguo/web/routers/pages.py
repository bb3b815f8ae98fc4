"""HTML pages (Jinja2 + htmx + ECharts, all served locally): home, enterprise list, detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from zhiguo import registry

from ..deps import LangDep, PrincipalDep, ScopeDep, SessionDep
from ..policy import AUTHENTICATED
from ..rendering import render

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(include_in_schema=False, dependencies=[AUTHENTICATED])


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, db: SessionDep, scope: ScopeDep, principal: PrincipalDep, lang: LangDep
) -> Response:
    summary = registry.portfolio_summary(session=db, scope=scope)
    return render(
        request,
        "home.html",
        {"lang": lang, "principal": principal, "summary": summary},
    )


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises(
    request: Request,
    db: SessionDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    level: Annotated[int | None, Query(ge=1, le=20)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    items = registry.list_enterprises(
        session=db, scope=scope, q=q, level=level, limit=50, offset=offset
    )
    total = registry.count_enterprises(session=db, scope=scope, q=q, level=level)
    context = {
        "lang": lang,
        "principal": principal,
        "items": items,
        "total": total,
        "q": q or "",
        "offset": offset,
    }
    partial = request.headers.get("HX-Request") == "true"
    name = "_enterprise_rows.html" if partial else "enterprises.html"
    return render(request, name, context)


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_detail(
    uscc: str,
    request: Request,
    db: SessionDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    ent = registry.get_enterprise(session=db, scope=scope, uscc=uscc)
    context = {
        "lang": lang,
        "principal": principal,
        "e": ent,
        "path": registry.path_to_root(session=db, scope=scope, enterprise_id=ent.id),
        "shareholders": registry.shareholders_of(session=db, scope=scope, enterprise_id=ent.id),
        "children": registry.children_of(session=db, scope=scope, enterprise_id=ent.id),
        "eso": registry.effective_state_ownership(session=db, scope=scope, enterprise_id=ent.id),
    }
    return render(request, "enterprise.html", context)
