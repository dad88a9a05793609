"""Ingest: apply the boxes' messages to the hub's books exactly once.

Delivery is at least once (MQTT QoS 1, replays, resends after a restore);
application is exactly once because the inbox row for (device, epoch,
stream, seq) is written in the same transaction as the effects. Anything
that cannot be trusted (unknown sender, changed content under a used seq
or key, a schema we do not know, amounts that do not recompute, a message
that is not a valid Batch) is quarantined whole, never applied. The
cursor is the contiguous prefix of a stream the hub holds and is what it
may ack.

- :func:`hub.ingest.message.ingest_message`: one raw MQTT message (topic,
  bytes) to committed effects, or a quarantined message;
- :func:`hub.ingest.apply.apply_batch`: the envelopes of one stream in one
  transaction (``apply_envelope`` is the one-envelope case);
- :mod:`hub.ingest.worker`: the MQTT worker around them (acks, resend
  requests, PUBACK after the commit).
"""

from hub.ingest.apply import BatchOutcome, apply_batch, apply_envelope
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import ApplyOutcome, Outcome, QuarantineReason

__all__ = [
    "ApplyOutcome",
    "BatchOutcome",
    "IngestMetrics",
    "Outcome",
    "QuarantineReason",
    "apply_batch",
    "apply_envelope",
]
