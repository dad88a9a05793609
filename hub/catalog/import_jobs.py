"""Catalog imports as jobs: an upload answers at once with a job id; a thread
of the hub process checks and writes the file, reporting progress in the
``catalog_import`` row (see ``hub/db/catalog_import.py``).

The thread's sessions act for no org (like the ingest workers): binary
COPY, which the bulk write uses on PostgreSQL, is refused under row-level
security, and every statement of the job names the org itself. Progress is
written in short transactions of their own; on SQLite, whose one writer is
the import's transaction, the write phase reports only its end.

A job that dies with its process (the hub stopped mid-import) stays in
``checking`` or ``writing``; nothing of it was committed, so uploading the
file again is always safe.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.import_check import CheckedFile, Problem, check_file
from hub.catalog.importing import ImportRejected, write_import
from hub.catalog.sheets import SheetFormat, sniff
from hub.clock import utcnow
from hub.db.bulk import is_pg
from hub.db.catalog_import import CatalogImport
from hub.schemas import Response
from setledger import errors
from setledger.ids import new_id

log = logging.getLogger("hub.catalog.import_jobs")

WAIT_MAX_ROWS = 2_000
"""``?wait=true`` answers in the request: only for small files."""
PROGRESS_INTERVAL_S = 0.5

ImportState = Literal["checking", "writing", "done", "rejected", "failed"]
FINISHED = frozenset({"done", "rejected", "failed"})


class ImportProblem(Response):
    line: int
    column: str
    code: str
    message: str


class CatalogImportPublic(Response):
    import_id: uuid.UUID
    state: ImportState
    file_name: str
    file_format: str
    rows_total: int
    """Product rows in the file (known once checking is over)."""
    rows_checked: int
    rows_written: int
    products_created: int
    products_updated: int
    problem_total: int
    problems: list[ImportProblem]
    """The first 1,000 problems, in file order per phase."""
    catalog_version: int | None
    created_at: datetime
    finished_at: datetime | None


def to_public(job: CatalogImport) -> CatalogImportPublic:
    return CatalogImportPublic(
        import_id=job.import_id,
        state=job.state,
        file_name=job.file_name,
        file_format=job.file_format,
        rows_total=job.rows_total,
        rows_checked=job.rows_checked,
        rows_written=job.rows_written,
        products_created=job.products_created,
        products_updated=job.products_updated,
        problem_total=job.problem_total,
        problems=[ImportProblem.model_validate(p) for p in job.problems],
        catalog_version=job.catalog_version,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def read_import(session: Session, org_id: uuid.UUID, import_id: uuid.UUID) -> CatalogImportPublic:
    with session.begin():
        job = session.get(CatalogImport, (org_id, import_id))
        if job is None:
            raise errors.CATALOG_IMPORT_NOT_FOUND.error(import_id=str(import_id))
        return to_public(job)


def start_import(
    sessions: sessionmaker[Session],
    org_id: uuid.UUID,
    user_id: uuid.UUID | None,
    file_name: str,
    data: bytes,
    *,
    wait: bool,
) -> CatalogImportPublic:
    """Record the job and run it: in a thread, or here when ``wait`` (small files only).

    Waiting, a rejected file raises CATALOG_IMPORT_INVALID with the problems.
    """
    sheet_format = sniff(data, file_name)
    import_id = new_id()
    now = utcnow()
    with sessions() as session, session.begin():
        session.add(
            CatalogImport(
                org_id=org_id,
                import_id=import_id,
                state="checking",
                file_name=file_name[:200] or "upload",
                file_format=sheet_format.value,
                rows_total=0,
                rows_checked=0,
                rows_written=0,
                products_created=0,
                products_updated=0,
                problem_total=0,
                problems=[],
                catalog_version=None,
                created_by=user_id,
                created_at=now,
                updated_at=now,
                finished_at=None,
            )
        )
    job = Job(sessions, org_id, import_id)
    if not wait:
        thread = threading.Thread(
            target=job.run, args=(data, sheet_format), name=f"catalog-import-{import_id}"
        )
        thread.daemon = True  # an unfinished import commits nothing: safe to drop
        thread.start()
        with sessions() as session:
            return read_import(session, org_id, import_id)
    job.run(data, sheet_format, max_rows=WAIT_MAX_ROWS)
    with sessions() as session:
        result = read_import(session, org_id, import_id)
    if result.state == "rejected":
        raise errors.CATALOG_IMPORT_INVALID.error(
            import_id=str(import_id),
            problem_total=result.problem_total,
            problems=[p.model_dump() for p in result.problems],
        )
    if result.state == "failed":
        raise errors.INTERNAL_ERROR.error()
    return result


class Job:
    """One import, run once, by one thread."""

    def __init__(self, sessions: sessionmaker[Session], org_id: uuid.UUID, import_id: uuid.UUID):
        self.sessions = sessions
        self.org_id = org_id
        self.import_id = import_id
        self._last_progress = 0.0

    def run(self, data: bytes, sheet_format: SheetFormat, max_rows: int | None = None) -> None:
        try:
            checked = check_file(
                data,
                sheet_format,
                progress=lambda n: self._progress(rows_checked=n),
                **({"max_rows": max_rows} if max_rows is not None else {}),
            )
            self._set(rows_total=checked.rows_total, rows_checked=checked.rows_total)
            if checked.report:
                self._reject(checked.report.problems, checked.report.total)
                return
            self._set(state="writing")
            self._write(checked)
        except Exception:
            log.exception("catalog import %s failed", self.import_id)
            self._set(state="failed", finished_at=utcnow())

    def _write(self, checked: CheckedFile) -> None:
        with self.sessions() as session:
            try:
                with session.begin():
                    live = is_pg(session)

                    def progress(n: int) -> None:
                        if live:
                            self._progress(rows_written=n)

                    now = utcnow()
                    written = write_import(session, self.org_id, checked, now, progress)
                    # In the same transaction as the products: done iff written.
                    self._update(
                        session,
                        state="done",
                        rows_written=written.created + written.updated,
                        products_created=written.created,
                        products_updated=written.updated,
                        catalog_version=written.version,
                        finished_at=now,
                    )
            except ImportRejected as rejected:
                self._reject(rejected.report.problems, rejected.report.total)

    def _reject(self, problems: list[Problem], total: int) -> None:
        self._set(
            state="rejected",
            problem_total=total,
            problems=[p.as_dict() for p in problems],
            finished_at=utcnow(),
        )

    def _progress(self, **values: Any) -> None:
        # At most twice a second: a progress bar, not a log.
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self._set(**values)

    def _set(self, **values: Any) -> None:
        with self.sessions() as session, session.begin():
            self._update(session, **values)

    def _update(self, session: Session, **values: Any) -> None:
        session.execute(
            update(CatalogImport)
            .where(CatalogImport.org_id == self.org_id, CatalogImport.import_id == self.import_id)
            .values(updated_at=utcnow(), **values)
        )
