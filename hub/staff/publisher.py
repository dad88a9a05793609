"""The staff publisher: each store's roster out to its boxes, retained.

Every poll it looks for orgs whose members changed (the newest
``updated_at`` and the member and store counts move), works out their
stores' rosters (a new version only when the content changed) and
publishes every roster a store has not had confirmed (PUBACK) on
``setledger/v1/{org}/{store}/down/staff``, QoS 1, retained. After a new
broker connection every roster is delivered again: the broker may have
lost its retained messages.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, func, select

from hub.db.accounts import User
from hub.db.models import Org, StaffPublication, Store
from hub.mqtt.poller import Poller
from hub.settings import HubSettings
from hub.staff.roster import current_roster
from setledger.contracts import StaffRoster, topics

log = logging.getLogger("hub.staff.publisher")

StoreKey = tuple[uuid.UUID, uuid.UUID]


class StaffPublisher(Poller):
    kind = "staff"

    def __init__(
        self, settings: HubSettings, *, name: str = "staff", engine: Engine | None = None
    ) -> None:
        super().__init__(settings, name=name, engine=engine)
        self._marks: dict[uuid.UUID, tuple[Any, ...]] = {}
        self._generation = 0
        self._delivered: dict[StoreKey, int] = {}
        self._in_flight: dict[StoreKey, tuple[int, mqtt.MQTTMessageInfo]] = {}

    def poll_once(self) -> None:
        try:
            self.refresh_rosters()
            if self.link.connected.is_set():
                self._deliver()
        except Exception:
            log.exception("staff publishing failed; will retry")

    def refresh_rosters(self) -> None:
        """Make new roster versions for the orgs whose members or stores changed."""
        with self.sessions() as session:
            marks = {
                org_id: (newest, members, stores)
                for org_id, newest, members, stores in session.execute(
                    select(
                        Org.org_id,
                        select(func.max(User.updated_at))
                        .where(User.org_id == Org.org_id)
                        .scalar_subquery(),
                        select(func.count()).where(User.org_id == Org.org_id).scalar_subquery(),
                        select(func.count()).where(Store.org_id == Org.org_id).scalar_subquery(),
                    )
                )
            }
        now = datetime.now(UTC)
        for org_id, mark in marks.items():
            if self._marks.get(org_id) == mark:
                continue
            with self.sessions.begin() as session:
                stores = session.scalars(select(Store.store_id).where(Store.org_id == org_id)).all()
                for store_id in stores:
                    current_roster(session, org_id, store_id, now)
            self._marks[org_id] = mark

    def _deliver(self) -> None:
        if self.link.generation != self._generation:
            self._generation = self.link.generation
            self._delivered.clear()
            self._in_flight.clear()
        for key, (version, info) in list(self._in_flight.items()):
            if info.is_published():
                self._delivered[key] = max(self._delivered.get(key, 0), version)
                del self._in_flight[key]
        with self.sessions() as session:
            rows = session.execute(
                select(
                    StaffPublication.org_id,
                    StaffPublication.store_id,
                    StaffPublication.version,
                    StaffPublication.roster,
                    Org.org_code,
                ).join(Org, Org.org_id == StaffPublication.org_id)
            ).all()
        for org_id, store_id, version, roster, org_code in rows:
            key = (org_id, store_id)
            if self._delivered.get(key, 0) >= version:
                continue
            flying = self._in_flight.get(key)
            if flying is not None and flying[0] >= version and not flying[1].is_published():
                continue
            payload = _json(roster)
            info = self.link.publish(
                topics.store_staff(org_code, store_id), payload, qos=1, retain=True
            )
            self._in_flight[key] = (version, info)
            log.info(
                "staff roster published",
                extra={"org_id": org_code, "store_id": str(store_id), "version": version},
            )


def _json(roster: dict[str, Any]) -> bytes:
    return StaffRoster.model_validate(roster).model_dump_json().encode()


def run_staff_publisher(settings: HubSettings, stop: threading.Event) -> None:
    settings.require_broker_secret()
    StaffPublisher(settings, name=settings.worker_name or "staff").run(stop)
