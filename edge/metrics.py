"""Box metrics read from the database at scrape time.

Counting from the tables (rather than in-memory counters) keeps the
numbers right across restarts and shows what is really durable.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from edge.services.catalog import catalog_version
from edge.services.staff import roster_version
from edge.store import outbox
from edge.store import tables as t
from edge.store.db import BoxDatabase
from edge.sync.replicator import Replicator


class BoxCollector(Collector):
    def __init__(self, db: BoxDatabase, replicator: Replicator | None = None) -> None:
        self.db = db
        self.replicator = replicator

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self.db.reader.connect() as conn:
            queued = outbox.state(conn)
            version = catalog_version(conn)
            staff_version = roster_version(conn)
            sales = conn.execute(select(func.count()).select_from(t.sale)).scalar() or 0
        yield GaugeMetricFamily(
            "setledger_box_outbox_depth", "Messages waiting for the hub's ack", value=queued.depth
        )
        yield GaugeMetricFamily(
            "setledger_box_outbox_head_seq", "Oldest unacked outbox seq", value=queued.head_seq
        )
        yield GaugeMetricFamily(
            "setledger_box_outbox_tail_seq", "Newest outbox seq", value=queued.tail_seq
        )
        yield GaugeMetricFamily(
            "setledger_box_catalog_version", "Catalog version applied", value=version
        )
        yield GaugeMetricFamily(
            "setledger_box_staff_version", "Staff roster version applied", value=staff_version
        )
        yield CounterMetricFamily("setledger_box_sales", "Sales recorded on this box", value=sales)
        connected = self.replicator is not None and self.replicator.connected
        yield GaugeMetricFamily(
            "setledger_box_hub_connected",
            "1 when the replicator is connected to the broker",
            value=int(connected),
        )
