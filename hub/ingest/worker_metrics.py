"""A worker's own counters (served on its metrics port; ingest counters sit beside them)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from hub.ingest.message import MessageResult

RESULTS = ("applied", "refused", "dropped")


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry, prefix: str = "hub") -> None:
        self.messages = Counter(
            f"{prefix}_worker_messages_total",
            "Uplink MQTT messages handled, by result",
            ["result"],
            registry=registry,
        )
        self.seconds = Histogram(
            f"{prefix}_worker_message_seconds",
            "From taking a message to its PUBACK",
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.acks = Counter(f"{prefix}_worker_acks_total", "Acks published", registry=registry)
        self.resend_requests = Counter(
            f"{prefix}_worker_resend_requests_total", "ResendRequests published", registry=registry
        )
        self.db_retries = Counter(
            f"{prefix}_worker_db_retries_total",
            "Messages retried because the database was unavailable",
            registry=registry,
        )
        self.ready = Gauge(
            f"{prefix}_worker_ready",
            "1 while connected to the broker and subscribed to the uplink",
            registry=registry,
        )
        for result in RESULTS:
            self.messages.labels(result)

    def observe(self, result: MessageResult, seconds: float) -> None:
        if result.applied is not None:
            label = "applied"
        elif result.refused is not None:
            label = "refused"
        else:
            label = "dropped"
        self.messages.labels(label).inc()
        self.seconds.observe(seconds)
