"""The ingest worker: uplink MQTT messages in, committed sales and acks out.

One process = one MQTT client on the shared subscription
``$share/hub/setledger/v1/+/+/+/up/+`` (QoS 1, ``manual_ack``) and one
processing thread. Per message, strictly in this order:

1. ``ingest_message``: check, then apply the batch in one transaction;
2. publish the retained cumulative ``Ack`` of the stream (QoS 1);
3. note a gap; a gap still open later gets a ``ResendRequest`` (see gaps.py);
4. only then PUBACK the message to the broker.

A worker killed anywhere in between loses nothing: before the commit the
box resends and the hub applies; after it, the box resends and the inbox
says "duplicate", and the ack goes out then. The database being away is
waited out (the message is retried in place); a message that makes the
hub itself fail is quarantined as ``ingest_error`` so one bad message
cannot stop a worker.

paho's network thread only queues messages; the processing thread does
the database work, so keepalives and PUBACKs of our own publications keep
flowing while a transaction runs.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import paho.mqtt.client as mqtt
from prometheus_client import CollectorRegistry, start_http_server
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from appkit.faults import crash_point
from hub.clock import utcnow
from hub.db import make_engine
from hub.db.models import Org
from hub.db.statistics import FirstStatistics
from hub.ingest.clock import MAX_CLOCK_SKEW_MS
from hub.ingest.cursor import StreamKey, read_position
from hub.ingest.gaps import GapWatch, StreamRef
from hub.ingest.message import MessageResult, ingest_message
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import QuarantineReason
from hub.ingest.quarantine import RawRefusal, quarantine_raw
from hub.ingest.worker_metrics import WorkerMetrics
from hub.mqtt import MqttLink
from hub.settings import HubSettings
from setledger.contracts import Ack, ResendRequest, topics
from setledger.hlc import HLCTimestamp, HybridClock

log = logging.getLogger("hub.worker")

QUEUE_LIMIT = 64
RECEIVE_MAXIMUM = 32
"""Unacked messages the broker may have out to one worker (MQTT v5 Receive Maximum)."""
DRAIN_TIMEOUT_S = 10.0
DB_RETRY_MIN_S = 0.5
DB_RETRY_MAX_S = 10.0
IDLE_TICK_S = 0.2
STATISTICS_EVERY_S = 1.0
CRASH_AFTER_COMMIT = "hub.after_commit_before_ack"
"""The crash point between a message's commit and its ack (``SETLEDGER_FAULTS``,
see appkit.faults): what the chaos tests arm to prove nothing is lost there."""

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


@dataclass(frozen=True)
class Delivery:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:40]


class IngestWorker:
    def __init__(
        self,
        settings: HubSettings,
        *,
        name: str | None = None,
        engine: Engine | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.name = name or settings.worker_name or default_worker_name()
        self._own_engine = engine is None
        self.engine = engine or make_engine(settings.database_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.registry = registry or CollectorRegistry()
        self.ingest_metrics = IngestMetrics(self.registry, "hub")
        self.metrics = WorkerMetrics(self.registry, "hub")
        self.clock = HybridClock(node=f"hub.{self.name}")
        self.gaps = GapWatch(settings.resend_after_ms / 1000)
        self._inbox: queue.Queue[Delivery] = queue.Queue(QUEUE_LIMIT)
        self._org_ids: dict[str, uuid.UUID] = {}
        self.statistics = FirstStatistics(self.engine)
        self._statistics_due = 0.0
        self.link = MqttLink(
            url=settings.broker_url,
            client_id=f"hub-ingest-{self.name}",
            username=settings.mqtt_username,
            password=settings.mqtt_password.get_secret_value(),
            subscriptions=[topics.INGEST_SHARED_FILTER],
            on_message=self._queue,
            manual_ack=True,
            receive_maximum=RECEIVE_MAXIMUM,
        )

    # -- lifecycle -------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, then finish what was received and leave."""
        link_stop = threading.Event()
        network = threading.Thread(
            target=self.link.run, args=(link_stop,), name=f"mqtt-{self.name}", daemon=True
        )
        network.start()
        log.info("ingest worker started", extra={"worker": self.name})
        try:
            while not stop.is_set():
                self._step(stop)
            self._drain()
        finally:
            link_stop.set()
            network.join(timeout=DRAIN_TIMEOUT_S)
            if self._own_engine:
                self.engine.dispose()
            log.info("ingest worker stopped", extra={"worker": self.name})

    def _step(self, stop: threading.Event) -> None:
        try:
            delivery = self._inbox.get(timeout=IDLE_TICK_S)
        except queue.Empty:
            delivery = None
        if delivery is not None:
            self._handle(delivery, stop)
        self._report_gaps()
        self._first_statistics()
        self.metrics.ready.set(1 if self.link.ready.is_set() else 0)

    def _drain(self) -> None:
        """On SIGTERM: stop new deliveries, finish the ones already here, so their acks go out."""
        if self.link.connected.is_set():
            self.link.client.unsubscribe(topics.INGEST_SHARED_FILTER)
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        never = threading.Event()
        while time.monotonic() < deadline:
            try:
                delivery = self._inbox.get_nowait()
            except queue.Empty:
                return
            self._handle(delivery, never, deadline=deadline)

    def _queue(self, message: mqtt.MQTTMessage, generation: int) -> None:
        # On paho's thread. A full queue blocks it, which is the back-pressure
        # we want (the broker holds the rest, within Receive Maximum).
        self._inbox.put(
            Delivery(message.topic, bytes(message.payload), message.mid, message.qos, generation)
        )

    # -- one message -------------------------------------------------------------

    def _handle(
        self, delivery: Delivery, stop: threading.Event, deadline: float | None = None
    ) -> None:
        started = time.perf_counter()
        result = self._ingest(delivery, stop, deadline)
        if result is None:
            return  # stopping while the database was away: the box resends
        self._committed(result)
        self._answer(result)
        if delivery.qos > 0:
            self.link.ack(delivery.mid, delivery.generation)
        self.metrics.observe(result, time.perf_counter() - started)

    def _ingest(
        self, delivery: Delivery, stop: threading.Event, deadline: float | None
    ) -> MessageResult | None:
        wait = DB_RETRY_MIN_S
        while True:
            received_at = utcnow()
            try:
                return ingest_message(
                    self.sessions,
                    delivery.topic,
                    delivery.payload,
                    received_at,
                    metrics=self.ingest_metrics,
                )
            except TRANSIENT_DB_ERRORS as err:
                log.warning(
                    "database unavailable; retrying the message",
                    extra={"topic": delivery.topic, "error": str(err)[:300], "retry_in_s": wait},
                )
                self.metrics.db_retries.inc()
            except Exception as err:  # noqa: BLE001 - one bad message must not stop ingest
                return self._failed(delivery, received_at, err)
            if stop.is_set() or (deadline is not None and time.monotonic() > deadline):
                return None
            stop.wait(wait)
            wait = min(wait * 2, DB_RETRY_MAX_S)

    def _failed(self, delivery: Delivery, received_at: datetime, err: Exception) -> MessageResult:
        """The hub failed on this message: keep it for a person rather than loop on it."""
        log.exception("ingest failed on a message", extra={"topic": delivery.topic})
        claimed = topics.parse_up(delivery.topic)
        if claimed is None:
            return MessageResult(topic=None)
        refusal = RawRefusal(
            delivery.topic,
            claimed,
            delivery.payload,
            QuarantineReason.INGEST_ERROR,
            f"{type(err).__name__}: {err}",
        )
        try:
            with self.sessions.begin() as session:
                quarantine_raw(session, refusal, received_at)
        except DBAPIError:
            log.exception("could not quarantine the failed message either")
        self.ingest_metrics.observe_refused_message(QuarantineReason.INGEST_ERROR)
        return MessageResult(topic=claimed, refused=QuarantineReason.INGEST_ERROR)

    def _committed(self, result: MessageResult) -> None:
        """Between the commit and the ack: where a crash must lose nothing."""
        crash_point(CRASH_AFTER_COMMIT)

    def _answer(self, result: MessageResult) -> None:
        applied, claimed, batch = result.applied, result.topic, result.batch
        if applied is None or claimed is None or batch is None:
            return
        for envelope in batch.envelopes:
            self._observe_hlc(envelope.hlc)
        if applied.cursor is None:
            return  # an unknown or revoked sender: nothing of its stream is held
        org_id = self._org_id(claimed.org_id)
        ref = StreamRef(
            claimed.org_id, org_id, claimed.store_id, claimed.device_id, batch.epoch, batch.stream
        )
        self._publish_ack(ref, applied.cursor)
        self.gaps.note(ref, applied.gap_from, time.monotonic())

    def _publish_ack(self, ref: StreamRef, cursor: int) -> None:
        ack = Ack(
            device_id=ref.device_id,
            epoch=ref.epoch,
            stream=ref.stream,
            acked_seq=cursor,
            hub_time=utcnow(),
            hlc=self.clock.now().encode(),
        )
        topic = topics.ack(ref.org_code, ref.store_id, ref.device_id, ref.epoch, ref.stream)
        self.link.publish(topic, ack.model_dump_json().encode(), qos=1, retain=True)
        self.metrics.acks.inc()

    def _observe_hlc(self, stamp: str) -> None:
        try:
            remote = HLCTimestamp.decode(stamp)
        except ValueError:
            return
        # A box whose clock runs ahead must not drag the hub's clock (and so,
        # through acks, every other box's) into its future.
        if remote.wall_ms - time.time_ns() // 1_000_000 <= MAX_CLOCK_SKEW_MS:
            self.clock.update(remote)

    def _org_id(self, org_code: str) -> uuid.UUID:
        # Org rows are never deleted and their codes never change. Called only
        # after a commit that found the org.
        if org_code not in self._org_ids:
            with self.sessions() as session:
                found = session.scalar(select(Org.org_id).where(Org.org_code == org_code))
            assert found is not None
            self._org_ids[org_code] = found
        return self._org_ids[org_code]

    def _first_statistics(self) -> None:
        now = time.monotonic()
        if self.statistics.done or now < self._statistics_due:
            return
        self._statistics_due = now + STATISTICS_EVERY_S
        try:
            self.statistics.check()
        except TRANSIENT_DB_ERRORS:
            return

    # -- gaps ----------------------------------------------------------------------

    def _report_gaps(self) -> None:
        now = time.monotonic()
        for ref in self.gaps.due(now):
            try:
                with self.sessions() as session:
                    cursor, gap_from = read_position(
                        session, StreamKey(ref.org_id, ref.device_id, ref.epoch, ref.stream)
                    )
            except TRANSIENT_DB_ERRORS:
                return
            if gap_from is None:
                self.gaps.closed(ref)
                continue
            request = ResendRequest(
                device_id=ref.device_id,
                epoch=ref.epoch,
                stream=ref.stream,
                from_seq=gap_from,
                reason=f"seq {gap_from} is missing; later seqs are held (acked to {cursor})",
            )
            self.link.publish(
                topics.ctl(ref.org_code, ref.store_id, ref.device_id),
                request.model_dump_json().encode(),
                qos=1,
            )
            self.gaps.reported(ref, gap_from, now)
            self.metrics.resend_requests.inc()
            log.info(
                "asked a box to resend",
                extra={"device_id": str(ref.device_id), "epoch": ref.epoch, "from_seq": gap_from},
            )


def run_worker(settings: HubSettings, stop: threading.Event, *, name: str | None = None) -> None:
    """Run one ingest worker until ``stop`` is set (the CLI sets it on SIGTERM/SIGINT)."""
    settings.require_broker_secret()
    worker = IngestWorker(settings, name=name)
    server = None
    if settings.worker_metrics_port:
        # Loopback: scraped by the local agent, not exposed to the network.
        server, _thread = start_http_server(
            settings.worker_metrics_port, addr="127.0.0.1", registry=worker.registry
        )
    try:
        worker.run(stop)
    finally:
        if server is not None:
            server.shutdown()
