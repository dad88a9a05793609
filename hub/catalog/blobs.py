"""Reading catalog blobs for boxes (each call is one transaction).

A box may read only its own org's blobs; the hub administrator any. A
blob of another org answers "not found", the same as one that does not
exist, so a box cannot probe which hashes other orgs hold.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import CatalogBlob
from setledger import errors


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
