"""Every table of the hub, imported in one place (for alembic and the tests)."""

from __future__ import annotations

from hub.db.accounts import (
    AuditRecord,
    BackupCode,
    Invite,
    LoginLockout,
    Recovery,
    User,
    UserSession,
)
from hub.db.bank import (
    BankAccount,
    BankLine,
    BankMapping,
    BankMatch,
    BankReconciliation,
    BankStatement,
)
from hub.db.base import Base
from hub.db.catalog import Product, ProductBarcode, ProductPrice
from hub.db.catalog_import import CatalogImport
from hub.db.debit_notes import DebitNote, DebitNoteLine
from hub.db.einvoice import EInvoice, EInvoiceAttempt, EInvoiceBuyer
from hub.db.ingest import UNKNOWN_ORG, DeviceCursor, InboxEntry, QuarantinedEnvelope
from hub.db.ledger import JournalEntry, JournalLine, LedgerAccount, PeriodLock
from hub.db.publication import CatalogBlob, CatalogPublication
from hub.db.purchasing import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    ReorderRule,
    Supplier,
    SupplierBill,
    SupplierBillLine,
    SupplierReturn,
    SupplierReturnLine,
)
from hub.db.registry import Device, Org, Store
from hub.db.reservations import StockException, StockExceptionResolution, StockReservationEvent
from hub.db.returns import SaleReturn, SaleReturnLine, SaleReturnRefund
from hub.db.sales import Sale, SaleLine, SaleTender, StockMove
from hub.db.shifts import ShiftClose
from hub.db.staff import Approval, StaffPublication
from hub.db.stock import (
    StockBin,
    StockCount,
    StockLevel,
    StockLocation,
    StockLot,
    StockTransfer,
)
from hub.db.urgent_reorders import UrgentReorder, UrgentReorderEvent
from hub.db.valuation import ValuationMethodChange

metadata = Base.metadata

__all__ = [
    "UNKNOWN_ORG",
    "Approval",
    "AuditRecord",
    "BackupCode",
    "BankAccount",
    "BankLine",
    "BankMapping",
    "BankMatch",
    "BankReconciliation",
    "BankStatement",
    "Base",
    "CatalogBlob",
    "CatalogImport",
    "CatalogPublication",
    "DebitNote",
    "DebitNoteLine",
    "Device",
    "DeviceCursor",
    "EInvoice",
    "EInvoiceAttempt",
    "EInvoiceBuyer",
    "InboxEntry",
    "Invite",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "LoginLockout",
    "Org",
    "PeriodLock",
    "Product",
    "ProductBarcode",
    "ProductPrice",
    "PurchaseOrder",
    "PurchaseOrderEvent",
    "PurchaseOrderLine",
    "QuarantinedEnvelope",
    "Recovery",
    "ReorderRule",
    "Sale",
    "SaleLine",
    "SaleReturn",
    "SaleReturnLine",
    "SaleReturnRefund",
    "SaleTender",
    "ShiftClose",
    "StaffPublication",
    "StockBin",
    "StockCount",
    "StockException",
    "StockExceptionResolution",
    "StockLevel",
    "StockLocation",
    "StockLot",
    "StockMove",
    "StockReservationEvent",
    "StockTransfer",
    "Store",
    "Supplier",
    "SupplierBill",
    "SupplierBillLine",
    "SupplierReturn",
    "SupplierReturnLine",
    "UrgentReorder",
    "UrgentReorderEvent",
    "User",
    "UserSession",
    "ValuationMethodChange",
    "metadata",
]
