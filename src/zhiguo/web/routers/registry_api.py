"""Registry API: enterprises, the ownership tree and shareholdings, always within scope."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from zhiguo import registry
from zhiguo.core.errors import ImportRejected, InputError, PermissionDenied, TooLarge
from zhiguo.core.inbox import Received, keep_file, record_outcome
from zhiguo.datacenter.ingest import refuse_unsafe_xlsx
from zhiguo.registry import EnterpriseOut, ImportReport, OwnershipOut, TreeNode
from zhiguo.security.audit import record_event
from zhiguo.security.masking import PERSONAL_DB_FIELDS, mask_record

from ..deps import (
    PrincipalDep,
    RegistryMaintainerDep,
    RequestInfoDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
)
from ..policy import AUTHENTICATED

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(prefix="/api/registry", tags=["registry"], dependencies=[AUTHENTICATED])


class EnterprisePage(BaseModel):
    items: list[EnterpriseOut]
    total: int
    limit: int
    offset: int


class EnterpriseContact(BaseModel):
    """Personal information (stored SM4-GCM encrypted), masked unless revealed."""

    legal_representative: str | None
    contact_phone: str | None
    masked: bool


class EnterpriseDetail(BaseModel):
    enterprise: EnterpriseOut
    contact: EnterpriseContact
    path: list[EnterpriseOut]
    shareholders: list[OwnershipOut]
    children: list[OwnershipOut]
    effective_state_ownership_pct: Decimal


@router.get("/enterprises")
def list_enterprises(
    db: SessionDep,
    scope: ScopeDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    level: Annotated[int | None, Query(ge=1, le=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> EnterprisePage:
    """Enterprises the caller may see; the total counts only those too."""
    items = registry.list_enterprises(
        session=db, scope=scope, q=q, level=level, limit=limit, offset=offset
    )
    total = registry.count_enterprises(session=db, scope=scope, q=q, level=level)
    return EnterprisePage(
        items=[EnterpriseOut.model_validate(e) for e in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/enterprises/{uscc}")
def get_enterprise(
    uscc: str,
    db: SessionDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
    as_of: date | None = None,
    unmask: Annotated[
        bool, Query(description="显示完整个人信息（需授权，记审计）/ reveal personal fields")
    ] = False,
) -> EnterpriseDetail:
    """One enterprise with its path to the root, shareholders, direct investments and
    effective state ownership (as of a date, default today). The contact's personal fields
    are masked; ``unmask=true`` reveals them to a caller granted unmasking, and is audited."""
    ent = registry.get_enterprise(session=db, scope=scope, uscc=uscc)
    contact = {
        "legal_representative": ent.legal_representative,
        "contact_phone": ent.contact_phone,
    }
    if unmask:
        if not scope.may_unmask:
            raise PermissionDenied(
                "您未获授权查看完整个人信息", "You are not granted unmasking of personal fields"
            )
        record_event(
            db,
            event_type="data.unmask",
            principal=principal,
            object=f"enterprise:{ent.uscc}",
            detail={"fields": sorted(contact)},
            client_addr=info.client_addr,
            request_id=info.request_id,
        )
    else:
        contact = mask_record(contact, PERSONAL_DB_FIELDS["enterprises"], unmask=False)
    return EnterpriseDetail(
        enterprise=EnterpriseOut.model_validate(ent),
        contact=EnterpriseContact(**contact, masked=not unmask),
        path=[
            EnterpriseOut.model_validate(e)
            for e in registry.path_to_root(
                session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
            )
        ],
        shareholders=registry.shareholders_of(
            session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
        ),
        children=registry.children_of(session=db, scope=scope, enterprise_id=ent.id, as_of=as_of),
        effective_state_ownership_pct=registry.effective_state_ownership(
            session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
        ),
    )


@router.get("/tree")
def portfolio_tree(
    db: SessionDep,
    scope: ScopeDep,
    as_of: date | None = None,
    depth: Annotated[int, Query(ge=1, le=8)] = 2,
) -> TreeNode:
    """The ownership tree of everything the caller sees, as of a date."""
    return registry.tree(session=db, scope=scope, as_of=as_of, max_depth=depth)


@router.get("/enterprises/{uscc}/tree")
def enterprise_tree(
    uscc: str,
    db: SessionDep,
    scope: ScopeDep,
    as_of: date | None = None,
    depth: Annotated[int, Query(ge=1, le=8)] = 3,
) -> TreeNode:
    """The subtree below one enterprise, as of a date."""
    ent = registry.get_enterprise(session=db, scope=scope, uscc=uscc)
    return registry.tree(session=db, scope=scope, root_id=ent.id, as_of=as_of, max_depth=depth)


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {_XLSX: {}}, "description": "the registry workbook"}},
)
def export_registry(
    db: SessionDep, scope: ScopeDep, principal: PrincipalDep, info: RequestInfoDep
) -> Response:
    """The registry the caller may see, as the import workbook (sheets 企业 and 股权)."""
    with tempfile.TemporaryDirectory() as tmp:  # the temporary file goes with the request
        path = Path(tmp) / "registry.xlsx"
        registry.export_registry(session=db, scope=scope, path=path)
        data = path.read_bytes()
    record_event(
        db,
        event_type="data.export",
        principal=principal,
        object="registry.xlsx",
        detail={"bytes": len(data), "whole_portfolio": scope.is_unrestricted},
        client_addr=info.client_addr,
        request_id=info.request_id,
    )
    db.commit()  # audited before the file leaves
    # the export is the caller's scope; the name stays ASCII (RFC 6266)
    disposition = (
        f"attachment; filename=\"registry.xlsx\"; filename*=UTF-8''{quote('企业名录.xlsx')}"
    )
    return Response(data, media_type=_XLSX, headers={"Content-Disposition": disposition})


def safe_upload_name(name: str | None, default: str) -> str:
    stem = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", Path(name or default).name)[:100]
    return stem or default


def _read_limited(upload: UploadFile) -> bytes:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(
            f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB 上限",
            f"File exceeds the {MAX_UPLOAD_BYTES // 1024 // 1024} MB limit",
        )
    return data


@router.post("/import")
def import_registry(
    db: SessionDep,
    settings: SettingsDep,
    principal: RegistryMaintainerDep,
    info: RequestInfoDep,
    file: Annotated[UploadFile, File(description="xlsx（企业+股权）或企业 csv")],
    ownership: Annotated[UploadFile | None, File(description="股权 csv（配合企业 csv）")] = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import the registry, all or nothing. Every uploaded file is kept in the inbox first;
    a rejected import answers 422 with every problem (sheet, row, column, rule, zh/en)."""
    name = safe_upload_name(file.filename, "registry.xlsx")
    if Path(name).suffix.lower() not in {".xlsx", ".csv"}:
        raise InputError("仅支持 .xlsx 或 .csv 文件", "Only .xlsx or .csv files are accepted")
    uploads = [(name, _read_limited(file))]
    if ownership is not None:
        uploads.append((f"{Path(name).stem}.ownership.csv", _read_limited(ownership)))
    sender = f"web:{principal.username}"
    inbox = settings.workspace / "inbox"
    kept: list[Received] = [
        keep_file(inbox, "registry", n, data, sender=sender) for n, data in uploads
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n, data in uploads:
            (Path(tmp) / n).write_bytes(data)
        try:
            refuse_unsafe_xlsx(Path(tmp) / name, file_label=name)  # bombs never reach calamine
            report = registry.import_registry(session=db, path=Path(tmp) / name, dry_run=dry_run)
        except ImportRejected:
            for received in kept:
                record_outcome(received, {"result": "rejected", "by": sender})
            raise
    for received in kept:
        record_outcome(received, {"result": "dry_run" if dry_run else "accepted", "by": sender})
    if not dry_run:
        record_event(
            db,
            event_type="data.import",
            principal=principal,
            object=f"registry/{name}",
            detail={
                "files": {r.original_name: r.sha256 for r in kept},
                "rows": len(report.rows),
                "committed": report.committed,
            },
            client_addr=info.client_addr,
            request_id=info.request_id,
        )
    return report
