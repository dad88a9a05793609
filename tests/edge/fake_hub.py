"""A stand-in for the hub on a real broker, to test the box's replicator alone.

It subscribes to every uplink and status topic, keeps what arrives, and
acks (retained, as the hub does) on request or automatically. It publishes
staff rosters (retained, as the hub does) and serves catalog blobs over
HTTP. The real hub is tested against the real
box in tests/replication.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from ops.broker import Broker
from setledger.contracts import (
    Ack,
    Batch,
    BlobRef,
    CatalogManifest,
    Contract,
    DeltaRef,
    DeviceStatus,
    ResendRequest,
    StaffRoster,
    topics,
)
from setledger.hlc import HLCTimestamp, unix_ms


def wait_for(condition: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class FakeHub:
    def __init__(self, broker: Broker, *, auto_ack: bool = True) -> None:
        self.auto_ack = auto_ack
        self.batches: list[Batch] = []
        self.statuses: list[DeviceStatus] = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"fake-hub-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.subscribe([(topics.INGEST_FILTER, 1), (f"{topics.PREFIX}/+/+/+/status", 1)])
        self.client.loop_start()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/status"):
            with self.lock:
                self.statuses.append(DeviceStatus.model_validate_json(message.payload))
            return
        batch = Batch.model_validate_json(message.payload)
        with self.lock:
            self.batches.append(batch)
        if self.auto_ack:
            first = batch.envelopes[0]
            self.ack(
                first.org_id,
                first.store_id,
                batch.device_id,
                batch.epoch,
                batch.stream,
                self.contiguous(batch.epoch, batch.stream),
            )

    def seqs(self, epoch: str | None = None, stream: str | None = None) -> list[int]:
        with self.lock:
            return [
                e.seq
                for b in self.batches
                for e in b.envelopes
                if (epoch is None or b.epoch == epoch) and (stream is None or b.stream == stream)
            ]

    def contiguous(self, epoch: str, stream: str = "sales") -> int:
        # Per (epoch, stream): every stream has its own seqs from 1.
        held = set(self.seqs(epoch, stream))
        n = 0
        while n + 1 in held:
            n += 1
        return n

    def keys(self) -> set[str]:
        with self.lock:
            return {e.key for b in self.batches for e in b.envelopes}

    def publish(self, topic: str, message: Contract, retain: bool = False) -> None:
        # No wait_for_publish: this also runs in paho's callback thread, which
        # is the thread that would have to receive the PUBACK.
        self.client.publish(topic, message.model_dump_json(), qos=1, retain=retain)

    def ack(
        self,
        org: str,
        store: Any,
        device: Any,
        epoch: str,
        stream: str,
        seq: int,
        *,
        hub_ms: int | None = None,
    ) -> None:
        stamp = HLCTimestamp(hub_ms if hub_ms is not None else unix_ms(datetime.now(UTC)), 0, "hub")
        ack = Ack(
            device_id=device,
            epoch=epoch,
            stream=stream,
            acked_seq=seq,
            hub_time=datetime.now(UTC),
            hlc=stamp.encode(),
        )
        self.publish(topics.ack(org, store, device, epoch, stream), ack, retain=True)

    def publish_roster(self, roster: StaffRoster) -> None:
        """The store's staff, retained: a box gets the newest on every connect."""
        self.publish(topics.store_staff(roster.org_id, roster.store_id), roster, retain=True)

    def envelopes(self, stream: str) -> list[Any]:
        with self.lock:
            return [e for b in self.batches if b.stream == stream for e in b.envelopes]

    def resend(self, org: str, store: Any, device: Any, epoch: str, from_seq: int) -> None:
        request = ResendRequest(
            device_id=device, epoch=epoch, stream="sales", from_seq=from_seq, reason="test"
        )
        self.publish(topics.ctl(org, store, device), request)


class BlobServer:
    """Serves blobs by sha256 at /api/v1/blobs/<sha256> for one bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.blobs: dict[str, bytes] = {}
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                digest = self.path.rsplit("/", 1)[-1]
                body = owner.blobs.get(digest)
                if self.headers.get("Authorization") != f"Bearer {owner.token}" or body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, message: Contract) -> BlobRef:
        body = message.model_dump_json().encode()
        digest = hashlib.sha256(body).hexdigest()
        self.blobs[digest] = body
        return BlobRef(url=f"/api/v1/blobs/{digest}", sha256=digest, size=len(body))

    def delta_ref(self, message: Contract, from_version: int, to_version: int) -> DeltaRef:
        ref = self.add(message)
        return DeltaRef(**ref.model_dump(), from_version=from_version, to_version=to_version)

    def close(self) -> None:
        self.server.shutdown()


def manifest(
    org: str, version: int, snapshot: BlobRef, deltas: list[DeltaRef] | None = None
) -> CatalogManifest:
    return CatalogManifest(
        org_id=org,
        version=version,
        snapshot=snapshot,
        deltas=deltas or [],
        published_at=datetime.now(UTC),
    )


@contextmanager
def fake_hub(broker: Broker, **kwargs: Any) -> Iterator[FakeHub]:
    hub = FakeHub(broker, **kwargs)
    try:
        yield hub
    finally:
        hub.close()
