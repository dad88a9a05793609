"""MQTT topic names, in one place for the box, the hub and the broker ACL.

    setledger/v1/{org}/{store}/{device}/up/{stream}         box -> hub (Batch)
    setledger/v1/{org}/{store}/{device}/status              box, retained (DeviceStatus, Last Will)
    setledger/v1/{org}/{store}/{device}/down/ack/{epoch}/{stream}   hub, retained (Ack)
    setledger/v1/{org}/{store}/{device}/down/ctl            hub -> box (ResendRequest)
    setledger/v1/{org}/{store}/down/catalog                 hub, retained (CatalogManifest)
    setledger/v1/{org}/{store}/down/staff                   hub, retained (StaffRoster)
    setledger/v1/{org}/{store}/down/stock                   hub, retained (StockSnapshot)
    setledger/v1/{org}/{store}/down/stock-ref               hub, retained (StockSnapshotRef)
    setledger/v1/{org}/{store}/down/reorders                hub, retained (ReorderStatus)

Catalog manifests go to each store rather than the org so a box's ACL is
"its own device topics and its own store's downlinks", and so stores can
get their own price lists later without a topic change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

PREFIX = "setledger/v1"
INGEST_SHARE_GROUP = "hub"
INGEST_FILTER = f"{PREFIX}/+/+/+/up/+"
INGEST_SHARED_FILTER = f"$share/{INGEST_SHARE_GROUP}/{INGEST_FILTER}"

_UP_RE = re.compile(
    r"^setledger/v1/(ORG-[0-9a-f]{8})/([0-9a-f-]{36})/([0-9a-f-]{36})/up/([a-z][a-z0-9_]{0,31})$"
)


def device_root(org_id: str, store_id: UUID | str, device_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/{device_id}"


def up(org_id: str, store_id: UUID | str, device_id: UUID | str, stream: str) -> str:
    return f"{device_root(org_id, store_id, device_id)}/up/{stream}"


def status(org_id: str, store_id: UUID | str, device_id: UUID | str) -> str:
    return f"{device_root(org_id, store_id, device_id)}/status"


def ack(org_id: str, store_id: UUID | str, device_id: UUID | str, epoch: str, stream: str) -> str:
    return f"{device_root(org_id, store_id, device_id)}/down/ack/{epoch}/{stream}"


def acks(org_id: str, store_id: UUID | str, device_id: UUID | str) -> str:
    """The filter a box subscribes to for all of its acks."""
    return f"{device_root(org_id, store_id, device_id)}/down/ack/#"


def ctl(org_id: str, store_id: UUID | str, device_id: UUID | str) -> str:
    return f"{device_root(org_id, store_id, device_id)}/down/ctl"


def store_catalog(org_id: str, store_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/down/catalog"


def store_staff(org_id: str, store_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/down/staff"


def store_stock(org_id: str, store_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/down/stock"


def store_stock_ref(org_id: str, store_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/down/stock-ref"


def store_reorders(org_id: str, store_id: UUID | str) -> str:
    return f"{PREFIX}/{org_id}/{store_id}/down/reorders"


@dataclass(frozen=True)
class UpTopic:
    org_id: str
    store_id: UUID
    device_id: UUID
    stream: str


def parse_up(topic: str) -> UpTopic | None:
    """The parts of an uplink topic, or None if it is not one."""
    match = _UP_RE.match(topic)
    if match is None:
        return None
    try:
        return UpTopic(match.group(1), UUID(match.group(2)), UUID(match.group(3)), match.group(4))
    except ValueError:
        return None
