"""MQTT helpers for the hub's tests: a secured broker, a fake box, a worker in a thread.

The fake box is plain paho (not the real box): it logs in with its device
id and token, publishes Batches on its uplink topic and records what the
hub sends down (acks, resend requests, catalog manifests).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import SecretStr

from hub.ingest.worker import IngestWorker
from hub.settings import HubSettings
from ops.broker import Broker
from provisioning.broker.credentials import write_broker_files
from setledger.contracts import Batch, Envelope, topics
from tests.hub.harness import Hub

HUB_USER = "hub-test"
HUB_PASSWORD = "hub-test-mqtt-password-0123456789"
WAIT_S = 20.0

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], what: str, timeout: float = WAIT_S) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def secure_broker(hub: Hub, make_broker: Callable[..., Broker], directory: Path) -> Broker:
    """A broker whose password file and ACL come from the hub's registry.

    ``directory`` must be one the broker can read: started as root,
    Mosquitto drops to its own user, which cannot enter pytest's private
    tmp folders (see the ``broker_files`` fixture).
    """
    passwords, acl = write_broker_files(hub.runtime.engine, directory, HUB_USER, HUB_PASSWORD)
    return make_broker(password_file=passwords, acl_file=acl)


def refresh_broker(hub: Hub, broker: Broker) -> None:
    """Rewrite the files after a registry change and make the broker re-read them."""
    assert broker.password_file is not None
    write_broker_files(hub.runtime.engine, broker.password_file.parent, HUB_USER, HUB_PASSWORD)
    broker.reload()


class Runs(Protocol):
    def run(self, stop: threading.Event) -> None: ...


R = TypeVar("R", bound=Runs)


@contextmanager
def running(loop: R) -> Iterator[R]:
    """``loop.run`` (a publisher, a worker) on a thread of its own until the block ends;
    it must stop within 30 s of being told to."""
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive()


def worker_settings(hub: Hub, broker: Broker, **changes: Any) -> HubSettings:
    return hub.runtime.settings.model_copy(
        update={
            "broker_url": broker.url,
            "mqtt_username": HUB_USER,
            "mqtt_password": SecretStr(HUB_PASSWORD),
            "resend_after_ms": 200,
            **changes,
        }
    )


@contextmanager
def running_worker(settings: HubSettings, name: str = "t1") -> Iterator[IngestWorker]:
    """An ingest worker on its own thread, connected and subscribed, stopped after."""
    worker = IngestWorker(settings, name=name)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_for(worker.link.ready.is_set, "the worker to connect and subscribe")
        yield worker
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the worker did not stop"


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class FakeBox:
    """One store box's MQTT side, as the hub sees it."""

    org_code: str
    store_id: str
    device_id: str
    token: str
    broker: Broker
    client_id: str = field(default_factory=lambda: f"box-{uuid.uuid4().hex[:8]}")
    received: list[Received] = field(default_factory=list)
    pubacks: dict[int, ReasonCode] = field(default_factory=dict)
    subacks: list[list[ReasonCode]] = field(default_factory=list)
    connack: ReasonCode | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    client: mqtt.Client | None = None

    @classmethod
    def of(cls, org: dict[str, Any], device: dict[str, Any], broker: Broker) -> FakeBox:
        return cls(org["org_id"], device["store_id"], device["device_id"], device["token"], broker)

    # -- connection ---------------------------------------------------------------

    def connect(self, password: str | None = None, username: str | None = None) -> ReasonCode:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
        )
        client.username_pw_set(username or self.device_id, password or self.token)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        self.connack = None
        client.connect(self.broker.host, self.broker.port, clean_start=True)
        client.loop_start()
        self.client = client
        code = wait_for(lambda: self.connack, "a CONNACK")
        if code.is_failure:
            client.loop_stop()
        return code

    def close(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()
            self.client = None

    def subscribe(self, topic: str) -> list[ReasonCode]:
        assert self.client is not None
        count = len(self.subacks)
        self.client.subscribe(topic, options=SubscribeOptions(qos=1))
        wait_for(lambda: len(self.subacks) > count, f"a SUBACK for {topic}")
        return self.subacks[count]

    def listen_down(self) -> None:
        """What a box subscribes to: its acks and control, and its store's catalog."""
        self.subscribe(topics.acks(self.org_code, self.store_id, self.device_id))
        self.subscribe(topics.ctl(self.org_code, self.store_id, self.device_id))
        self.subscribe(topics.store_catalog(self.org_code, self.store_id))

    # -- uplink ----------------------------------------------------------------------

    @property
    def up_topic(self) -> str:
        return topics.up(self.org_code, self.store_id, self.device_id, "sales")

    def publish(self, topic: str, payload: bytes) -> ReasonCode:
        """Publish QoS 1 and wait for the broker's PUBACK reason code."""
        assert self.client is not None
        info = self.client.publish(topic, payload, qos=1)
        return wait_for(lambda: self.pubacks.get(info.mid), f"a PUBACK on {topic}")

    def send(self, envelopes: list[Envelope]) -> ReasonCode:
        first = envelopes[0]
        batch = Batch(
            device_id=first.device_id,
            epoch=first.epoch,
            stream=first.stream,
            first_seq=first.seq,
            last_seq=envelopes[-1].seq,
            envelopes=envelopes,
        )
        return self.publish(self.up_topic, batch.model_dump_json().encode())

    # -- downlink ----------------------------------------------------------------------

    def messages(self, topic_part: str) -> list[Received]:
        with self._lock:
            return [m for m in self.received if topic_part in m.topic]

    def acked(self, epoch: str, stream: str = "sales") -> int | None:
        acks = self.messages(f"/down/ack/{epoch}/{stream}")
        return max((m.json()["acked_seq"] for m in acks), default=None)

    def wait_acked(self, epoch: str, seq: int, stream: str = "sales") -> int:
        return wait_for(
            lambda: (self.acked(epoch, stream) or 0) >= seq and seq, f"an ack of seq {seq}"
        )

    # -- paho callbacks ----------------------------------------------------------------

    def _on_connect(self, client: Any, userdata: Any, flags: Any, code: Any, props: Any) -> None:
        self.connack = code

    def _on_message(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.received.append(Received(message.topic, bytes(message.payload), message.retain))

    def _on_publish(self, client: Any, userdata: Any, mid: int, code: Any, props: Any) -> None:
        self.pubacks[mid] = code

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, codes: Any, props: Any) -> None:
        self.subacks.append(list(codes))


@contextmanager
def connected(box: FakeBox) -> Iterator[FakeBox]:
    code = box.connect()
    assert not code.is_failure, code
    try:
        yield box
    finally:
        box.close()
