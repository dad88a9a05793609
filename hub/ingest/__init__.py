"""Ingest: apply the boxes' messages to the hub's books exactly once.

Delivery is at least once (MQTT QoS 1, replays, resends after a restore);
application is exactly once because the inbox row for (device, epoch,
stream, seq) is written in the same transaction as the effects. Anything
that cannot be trusted (unknown sender, changed content under a used seq
or key, a schema we do not know, amounts that do not recompute) is
quarantined whole, never applied. The cursor is the contiguous prefix of
a stream the hub holds and is what it may ack.

:func:`hub.ingest.apply.apply_envelope` is the one entry point; the MQTT
workers of the next step only call it.
"""

from hub.ingest.apply import apply_envelope
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import ApplyOutcome, Outcome, QuarantineReason

__all__ = ["ApplyOutcome", "IngestMetrics", "Outcome", "QuarantineReason", "apply_envelope"]
