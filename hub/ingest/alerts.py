"""Ingest alerts on the hub app's own /metrics, read from the database.

The workers are other processes (each with its own counters), so the
hub's /metrics reports what every worker left in the database: how many
envelopes and messages sit in quarantine, by reason, and how many boxes
have a clock flagged as off. Read on every scrape (two small aggregate
queries); an alert on ``increase(hub_quarantine_entries[...]) > 0`` or
``hub_devices_clock_flagged > 0`` tells a person to look.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from hub.db.models import Device, QuarantinedEnvelope
from hub.ingest.outcome import QuarantineReason

log = logging.getLogger("hub.metrics")


class IngestAlerts(Collector):
    def __init__(self, engine: Engine, prefix: str = "hub") -> None:
        self.engine = engine
        self.prefix = prefix

    def _families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                f"{self.prefix}_quarantine_entries",
                "Envelopes and messages held in quarantine (all workers), by reason",
                labels=["reason"],
            ),
            GaugeMetricFamily(
                f"{self.prefix}_devices_clock_flagged",
                "Store boxes whose clock is off by more than the allowed skew",
            ),
            GaugeMetricFamily(
                f"{self.prefix}_ingest_alerts_up",
                "1 when the quarantine and clock figures could be read from the database",
            ),
        )

    def describe(self) -> Iterable[GaugeMetricFamily]:
        # Without describe() the registry would query the database on register.
        return self._families()

    def collect(self) -> Iterable[GaugeMetricFamily]:
        quarantined, flagged, up = self._families()
        try:
            with self.engine.connect() as conn:
                counts = {
                    reason: count
                    for reason, count in conn.execute(
                        select(QuarantinedEnvelope.reason_code, func.count()).group_by(
                            QuarantinedEnvelope.reason_code
                        )
                    )
                }
                clocks = conn.execute(
                    select(func.count())
                    .select_from(Device)
                    .where(Device.clock_flagged_at.is_not(None), Device.revoked_at.is_(None))
                ).scalar_one()
        except SQLAlchemyError as err:
            log.warning("ingest alerts unavailable", extra={"error": str(err)[:300]})
            up.add_metric([], 0)
            return [up]
        for reason in QuarantineReason:
            quarantined.add_metric([reason.value], counts.pop(reason.value, 0))
        for other, count in counts.items():  # a code written by a newer hub
            quarantined.add_metric([other], count)
        flagged.add_metric([], clocks)
        up.add_metric([], 1)
        return [quarantined, flagged, up]
