"""What head office did with each store's urgent reorders, sent down to its boxes.

A ``reorder.status`` document per store names the store's requests whose
status changed in the last :data:`RECENT_DAYS` days (at most
:data:`MAX_STATUS_ITEMS`, the most recently changed): open, acknowledged,
ordered with its purchase order, or dismissed, with the note of the last
step. It is published retained on ``setledger/v1/{org}/{store}/down/reorders``
when it changed, like the stock snapshot (:mod:`hub.stock.snapshot`).

Requests and their steps are append-only, so a store's counts of both move
whenever anything a box would see changes: each poll reads only those
counts and builds the documents of the stores whose counts moved (all of
them on start and after a new broker connection, since the broker may have
lost its retained messages). Versions are the document's instant in unix
milliseconds, as for the stock snapshot.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.bulk import one_of
from hub.db.models import Org, UrgentReorder, UrgentReorderEvent
from hub.mqtt.poller import Poller
from hub.settings import HubSettings
from hub.stock.urgent import OPEN
from setledger.contracts import ReorderStatus, ReorderStatusItem, topics
from setledger.contracts.reorders import MAX_STATUS_ITEMS
from setledger.hlc import unix_ms

log = logging.getLogger("hub.stock.urgent_publisher")

RECENT_DAYS = 30
"""A request whose status has not changed for this long is left out (the box keeps
what it heard last)."""

StoreKey = tuple[uuid.UUID, uuid.UUID]


def store_reorder_status(
    session: Session, org_id: uuid.UUID, store_id: uuid.UUID, now: datetime | None = None
) -> ReorderStatus:
    """The status of the store's requests changed since ``RECENT_DAYS`` before ``now``."""
    at = now or utcnow()
    since = at - timedelta(days=RECENT_DAYS)
    org = session.get(Org, org_id)
    if org is None:
        raise LookupError(f"no org {org_id}")
    stepped_lately = select(UrgentReorderEvent.reorder_id).where(
        UrgentReorderEvent.org_id == org_id, UrgentReorderEvent.at >= since
    )
    received = dict(
        session.execute(
            select(UrgentReorder.reorder_id, UrgentReorder.received_at).where(
                UrgentReorder.org_id == org_id,
                UrgentReorder.store_id == store_id,
                or_(
                    UrgentReorder.received_at >= since,
                    UrgentReorder.reorder_id.in_(stepped_lately),
                ),
            )
        ).all()
    )
    last: dict[uuid.UUID, UrgentReorderEvent] = {}
    if received:
        for step in session.scalars(
            select(UrgentReorderEvent)
            .where(
                UrgentReorderEvent.org_id == org_id,
                one_of(session, UrgentReorderEvent.reorder_id, set(received)),
            )
            .order_by(UrgentReorderEvent.reorder_id, UrgentReorderEvent.serial)
        ):
            last[step.reorder_id] = step
    items = []
    for reorder_id, received_at in received.items():
        event = last.get(reorder_id)
        if event is None:
            items.append(
                ReorderStatusItem(reorder_id=reorder_id, status=OPEN, changed_at=received_at)
            )
        else:
            items.append(
                ReorderStatusItem(
                    reorder_id=reorder_id,
                    status=event.kind,
                    po_reference=event.po_reference,
                    note=event.note,
                    changed_at=event.at,
                )
            )
    items = [x for x in items if x.changed_at >= since]
    items.sort(key=lambda x: (x.changed_at, str(x.reorder_id)), reverse=True)
    return ReorderStatus(
        org_id=org.org_code,
        store_id=store_id,
        version=unix_ms(at),
        as_of=at,
        reorders=items[:MAX_STATUS_ITEMS],
    )


def store_marks(session: Session) -> dict[StoreKey, tuple[int, int]]:
    """Per (org, store) with any request: how many requests and how many steps."""
    marks: dict[StoreKey, tuple[int, int]] = {}
    for org_id, store_id, count in session.execute(
        select(UrgentReorder.org_id, UrgentReorder.store_id, func.count()).group_by(
            UrgentReorder.org_id, UrgentReorder.store_id
        )
    ):
        marks[(org_id, store_id)] = (count, 0)
    for org_id, store_id, count in session.execute(
        select(UrgentReorder.org_id, UrgentReorder.store_id, func.count())
        .join(
            UrgentReorderEvent,
            (UrgentReorderEvent.org_id == UrgentReorder.org_id)
            & (UrgentReorderEvent.reorder_id == UrgentReorder.reorder_id),
        )
        .group_by(UrgentReorder.org_id, UrgentReorder.store_id)
    ):
        marks[(org_id, store_id)] = (marks[(org_id, store_id)][0], count)
    return marks


class ReorderStatusPublisher(Poller):
    """Publishes a store's ``reorder.status``, retained, when its requests or their
    steps changed; everything again after a new broker connection."""

    kind = "reorders"

    def __init__(
        self,
        settings: HubSettings,
        *,
        name: str = "reorders",
        engine: Engine | None = None,
        interval_s: float | None = None,
    ) -> None:
        super().__init__(settings, name=name, engine=engine, interval_s=interval_s)
        self._generation = 0
        self._sent: dict[StoreKey, tuple[int, int]] = {}
        self.published: dict[StoreKey, int] = {}
        """The version last handed to the broker per (org, store) (for tests)."""

    def poll_once(self) -> None:
        if not self.link.connected.is_set():
            return
        try:
            self._publish_changed()
        except Exception:
            log.exception("reorder status publishing failed; will retry")

    def _publish_changed(self) -> None:
        if self.link.generation != self._generation:
            self._generation = self.link.generation
            self._sent.clear()
        with self.sessions() as session:
            marks = store_marks(session)
        for key, mark in sorted(marks.items()):
            if self._sent.get(key) == mark:
                continue
            org_id, store_id = key
            with self.sessions() as session:
                document = store_reorder_status(session, org_id, store_id)
            info = self.link.publish(
                topics.store_reorders(document.org_id, store_id),
                document.model_dump_json().encode(),
                qos=1,
                retain=True,
            )
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self._sent[key] = mark
                self.published[key] = document.version
                log.info(
                    "reorder status published",
                    extra={
                        "org_id": document.org_id,
                        "store_id": str(store_id),
                        "version": document.version,
                        "reorders": len(document.reorders),
                    },
                )
