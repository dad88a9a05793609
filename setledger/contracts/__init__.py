"""Wire contracts between the store box and the hub.

Every message is a versioned pydantic model, listed in :data:`MESSAGES`
(an explicit table, not a registry filled by import side effects). The
JSON Schemas in ``schemas/`` are generated from these models by
``setledger contracts export`` and checked by the tests, so a contract
cannot change without the schema file changing with it.
"""

from __future__ import annotations

from typing import Any

from setledger import errors
from setledger.contracts.base import Contract
from setledger.contracts.catalog import (
    BlobRef,
    CatalogDelta,
    CatalogManifest,
    CatalogProduct,
    CatalogSnapshot,
    DeltaRef,
    PricePoint,
)
from setledger.contracts.control import Ack, DeviceStatus, ErrorBody, ResendRequest
from setledger.contracts.envelope import (
    MAX_BATCH_ENVELOPES,
    MAX_MESSAGE_BYTES,
    MAX_PAYLOAD_BYTES,
    Batch,
    Envelope,
    seal,
)
from setledger.contracts.reorders import ReorderStatus, ReorderStatusItem, UrgentReorder
from setledger.contracts.returns import (
    OriginalSale,
    ReturnLine,
    ReturnRecorded,
    ReturnRefund,
    ReturnTotals,
    validate_return,
)
from setledger.contracts.sales import (
    Buyer,
    SaleLine,
    SaleRecorded,
    SaleTender,
    SaleTotals,
    StockMove,
    validate_sale,
)
from setledger.contracts.shifts import (
    DenominationCount,
    ShiftClosed,
    ShiftReport,
    ShiftTenders,
    validate_shift,
)
from setledger.contracts.staff import (
    MANAGER_ROLES,
    ApprovalRecorded,
    StaffMember,
    StaffRoster,
)
from setledger.contracts.stock import IncludedPosition, StockItem, StockSnapshot, StockSnapshotRef

MESSAGES: dict[tuple[str, int], type[Contract]] = {
    (model.SCHEMA, model.VERSION): model
    for model in (
        SaleRecorded,
        ReturnRecorded,
        ShiftClosed,
        UrgentReorder,
        ReorderStatus,
        ApprovalRecorded,
        StaffRoster,
        StockSnapshot,
        StockSnapshotRef,
        Batch,
        CatalogSnapshot,
        CatalogDelta,
        CatalogManifest,
        Ack,
        ResendRequest,
        DeviceStatus,
        ErrorBody,
    )
}


def parse_payload(envelope: Envelope) -> Contract:
    """Validate an envelope's payload against the schema it names."""
    model = MESSAGES.get((envelope.schema_name, envelope.schema_version))
    if model is None:
        raise errors.CONTRACT_UNKNOWN.error(
            schema=envelope.schema_name, version=envelope.schema_version
        )
    if not envelope.payload_matches():
        raise errors.CONTRACT_HASH_MISMATCH.error()
    return model.model_validate(envelope.payload)


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for every message and the envelope."""
    schemas = {"envelope.v1.json": Envelope.model_json_schema()}
    for (name, version), model in sorted(MESSAGES.items()):
        schemas[f"{name}.v{version}.json"] = model.model_json_schema()
    return schemas


__all__ = [
    "MANAGER_ROLES",
    "MAX_BATCH_ENVELOPES",
    "MAX_MESSAGE_BYTES",
    "MAX_PAYLOAD_BYTES",
    "MESSAGES",
    "Ack",
    "ApprovalRecorded",
    "Batch",
    "BlobRef",
    "Buyer",
    "CatalogDelta",
    "CatalogManifest",
    "CatalogProduct",
    "CatalogSnapshot",
    "Contract",
    "DeltaRef",
    "DenominationCount",
    "DeviceStatus",
    "Envelope",
    "ErrorBody",
    "IncludedPosition",
    "OriginalSale",
    "PricePoint",
    "ReorderStatus",
    "ReorderStatusItem",
    "ResendRequest",
    "ReturnLine",
    "ReturnRecorded",
    "ReturnRefund",
    "ReturnTotals",
    "SaleLine",
    "SaleRecorded",
    "SaleTender",
    "SaleTotals",
    "ShiftClosed",
    "ShiftReport",
    "ShiftTenders",
    "StaffMember",
    "StaffRoster",
    "StockItem",
    "StockMove",
    "StockSnapshot",
    "StockSnapshotRef",
    "UrgentReorder",
    "json_schemas",
    "parse_payload",
    "seal",
    "validate_return",
    "validate_sale",
    "validate_shift",
]
