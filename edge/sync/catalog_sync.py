"""Catalog downlink: from a retained manifest to an applied catalog version.

The manifest (MQTT, retained) names the version and where its snapshot and
recent deltas are. Blobs come over HTTP(S) from the hub with the device's
token and are checked against their size and sha256 before anything is
parsed. A chain of deltas from the applied version is preferred (small);
otherwise the snapshot. Either way the new version is applied in one
transaction, so a box is always on exactly one catalog version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import httpx

from edge.services import catalog
from edge.store.db import BoxDatabase
from edge.sync.blobs import BlobError, BlobFetcher
from edge.sync.downlink import Downlink
from setledger.contracts import BlobRef, CatalogDelta, CatalogManifest, CatalogSnapshot
from setledger.errors import SetLedgerError

log = logging.getLogger("edge.sync.catalog")


def plan(manifest: CatalogManifest, applied: int) -> list[BlobRef]:
    """The deltas leading from ``applied`` to the manifest's version, else the snapshot."""
    by_start = {d.from_version: d for d in manifest.deltas}
    chain: list[BlobRef] = []
    version = applied
    while version < manifest.version and version in by_start:
        step = by_start[version]
        chain.append(step)
        version = step.to_version
    if chain and version == manifest.version:
        return chain
    return [manifest.snapshot]


class CatalogSync(Downlink[CatalogManifest]):
    """Applies the newest manifest it was offered, retrying until it succeeds."""

    name = "catalog-sync"
    retry_on = (BlobError, httpx.HTTPError, ValueError, SetLedgerError)
    log = log

    def __init__(
        self,
        db: BoxDatabase,
        org_id: str,
        hub_url: str,
        token: str,
        now: Callable[[], datetime],
        on_applied: Callable[[int], None],
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(on_applied)
        self.db = db
        self.org_id = org_id
        self.now = now
        self.blobs = BlobFetcher(hub_url, token, http)

    def stop(self) -> None:
        super().stop()
        self.blobs.close()

    def accepts(self, manifest: CatalogManifest) -> bool:
        if manifest.org_id != self.org_id:
            self.log.warning("manifest of another org ignored", extra={"org_id": manifest.org_id})
            return False
        return True

    def fetch(self, ref: BlobRef) -> bytes:
        return self.blobs.fetch(ref)

    def apply(self, manifest: CatalogManifest) -> int | None:
        """Bring the box to the manifest's version; None if it already is."""
        with self.db.reader.connect() as conn:
            applied = catalog.catalog_version(conn)
        if manifest.version <= applied:
            return None
        steps = plan(manifest, applied)
        blobs = [self.fetch(ref) for ref in steps]
        now = self.now()
        with self.db.writer.begin() as conn:
            if steps == [manifest.snapshot]:
                snapshot = CatalogSnapshot.model_validate_json(blobs[0])
                if snapshot.org_id != self.org_id or snapshot.version != manifest.version:
                    raise BlobError("the snapshot is not the one the manifest names")
                catalog.apply_snapshot(conn, snapshot, now)
            else:
                for body in blobs:
                    catalog.apply_delta(conn, CatalogDelta.model_validate_json(body), now)
        log.info(
            "catalog applied",
            extra={"from": applied, "to": manifest.version, "blobs": len(steps)},
        )
        return manifest.version
