"""Product labels from the box's catalog (offline), in the same formats as the hub.

ESC/POS comes back as bytes; sending them to the counter's printer is the
device manager's job (issue 7).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from edge.api.deps import Box, Cashier
from edge.services.identity import require_identity
from edge.services.labels import label_job
from labels import media_type, render_chunks
from labels.request import LabelRequest, file_name

router = APIRouter(prefix="/api/v1/labels", tags=["labels"])


@router.post("", response_class=StreamingResponse)
def print_labels(box: Box, cashier: Cashier, body: LabelRequest) -> StreamingResponse:
    """Labels for picked products, a category, or the whole catalog (neither given)."""
    with box.db.reader.connect() as conn:
        identity = require_identity(conn)
        job = label_job(conn, identity.org_id, body, box.wall_clock())
    kind = media_type(job, body.format)
    return StreamingResponse(
        render_chunks(job, body.format),
        media_type=kind,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(body, kind)}"',
            "X-Label-Count": str(job.label_count),
        },
    )
