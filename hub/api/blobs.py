"""Catalog blobs for boxes: ``GET /api/v1/blobs/{sha256}`` with the device's token.

The bytes are served exactly as stored, so the box can check their size
and sha256 before it parses anything. Content-addressed, so cacheable for
ever.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from hub.api.deps import Caller, DbSession, require_device_or_member
from hub.catalog.blobs import read_blob

router = APIRouter(tags=["blobs"])

Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.get(
    "/blobs/{sha256}",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The blob's bytes"}},
)
def get_blob(
    session: DbSession,
    caller: Annotated[Caller, Depends(require_device_or_member)],
    sha256: Sha256Path,
) -> Response:
    body = read_blob(session, caller.org_id, sha256)
    return Response(
        content=body,
        media_type="application/json",
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"},
    )
