"""The replicator: drains the outbox to the hub and prunes on the hub's ack.

Four threads, each with one job:
- the network thread owns the MQTT connection (paho's ``loop``), reconnects
  with back-off and jitter, and runs the message callbacks (acks, resend
  requests, catalog manifests, staff rosters);
- the sender publishes outbox rows in (epoch, seq) order, in batches when
  catching up, never more than ``window`` envelopes ahead of the hub's ack,
  and starts again from the oldest unacked row on every connect and when
  the ack has not moved for ``ack_timeout`` seconds;
- the catalog sync fetches and applies what the manifests name;
- the staff sync applies the newest roster (it travels in the message);
- the stock sync applies the newest stock snapshot (in the message too, or
  fetched as a blob when the hub names one too big for a message);
- the reorder status sync applies what the hub did with the store's urgent
  reorders (in the message).

paho keeps its session in memory only and retries QoS 1 messages only on
reconnect (PITFALLS.md), so it is treated as a pipe: the outbox is the
durable queue, and resending from it is always safe because the hub's
inbox turns duplicates into re-acks.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import ValidationError

from edge.runtime import BoxRuntime
from edge.services.catalog import catalog_version
from edge.services.identity import BoxIdentity, HubLink, current_epoch
from edge.store import clock_floor, outbox
from edge.sync.backoff import Backoff
from edge.sync.blobs import BlobFetcher
from edge.sync.catalog_sync import CatalogSync
from edge.sync.link import BrokerAddress
from edge.sync.reorder_sync import ReorderStatusSync
from edge.sync.staff_sync import StaffSync
from edge.sync.stock_sync import StockSync
from setledger import __version__
from setledger.contracts import (
    MAX_BATCH_ENVELOPES,
    Ack,
    Batch,
    CatalogManifest,
    DeviceStatus,
    Envelope,
    ReorderStatus,
    ResendRequest,
    StaffRoster,
    StockSnapshot,
    StockSnapshotRef,
    topics,
)
from setledger.hlc import HLCTimestamp

log = logging.getLogger("edge.sync")

SESSION_EXPIRY_S = 7 * 24 * 3600
"""Keep the box's broker session (and its queued ctl messages) a week."""
MAX_BATCH_BYTES = 192 * 1024
"""Under the hub's 256 KiB limit with room for the batch's own fields."""


@dataclass
class ReplicatorSettings:
    window: int = 2000
    """Envelopes published but not yet acked by the hub, at most."""
    batch_max: int = MAX_BATCH_ENVELOPES
    ack_timeout: float = 10.0
    status_every: float = 30.0
    keepalive: int = 15


StreamKey = tuple[str, str]


