"""The envelope every message travels in, box to hub and back.

Topic: ``setledger/v1/{org}/{store}/{device}/up/{stream}``. The envelope
names the schema and version of its payload, where it comes from, its
place in the sender's stream (``epoch``, ``seq``), the business key that
makes a retry recognisable, an HLC stamp and the payload's sha256.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from setledger.canonical import digest
from setledger.contracts.base import Contract, Epoch, OrgCode, Seq, Sha256, Stream

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_MESSAGE_BYTES = 256 * 1024
"""The largest MQTT message the hub accepts (a Batch as JSON). Larger ones
are quarantined as oversized; the broker itself cuts off at 1 MiB."""
MAX_BATCH_ENVELOPES = 200


class Envelope(Contract):
    schema_name: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")
    schema_version: int = Field(strict=True, ge=1)
    org_id: OrgCode
    store_id: UUID
    device_id: UUID
    epoch: Epoch
    """Random per database life: a box created or restored gets a new one,
    so (epoch, seq) is never reused."""
    stream: Stream
    seq: Seq
    key: str = Field(min_length=1, max_length=128)
    """The business id (e.g. the sale id): same key, same content."""
    hlc: str
    wall_time: AwareDatetime
    """The sender's clock, which may be wrong; the hub stamps its own."""
    correlation_id: str | None = Field(default=None, max_length=64)
    payload_sha256: Sha256
    payload: dict[str, Any]

    def payload_matches(self) -> bool:
        return digest(self.payload) == self.payload_sha256


class Batch(Contract):
    """What one uplink MQTT message carries: contiguous envelopes of one stream.

    A box sends one envelope per message when it is keeping up and many
    when it catches up after being offline; ``first_seq``..``last_seq`` let
    the hub see the range without opening every envelope.
    """

    SCHEMA: ClassVar[str] = "batch"
    VERSION: ClassVar[int] = 1

    schema_name: Literal["batch"] = "batch"
    schema_version: Literal[1] = 1
    device_id: UUID
    epoch: Epoch
    stream: Stream
    first_seq: Seq
    last_seq: Seq
    envelopes: list[Envelope] = Field(min_length=1, max_length=MAX_BATCH_ENVELOPES)

    @model_validator(mode="after")
    def _contiguous(self) -> Batch:
        seqs = [e.seq for e in self.envelopes]
        if seqs != list(range(self.first_seq, self.last_seq + 1)):
            raise ValueError("envelopes must be the contiguous seqs first_seq..last_seq")
        for e in self.envelopes:
            if (e.device_id, e.epoch, e.stream) != (self.device_id, self.epoch, self.stream):
                raise ValueError(f"envelope {e.seq} is of another device, epoch or stream")
        return self


def seal(message: Contract, **fields: Any) -> Envelope:
    """Wrap ``message`` in an envelope with its schema, version and digest."""
    payload = message.model_dump(mode="json")
    return Envelope(
        schema_name=message.SCHEMA,
        schema_version=message.VERSION,
        payload_sha256=digest(payload),
        payload=payload,
        **fields,
    )
