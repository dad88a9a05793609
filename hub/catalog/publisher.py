"""The catalog publisher: new catalog versions out to every store, as retained manifests.

A loop (every ``catalog_poll_ms``) does two things:

1. publish: every org whose ``catalog_version`` moved past its last
   publication gets new blobs and a new manifest (publication.py);
2. deliver: every store whose retained manifest on
   ``setledger/v1/{org}/{store}/down/catalog`` is not confirmed (PUBACK)
   at the org's published version gets it (QoS 1, retained).

What was delivered is remembered in memory only, per broker connection:
a restarted publisher, or one that reconnected (the broker may have lost
its retained messages), delivers every manifest again. A store created
after the last version change gets its manifest on the next poll.

One publisher per hub is enough; two are harmless (the same manifests,
retained twice, and the publication's version guard).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hub.catalog.publication import due_orgs, publish_catalog
from hub.db.models import CatalogPublication, Store
from hub.mqtt.poller import Poller
from hub.settings import HubSettings
from hub.staff.publisher import StaffPublisher
from hub.stock.snapshot import StockPublisher
from hub.stock.urgent_publisher import ReorderStatusPublisher
from setledger.contracts import CatalogManifest, topics

log = logging.getLogger("hub.catalog.publisher")

PUBACK_TIMEOUT_S = 30.0
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError, PoolTimeout)

StoreKey = tuple[uuid.UUID, uuid.UUID]


@dataclass(frozen=True)
class _Manifest:
    version: int
    org_code: str
    payload: bytes


@dataclass(frozen=True)
class _InFlight:
    version: int
    info: mqtt.MQTTMessageInfo
    sent_at: float


class CatalogPublisher(Poller):
    kind = "catalog"

    def __init__(
        self, settings: HubSettings, *, name: str = "publisher", engine: Engine | None = None
    ) -> None:
        super().__init__(settings, name=name, engine=engine)
        self._generation = 0
        self._delivered: dict[StoreKey, int] = {}
        self._in_flight: dict[StoreKey, _InFlight] = {}
        self._manifests: dict[uuid.UUID, _Manifest] = {}

    def poll_once(self) -> None:
        try:
            self._publish_new_versions()
            if self.link.connected.is_set():
                self._deliver()
        except TRANSIENT_DB_ERRORS as err:
            log.warning("database unavailable; will retry", extra={"error": str(err)[:300]})
        except Exception:  # the next poll tries again; a dead publisher would stop every store
            log.exception("catalog publishing failed; will retry")

    def _publish_new_versions(self) -> None:
        with self.sessions() as session:
            due = due_orgs(session)
        for org_id in due:
            try:
                manifest = publish_catalog(self.sessions, org_id)
            except TRANSIENT_DB_ERRORS:
                raise
            except Exception:  # one org's failure must not stop the others (logged)
                log.exception("publishing a catalog failed", extra={"org_uuid": str(org_id)})
                continue
            if manifest is not None:
                log.info(
                    "catalog version published",
                    extra={
                        "org_id": manifest.org_id,
                        "version": manifest.version,
                        "snapshot_bytes": manifest.snapshot.size,
                        "deltas": len(manifest.deltas),
                    },
                )

    def _deliver(self) -> None:
        if self.link.generation != self._generation:
            # A new connection: the broker may have lost retained messages.
            self._generation = self.link.generation
            self._delivered.clear()
            self._in_flight.clear()
        self._settle()
        with self.sessions() as session:
            versions = {
                org_id: version
                for org_id, version in session.execute(
                    select(CatalogPublication.org_id, CatalogPublication.version)
                )
            }
            stores = [
                (org_id, store_id)
                for org_id, store_id in session.execute(select(Store.org_id, Store.store_id))
            ]
        for org_id, store_id in stores:
            version = versions.get(org_id)
            key = (org_id, store_id)
            if version is None or self._delivered.get(key, 0) >= version:
                continue
            flying = self._in_flight.get(key)
            if flying is not None and flying.version >= version:
                continue
            manifest = self._manifest(org_id, version)
            if manifest is None:
                continue
            info = self.link.publish(
                topics.store_catalog(manifest.org_code, store_id),
                manifest.payload,
                qos=1,
                retain=True,
            )
            self._in_flight[key] = _InFlight(manifest.version, info, time.monotonic())

    def _settle(self) -> None:
        now = time.monotonic()
        for key, flying in list(self._in_flight.items()):
            if flying.info.is_published():
                self._delivered[key] = max(self._delivered.get(key, 0), flying.version)
                del self._in_flight[key]
            elif now - flying.sent_at > PUBACK_TIMEOUT_S:
                del self._in_flight[key]  # sent again on the next poll

    def _manifest(self, org_id: uuid.UUID, version: int) -> _Manifest | None:
        held = self._manifests.get(org_id)
        if held is not None and held.version == version:
            return held
        with self.sessions() as session:
            published = session.get(CatalogPublication, org_id)
            if published is None:
                return None
            manifest = CatalogManifest.model_validate(published.manifest)
        made = _Manifest(manifest.version, manifest.org_id, manifest.model_dump_json().encode())
        self._manifests[org_id] = made
        return made

    def delivered_version(self, org_id: uuid.UUID, store_id: uuid.UUID) -> int:
        """The version confirmed to a store in this connection (0: none; for tests)."""
        return self._delivered.get((org_id, store_id), 0)


def run_publisher(settings: HubSettings, stop: threading.Event) -> None:
    """Run the catalog publisher, and the staff roster, store stock and urgent reorder
    status publishers beside it, until ``stop``."""
    settings.require_broker_secret()
    name = settings.worker_name or "publisher"
    beside = [
        threading.Thread(
            target=StaffPublisher(settings, name=name).run,
            args=(stop,),
            name="staff-publisher",
            daemon=True,
        ),
        threading.Thread(
            target=StockPublisher(settings, name=name).run,
            args=(stop,),
            name="stock-publisher",
            daemon=True,
        ),
        threading.Thread(
            target=ReorderStatusPublisher(settings, name=name).run,
            args=(stop,),
            name="reorders-publisher",
            daemon=True,
        ),
    ]
    for thread in beside:
        thread.start()
    try:
        CatalogPublisher(settings, name=name).run(stop)
    finally:
        for thread in beside:
            thread.join(timeout=15)
