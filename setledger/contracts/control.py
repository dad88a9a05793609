"""Control messages: acks, resend requests and device status."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger.contracts.base import Contract, Epoch, Seq, Stream


class Ack(Contract):
    """The hub's cumulative application ack (retained, per device).

    Every seq up to ``acked_seq`` in (epoch, stream) is committed at the
    hub; the box may prune its outbox up to there and no further. An MQTT
    PUBACK is not this: the broker is a pipe.
    """

    SCHEMA: ClassVar[str] = "ack"
    VERSION: ClassVar[int] = 1

    device_id: UUID
    epoch: Epoch
    stream: Stream
    acked_seq: int = Field(strict=True, ge=0)
    hub_time: AwareDatetime
    hlc: str


class ResendRequest(Contract):
    """The hub saw a gap: send again from ``from_seq``."""

    SCHEMA: ClassVar[str] = "ctl.resend"
    VERSION: ClassVar[int] = 1

    device_id: UUID
    epoch: Epoch
    stream: Stream
    from_seq: Seq
    reason: str


class DeviceStatus(Contract):
    """Retained on the box's status topic; the Last Will says offline."""

    SCHEMA: ClassVar[str] = "device.status"
    VERSION: ClassVar[int] = 1

    device_id: UUID
    epoch: Epoch
    online: bool
    outbox_head_seq: int = Field(strict=True, ge=0)
    outbox_tail_seq: int = Field(strict=True, ge=0)
    outbox_depth: int = Field(strict=True, ge=0)
    applied_catalog_version: int = Field(strict=True, ge=0)
    software_version: str
    reported_at: AwareDatetime
    hlc: str


class ErrorDetail(Contract):
    code: str
    message: str
    remediation: str
    correlation_id: str | None
    details: dict[str, object] = Field(default_factory=dict)


class ErrorBody(Contract):
    """What every setLedger API answers on an error."""

    SCHEMA: ClassVar[str] = "error"
    VERSION: ClassVar[int] = 1

    error: ErrorDetail
