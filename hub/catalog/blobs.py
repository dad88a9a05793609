"""Blobs for boxes: content-addressed bytes the hub serves at ``/api/v1/blobs/{sha256}``.

The catalog's snapshots and deltas (hub/catalog/publication.py) and the stock
snapshots too big for one MQTT message (hub/stock/snapshot.py) are stored here;
each publisher prunes only its own kinds.

A box may read only its own org's blobs; the hub administrator any. A
blob of another org answers "not found", the same as one that does not
exist, so a box cannot probe which hashes other orgs hold.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.models import CatalogBlob
from hub.db.upsert import insert_ignore
from setledger import errors

BLOB_PATH = "/api/v1/blobs/{sha256}"
CATALOG_KINDS = ("snapshot", "delta")
STOCK_KIND = "stock"


def blob_url(sha256: str) -> str:
    return BLOB_PATH.format(sha256=sha256)


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def store_blob(
    session: Session,
    org_id: uuid.UUID,
    kind: str,
    from_version: int | None,
    to_version: int,
    body: bytes,
) -> StoredBlob:
    """Keep ``body`` under its sha256 (already there: nothing to do)."""
    sha = hashlib.sha256(body).hexdigest()
    insert_ignore(
        session,
        CatalogBlob,
        {
            "org_id": org_id,
            "sha256": sha,
            "kind": kind,
            "from_version": from_version,
            "to_version": to_version,
            "size": len(body),
            "body": body,
            "created_at": utcnow(),
        },
    )
    return StoredBlob(sha, len(body))


def read_blob(session: Session, org_id: uuid.UUID, sha256: str) -> bytes:
    """The bytes of one of the org's blobs (another org's answers as unknown)."""
    with session.begin():
        query = select(CatalogBlob.body).where(
            CatalogBlob.sha256 == sha256, CatalogBlob.org_id == org_id
        )
        body = session.scalars(query.limit(1)).first()
        if body is None:
            raise errors.BLOB_NOT_FOUND.error(sha256=sha256)
        return body
