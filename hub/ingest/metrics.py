"""Ingest counters, registered in the app's own Prometheus registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from hub.ingest.outcome import ApplyOutcome, Outcome, QuarantineReason


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry, prefix: str = "hub") -> None:
        self.envelopes = Counter(
            f"{prefix}_ingest_envelopes_total",
            "Envelopes processed by ingest, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.quarantined = Counter(
            f"{prefix}_ingest_quarantined_total",
            "Envelopes quarantined, by reason",
            ["reason"],
            registry=registry,
        )
        self.clock_skewed = Counter(
            f"{prefix}_ingest_clock_skewed_batches_total",
            "Batches whose sender's clock was off by more than the allowed skew",
            registry=registry,
        )
        # Export zeros up front: an alert on rate() needs the series to exist.
        for outcome in Outcome:
            self.envelopes.labels(outcome.value)
        for reason in QuarantineReason:
            self.quarantined.labels(reason.value)

    def observe(self, result: ApplyOutcome) -> None:
        self.envelopes.labels(result.outcome.value).inc()
        if result.reason_code is not None:
            self.quarantined.labels(result.reason_code.value).inc()

    def observe_refused_message(self, reason: QuarantineReason) -> None:
        """A whole MQTT message quarantined before it became envelopes."""
        self.quarantined.labels(reason.value).inc()
