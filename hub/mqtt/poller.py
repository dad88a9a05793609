"""A hub loop that polls the database and publishes to the broker.

The catalog, staff and stock publishers each own an engine (or share the
worker's), a broker link on its own network thread and a poll loop; only
what a poll does differs. A subclass names itself (``kind``, used in the
broker client id and the thread's name) and implements ``poll_once``.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hub.db import make_engine
from hub.mqtt.link import MqttLink
from hub.settings import HubSettings

log = logging.getLogger("hub.mqtt.poller")


class Poller:
    kind = "poller"

    def __init__(
        self,
        settings: HubSettings,
        *,
        name: str,
        engine: Engine | None = None,
        interval_s: float | None = None,
    ) -> None:
        self.settings = settings
        self.interval_s = settings.catalog_poll_ms / 1000 if interval_s is None else interval_s
        self._own_engine = engine is None
        self.engine = engine or make_engine(settings.database_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.link = MqttLink(
            url=settings.broker_url,
            client_id=f"hub-{self.kind}-{name}",
            username=settings.mqtt_username,
            password=settings.mqtt_password.get_secret_value(),
        )

    def poll_once(self) -> None:
        raise NotImplementedError

    def run(self, stop: threading.Event) -> None:
        link_stop = threading.Event()
        network = threading.Thread(
            target=self.link.run, args=(link_stop,), name=f"mqtt-{self.kind}", daemon=True
        )
        network.start()
        log.info("%s publisher started", self.kind)
        try:
            while not stop.is_set():
                self.poll_once()
                stop.wait(self.interval_s)
        finally:
            link_stop.set()
            network.join(timeout=10)
            if self._own_engine:
                self.engine.dispose()
            log.info("%s publisher stopped", self.kind)
