"""The catalog import jobs: one row per uploaded file, its progress and its outcome.

The row is the job's only shared state: the background thread writes its
progress there and ``GET .../catalog/imports/{id}`` reads it, so any hub
process can answer. The outcome (``done`` with the counts) is written in
the same transaction as the products, so a job is done exactly when its
products are in the catalog.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class CatalogImport(Base):
    __tablename__ = "catalog_import"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    import_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    """checking, writing, then done, rejected (nothing written) or failed."""
    file_name: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(8))
    rows_total: Mapped[int]
    rows_checked: Mapped[int]
    rows_written: Mapped[int]
    products_created: Mapped[int]
    products_updated: Mapped[int]
    problem_total: Mapped[int]
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The first 1,000 problems: line, column, code, message."""
    catalog_version: Mapped[int | None]
    """The version the import's changes carry (None: nothing changed)."""
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
