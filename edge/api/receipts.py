"""Receipts and the print queue: reprint a sale's receipt or a return's credit note,
list recent print jobs."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from edge.api.deps import Box, Cashier
from edge.services import receipts

router = APIRouter(prefix="/api/v1", tags=["receipts"])


class PrintJobOut(BaseModel):
    job_id: str
    kind: str
    sale_id: str | None
    return_id: str | None
    state: str
    attempts: int
    next_attempt_ms: int
    created_at: str
    printed_at: str | None
    last_error: str | None
    bytes: int | None
    """Size of the rendered slip (None until its first attempt)."""


class PrintJobsOut(BaseModel):
    printer: dict[str, Any] | None
    """The printer's status (reachable, online, paper, printed); None when the box has none."""
    counts: dict[str, int]
    jobs: list[PrintJobOut]


@router.post("/sales/{sale_id}/receipt", response_model=PrintJobOut, status_code=202)
def reprint_receipt(box: Box, cashier: Cashier, sale_id: UUID) -> PrintJobOut:
    """Print the sale's receipt again, marked DUPLICATE (queued; see GET /api/v1/print-jobs)."""
    job = receipts.reprint(box, str(sale_id))
    return PrintJobOut(**job.public())


@router.post("/returns/{return_id}/receipt", response_model=PrintJobOut, status_code=202)
def reprint_credit_note(box: Box, cashier: Cashier, return_id: UUID) -> PrintJobOut:
    """Print the return's credit note again, marked DUPLICATE, without the drawer kick."""
    job = receipts.reprint_note(box, str(return_id))
    return PrintJobOut(**job.public())


@router.get("/print-jobs", response_model=PrintJobsOut)
def list_print_jobs(
    box: Box,
    cashier: Cashier,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> PrintJobsOut:
    """Recent print jobs, newest first, with the printer's status."""
    worker = getattr(request.app.state, "printer", None)
    queue = box.receipts
    return PrintJobsOut(
        printer=None if worker is None else worker.status(),
        counts={} if queue is None else queue.counts(),
        jobs=[PrintJobOut(**job.public()) for job in receipts.recent_jobs(box, limit)],
    )
