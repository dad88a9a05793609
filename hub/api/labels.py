"""Product labels of the catalog master as a file (PDF, PNG, SVG, ESC/POS, ZPL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.catalog.labels import label_job
from labels import media_type, render_chunks
from labels.request import LabelRequest, file_name

router = APIRouter(tags=["catalog"])


@router.post(
    "/orgs/{org}/labels",
    response_class=StreamingResponse,
    responses={200: {"description": "The label file", "content": {"application/pdf": {}}}},
)
def print_labels(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_READ)],
    body: LabelRequest,
) -> StreamingResponse:
    """Labels for picked products, a category, or the whole catalog (neither given).

    PDF streams page by page; PNG and SVG are one image per page (a ZIP
    when there are several)."""
    job = label_job(session, principal.org_code, body)
    kind = media_type(job, body.format)
    return StreamingResponse(
        render_chunks(job, body.format),
        media_type=kind,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(body, kind)}"',
            "X-Label-Count": str(job.label_count),
        },
    )
