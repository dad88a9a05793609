"""Tables of the catalog downlink: content-addressed blobs and what was published.

The hub stores each published catalog version as a snapshot blob and a
delta blob (from the previously published version), addressed by the
sha256 of their bytes. Boxes fetch them over HTTP(S) by that hash; MQTT
only carries the small manifest naming them. ``catalog_publication`` is
the last manifest of each org, so a restarted publisher (or a broker that
lost its retained messages) can publish it again without rebuilding.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class CatalogBlob(Base):
    __tablename__ = "catalog_blob"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``snapshot`` or ``delta`` (the catalog), ``stock`` (a store's stock snapshot)."""
    from_version: Mapped[int | None]
    """A delta's base version; None for a snapshot."""
    to_version: Mapped[int]
    size: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    """The exact bytes served (JSON of a CatalogSnapshot or CatalogDelta)."""
    created_at: Mapped[datetime]


class CatalogPublication(Base):
    __tablename__ = "catalog_publication"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    version: Mapped[int]
    """The catalog version last published (may lag ``org.catalog_version``)."""
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The CatalogManifest published for ``version``, as JSON."""
    published_at: Mapped[datetime]
