"""One paho-mqtt client kept connected to the broker, for the hub's workers.

paho 2.2, MQTT v5, callback API version 2. Every connection is a clean
start with a session expiry of 0: a shared subscription keeps sending to
a dead member that has a persistent session, and a restarted process has
lost paho's in-memory session anyway. What was in flight is lost with the
connection, and the box resends it: the broker is a pipe.

paho's own reconnect waits a fixed doubling delay; ours adds jitter so a
hub restart does not bring every worker (and box) back in the same
instant. ``generation`` counts connections: a message id belongs to the
connection that delivered it, so an ack for an older connection is dropped.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

log = logging.getLogger("hub.mqtt")

KEEPALIVE_S = 30
MIN_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
CONNACK_TIMEOUT_S = 10.0
STABLE_AFTER_S = 10.0
"""A connection that lasted this long resets the back-off."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
            raise ValueError(f"not a broker URL (mqtt://host:port): {url!r}")
        tls = parts.scheme == "mqtts"
        return cls(parts.hostname, parts.port or (8883 if tls else 1883), tls)


def jittered(delay: float, rng: random.Random) -> float:
    """Full jitter between half and all of ``delay``: never zero, never in step."""
    return delay * (0.5 + rng.random() / 2)


OnMessage = Callable[[mqtt.MQTTMessage, int], None]
"""Called on paho's thread with the message and the connection's generation."""


class MqttLink:
    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        username: str,
        password: str,
        subscriptions: list[str] | None = None,
        on_message: OnMessage | None = None,
        on_connected: Callable[[int], None] | None = None,
        on_published: Callable[[int, ReasonCode], None] | None = None,
        manual_ack: bool = False,
        receive_maximum: int = 0,
    ) -> None:
        self.address = BrokerAddress.parse(url)
        self.client_id = client_id
        self.subscriptions = subscriptions or []
        self.generation = 0
        self.connected = threading.Event()
        self.ready = threading.Event()
        """Connected and every subscription granted: messages will arrive."""
        self._pending_subscriptions: set[int] = set()
        self._on_message = on_message
        self._on_connected = on_connected
        self._on_published = on_published
        self._receive_maximum = receive_maximum
        self._session_over = threading.Event()
        self._rng = random.Random()  # noqa: S311 - jitter, not a secret
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            # We reconnect ourselves, with jitter (see the module doc).
            reconnect_on_failure=False,
            manual_ack=manual_ack,
        )
        client.username_pw_set(username, password)
        if self.address.tls:
            client.tls_set()
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_subscribe = self._subscribed
        client.on_message = self._message
        client.on_publish = self._published
        self.client = client

    # -- the supervisor -------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Stay connected until ``stop`` is set; then disconnect cleanly."""
        delay = MIN_BACKOFF_S
        while not stop.is_set():
            started = time.monotonic()
            self._session_over.clear()
            try:
                self.client.connect(
                    self.address.host,
                    self.address.port,
                    keepalive=KEEPALIVE_S,
                    clean_start=True,
                    properties=self._connect_properties(),
                )
            except OSError as err:
                log.warning(
                    "broker unreachable",
                    extra={"client_id": self.client_id, "error": str(err), "retry_in_s": delay},
                )
            else:
                self.client.loop_start()
                self._wait_session(stop)
                if stop.is_set() and self.connected.is_set():
                    self.client.disconnect()
                self.client.loop_stop()
                self.connected.clear()
                self.ready.clear()
            if stop.is_set():
                break
            if time.monotonic() - started > STABLE_AFTER_S:
                delay = MIN_BACKOFF_S
            stop.wait(jittered(delay, self._rng))
            delay = min(delay * 2, MAX_BACKOFF_S)

    def _wait_session(self, stop: threading.Event) -> None:
        deadline = time.monotonic() + CONNACK_TIMEOUT_S
        while not stop.is_set() and not self._session_over.is_set():
            if not self.connected.is_set() and time.monotonic() > deadline:
                log.warning("no CONNACK from the broker", extra={"client_id": self.client_id})
                return
            self._session_over.wait(0.2)

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 0
        if self._receive_maximum:
            properties.ReceiveMaximum = self._receive_maximum
        return properties

    # -- what the workers call -----------------------------------------------

    def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic, payload, qos=qos, retain=retain)

    def ack(self, mid: int, generation: int) -> bool:
        """PUBACK a message delivered on connection ``generation`` (if still that one)."""
        if generation != self.generation or not self.connected.is_set():
            return False
        return self.client.ack(mid, 1) == MQTTErrorCode.MQTT_ERR_SUCCESS

    # -- paho's callbacks (on paho's thread) -----------------------------------

    def _connected(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            # Bad credentials or an ACL problem: retrying soon will not help,
            # the back-off keeps it from hammering the broker.
            log.error(
                "broker refused the connection",
                extra={"client_id": self.client_id, "reason": str(reason_code)},
            )
            self._session_over.set()
            return
        self.generation += 1
        self._pending_subscriptions.clear()
        for topic in self.subscriptions:
            _, mid = client.subscribe(topic, options=SubscribeOptions(qos=1))
            if mid is not None:
                self._pending_subscriptions.add(mid)
        self.connected.set()
        if not self._pending_subscriptions:
            self.ready.set()
        log.info(
            "connected to the broker",
            extra={"client_id": self.client_id, "generation": self.generation},
        )
        if self._on_connected is not None:
            self._on_connected(self.generation)

    def _disconnected(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self.connected.clear()
        self.ready.clear()
        self._session_over.set()
        log.info(
            "disconnected from the broker",
            extra={"client_id": self.client_id, "reason": str(reason_code)},
        )

    def _subscribed(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        refused = [code for code in reason_codes if code.is_failure]
        for code in refused:
            log.error(
                "subscription refused: check the hub user's ACL",
                extra={"client_id": self.client_id, "reason": str(code)},
            )
        self._pending_subscriptions.discard(mid)
        if not refused and not self._pending_subscriptions and self.connected.is_set():
            self.ready.set()

    def _message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        if self._on_message is not None:
            self._on_message(message, self.generation)

    def _published(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.error(
                "broker refused a publication: check the hub user's ACL",
                extra={"client_id": self.client_id, "reason": str(reason_code)},
            )
        if self._on_published is not None:
            self._on_published(mid, reason_code)
