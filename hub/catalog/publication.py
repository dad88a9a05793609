"""Publishing a catalog version: snapshot and delta blobs, and the manifest naming them.

When an org's ``catalog_version`` has moved past its last publication,
one consistent read builds the snapshot of the new version and the
delta from the last published one (every product changed since, whole).
Both are stored as content-addressed blobs, and the manifest lists the
snapshot and the chain of recent deltas, so a box that missed a few
versions applies a few small deltas instead of the whole catalog.

Blobs stay while the newest or the previous manifest names them (a box
may be fetching the previous one right now); older ones are deleted.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.blobs import CATALOG_KINDS, blob_url, store_blob
from hub.catalog.snapshot import build_delta, build_snapshot
from hub.clock import utcnow
from hub.db.models import CatalogBlob, CatalogPublication, Org
from hub.db.session import consistent_read
from setledger.contracts import BlobRef, CatalogDelta, CatalogManifest, CatalogSnapshot, DeltaRef

MAX_DELTAS = 20


def due_orgs(session: Session) -> list[uuid.UUID]:
    """Orgs whose catalog moved past their last publication (or never published)."""
    query = (
        select(Org.org_id)
        .outerjoin(CatalogPublication, CatalogPublication.org_id == Org.org_id)
        .where(
            CatalogPublication.version.is_(None)
            | (CatalogPublication.version < Org.catalog_version)
        )
        .order_by(Org.org_id)
    )
    return list(session.scalars(query))


def publish_catalog(sessions: sessionmaker[Session], org_id: uuid.UUID) -> CatalogManifest | None:
    """Build, store and record the manifest of the org's current version (None: up to date)."""
    with sessions.begin() as session:
        consistent_read(session)
        org = session.get(Org, org_id)
        if org is None:
            return None
        published = session.get(CatalogPublication, org_id)
        if published is not None and published.version >= org.catalog_version:
            return None
        snapshot = build_snapshot(session, org)
        stored = store_blob(session, org_id, "snapshot", None, snapshot.version, _bytes(snapshot))
        chain: list[DeltaRef] = []
        previous: CatalogManifest | None = None
        if published is not None:
            previous = CatalogManifest.model_validate(published.manifest)
            delta = build_delta(session, org, published.version)
            body = _bytes(delta)
            made = store_blob(session, org_id, "delta", delta.from_version, delta.to_version, body)
            chain = trim_chain(
                [
                    *previous.deltas,
                    DeltaRef(
                        url=blob_url(made.sha256),
                        sha256=made.sha256,
                        size=made.size,
                        from_version=delta.from_version,
                        to_version=delta.to_version,
                    ),
                ],
                stored.size,
            )
        now = utcnow()
        manifest = CatalogManifest(
            org_id=org.org_code,
            version=snapshot.version,
            snapshot=BlobRef(url=blob_url(stored.sha256), sha256=stored.sha256, size=stored.size),
            deltas=chain,
            published_at=now,
        )
        _record(session, org_id, published, manifest)
        _prune(session, org_id, manifest, previous)
        return manifest


def trim_chain(chain: list[DeltaRef], snapshot_size: int) -> list[DeltaRef]:
    """The newest deltas, at most MAX_DELTAS and together no bigger than the snapshot:
    a box further behind than that is better off fetching the snapshot."""
    kept = chain[-MAX_DELTAS:]
    while len(kept) > 1 and sum(d.size for d in kept) > snapshot_size:
        kept = kept[1:]
    return kept


def _bytes(message: CatalogSnapshot | CatalogDelta) -> bytes:
    return message.model_dump_json().encode("utf-8")


def _record(
    session: Session,
    org_id: uuid.UUID,
    published: CatalogPublication | None,
    manifest: CatalogManifest,
) -> None:
    values = {
        "version": manifest.version,
        "manifest": manifest.model_dump(mode="json"),
        "published_at": manifest.published_at,
    }
    if published is None:
        session.add(CatalogPublication(org_id=org_id, **values))
        session.flush()
        return
    # Guarded by the version read: a second publisher that got here first
    # makes this a no-op rather than moving the publication backwards.
    session.execute(
        update(CatalogPublication)
        .where(
            CatalogPublication.org_id == org_id,
            CatalogPublication.version == published.version,
        )
        .values(**values)
    )


def _prune(
    session: Session,
    org_id: uuid.UUID,
    manifest: CatalogManifest,
    previous: CatalogManifest | None,
) -> None:
    keep = {manifest.snapshot.sha256, *(d.sha256 for d in manifest.deltas)}
    if previous is not None:
        keep |= {previous.snapshot.sha256, *(d.sha256 for d in previous.deltas)}
    session.execute(
        delete(CatalogBlob).where(
            CatalogBlob.org_id == org_id,
            CatalogBlob.kind.in_(CATALOG_KINDS),  # stock snapshots are the stock publisher's
            CatalogBlob.sha256.not_in(keep),
        )
    )


def read_manifest(session: Session, org_id: uuid.UUID) -> CatalogManifest | None:
    published = session.get(CatalogPublication, org_id)
    if published is None:
        return None
    return CatalogManifest.model_validate(published.manifest)