class Replicator:
    def __init__(
        self,
        box: BoxRuntime,
        identity: BoxIdentity,
        link: HubLink,
        settings: ReplicatorSettings | None = None,
    ) -> None:
        if link.broker_url is None:
            raise ValueError("the box has no broker to replicate to")
        self.box = box
        self.identity = identity
        self.settings = settings or ReplicatorSettings()
        self.address = BrokerAddress.parse(link.broker_url)
        org, store, device = identity.org_id, identity.store_id, identity.device_id
        self.topic_status = topics.status(org, store, device)
        self.subscriptions = [
            (topics.acks(org, store, device), 1),
            (topics.ctl(org, store, device), 1),
            (topics.store_catalog(org, store), 1),
            (topics.store_staff(org, store), 1),
            (topics.store_stock(org, store), 1),
            (topics.store_stock_ref(org, store), 1),
            (topics.store_reorders(org, store), 1),
        ]
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"box-{device}", protocol=mqtt.MQTTv5
        )
        if link.username:
            self.client.username_pw_set(link.username, link.password)
        self.client.max_inflight_messages_set(20)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.catalog = (
            CatalogSync(
                box.db,
                org,
                link.hub_url,
                link.password or "",
                box.wall_clock,
                self._catalog_applied,
            )
            if link.hub_url
            else None
        )
        self.staff = StaffSync(box.db, identity, box.now)
        self.stock = StockSync(
            box.db,
            identity,
            box.now,
            BlobFetcher(link.hub_url, link.password or "") if link.hub_url else None,
        )
        self.reorders = ReorderStatusSync(box.db, identity, box.now)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._connected = False
        self._sent: dict[StreamKey, int] = {}
        self._acked: dict[StreamKey, int] = {}
        self._last_progress = time.monotonic()
        self._status_due = True
        self._last_status = 0.0
        self._threads = [
            threading.Thread(target=self._network, name="replicator-net", daemon=True),
            threading.Thread(target=self._sender, name="replicator-send", daemon=True),
        ]
        self.published_batches = 0

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        with self.box.db.reader.connect() as conn:
            self._acked = outbox.acked(conn)
        self._sent = dict(self._acked)
        for thread in self._threads:
            thread.start()
        if self.catalog is not None:
            self.catalog.start()
        self.staff.start()
        self.stock.start()
        self.reorders.start()

    def stop(self) -> None:
        """Say goodbye (retained offline status), then stop every thread."""
        if self._connected:
            info = self.client.publish(
                self.topic_status, self._status(online=False), qos=1, retain=True
            )
            info.wait_for_publish(timeout=2)
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self.client.disconnect()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.catalog is not None:
            self.catalog.stop()
        self.staff.stop()
        self.stock.stop()
        self.reorders.stop()

    def notify(self) -> None:
        """New outbox rows were committed: publish soon."""
        with self._cond:
            self._cond.notify_all()

    @property
    def connected(self) -> bool:
        return self._connected

    # --- network -------------------------------------------------------------

    def _network(self) -> None:
        backoff = Backoff(base=0.5, cap=30.0)
        while not self._stop.is_set():
            self.client.will_set(self.topic_status, self._status(online=False), qos=1, retain=True)
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = SESSION_EXPIRY_S
            try:
                self.client.connect(
                    self.address.host,
                    self.address.port,
                    keepalive=self.settings.keepalive,
                    clean_start=False,
                    properties=properties,
                )
            except OSError as err:
                delay = backoff.next()
                log.info(
                    "broker unreachable", extra={"error": str(err), "retry_in_s": round(delay, 2)}
                )
                self._stop.wait(delay)
                continue
            while not self._stop.is_set():
                if self.client.loop(timeout=0.2) != mqtt.MQTT_ERR_SUCCESS:
                    break
                if self._connected:
                    backoff.reset()
            self._set_connected(False)
            if not self._stop.is_set():
                self._stop.wait(backoff.next())

    def _set_connected(self, connected: bool) -> None:
        with self._cond:
            self._connected = connected
            if connected:
                # Start again from the oldest row the hub has not acked:
                # whatever was in flight on the old connection may be lost.
                self._sent = dict(self._acked)
                self._last_progress = time.monotonic()
                self._status_due = True
            self._cond.notify_all()

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the box", extra={"reason": str(reason)})
            return
        client.subscribe(self.subscriptions)
        log.info(
            "connected to the broker", extra={"broker": f"{self.address.host}:{self.address.port}"}
        )
        self._set_connected(True)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        log.info("disconnected from the broker", extra={"reason": str(reason)})
        self._set_connected(False)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            if "/down/ack/" in message.topic:
                self._on_ack(Ack.model_validate_json(message.payload))
            elif message.topic.endswith("/down/ctl"):
                self._on_resend(ResendRequest.model_validate_json(message.payload))
            elif message.topic.endswith("/down/catalog") and self.catalog is not None:
                self.catalog.offer(CatalogManifest.model_validate_json(message.payload))
            elif message.topic.endswith("/down/staff"):
                self.staff.offer(StaffRoster.model_validate_json(message.payload))
            elif message.topic.endswith("/down/stock"):
                self.stock.offer(StockSnapshot.model_validate_json(message.payload))
            elif message.topic.endswith("/down/stock-ref") and message.payload:
                # (An empty retained message: the hub retired the reference.)
                self.stock.offer(StockSnapshotRef.model_validate_json(message.payload))
            elif message.topic.endswith("/down/reorders"):
                self.reorders.offer(ReorderStatus.model_validate_json(message.payload))
        except ValidationError as err:
            log.warning(
                "ignored a message the box cannot read",
                extra={"topic": message.topic, "error": str(err)},
            )

    # --- acks and resends ----------------------------------------------------

    def _on_ack(self, ack: Ack) -> None:
        if str(ack.device_id) != self.identity.device_id:
            return
        key = (ack.epoch, ack.stream)
        hub_stamp = HLCTimestamp.decode(ack.hlc)
        self.box.clock.update(hub_stamp)
        if ack.acked_seq <= self._acked.get(key, 0):
            return  # stale (an old retained ack): acks only move forward
        with self.box.db.drafts.begin() as conn:
            outbox.prune(conn, ack.epoch, ack.stream, ack.acked_seq, self.box.wall_clock())
            clock_floor.raise_to(conn, hub_stamp)
        with self._cond:
            self._acked[key] = ack.acked_seq
            self._sent[key] = max(self._sent.get(key, 0), ack.acked_seq)
            self._last_progress = time.monotonic()
            self._status_due = True
            self._cond.notify_all()

    def _on_resend(self, request: ResendRequest) -> None:
        if str(request.device_id) != self.identity.device_id:
            return
        key = (request.epoch, request.stream)
        with self._cond:
            self._sent[key] = min(self._sent.get(key, 0), request.from_seq - 1)
            self._cond.notify_all()
        log.info(
            "hub asked for a resend", extra={"from_seq": request.from_seq, "reason": request.reason}
        )

    # --- sending -------------------------------------------------------------

    def _in_flight(self) -> int:
        return sum(max(0, sent - self._acked.get(key, 0)) for key, sent in self._sent.items())

    def _sender(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                self._cond.wait(timeout=0.5)
                if not self._connected:
                    continue
                stalled = time.monotonic() - self._last_progress > self.settings.ack_timeout
                if stalled and self._in_flight() > 0:
                    log.info("no ack progress; resending from the oldest unacked row")
                    self._sent = dict(self._acked)
                    self._last_progress = time.monotonic()
            try:
                self._publish_pending()
                self._publish_status_if_due()
            except Exception:
                log.exception("replicator send failed; will retry")
                self._stop.wait(1.0)

    def _publish_pending(self) -> None:
        with self.box.db.reader.connect() as conn:
            pairs = outbox.streams(conn)
        for epoch, stream in pairs:
            while not self._stop.is_set() and self._connected:
                with self._cond:
                    room = self.settings.window - self._in_flight()
                    after = self._sent.get((epoch, stream), self._acked.get((epoch, stream), 0))
                if room <= 0:
                    return
                with self.box.db.reader.connect() as conn:
                    envelopes = outbox.after(
                        conn,
                        self.identity,
                        epoch,
                        stream,
                        after,
                        min(room, self.settings.batch_max),
                    )
                if not envelopes:
                    break
                sent_up_to = self._publish_batch(epoch, stream, envelopes)
                if sent_up_to is None:
                    return
                with self._cond:
                    if self._in_flight() == 0:
                        self._last_progress = time.monotonic()
                    self._sent[(epoch, stream)] = max(
                        self._sent.get((epoch, stream), 0), sent_up_to
                    )

    def _publish_batch(self, epoch: str, stream: str, envelopes: list[Envelope]) -> int | None:
        """Publish as many as fit in one message; returns the last seq sent."""
        chosen: list[Envelope] = []
        size = 0
        for envelope in envelopes:
            encoded = len(envelope.model_dump_json())
            if chosen and size + encoded > MAX_BATCH_BYTES:
                break
            chosen.append(envelope)
            size += encoded
        batch = Batch(
            device_id=UUID(self.identity.device_id),
            epoch=epoch,
            stream=stream,
            first_seq=chosen[0].seq,
            last_seq=chosen[-1].seq,
            envelopes=chosen,
        )
        topic = topics.up(
            self.identity.org_id, self.identity.store_id, self.identity.device_id, stream
        )
        info = self.client.publish(topic, batch.model_dump_json(), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return None
        self.published_batches += 1
        return chosen[-1].seq

    # --- status --------------------------------------------------------------

    def _catalog_applied(self, version: int) -> None:
        with self._cond:
            self._status_due = True
            self._cond.notify_all()

    def _status(self, *, online: bool) -> str:
        with self.box.db.reader.connect() as conn:
            queued = outbox.state(conn)
            version = catalog_version(conn)
            epoch = current_epoch(conn) or "0" * 32
        return DeviceStatus(
            device_id=UUID(self.identity.device_id),
            epoch=epoch,
            online=online,
            outbox_head_seq=queued.head_seq,
            outbox_tail_seq=queued.tail_seq,
            outbox_depth=queued.depth,
            applied_catalog_version=version,
            software_version=__version__,
            reported_at=self.box.wall_clock(),
            hlc=self.box.clock.peek().encode(),
        ).model_dump_json()

    def _publish_status_if_due(self) -> None:
        now = time.monotonic()
        with self._cond:
            due = (self._status_due and now - self._last_status >= 1.0) or (
                now - self._last_status >= self.settings.status_every
            )
            if not due or not self._connected:
                return
            self._status_due = False
            self._last_status = now
        self.client.publish(self.topic_status, self._status(online=True), qos=1, retain=True)
