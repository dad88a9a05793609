"""Suppliers, purchase orders (lines, events), supplier bills and reorder rules.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.purchasing``. History is append-only like the shift closes of 0014
(a trigger calling ``setledger_refuse_rewrite()`` of 0001 on PostgreSQL,
RAISE(ABORT) on SQLite; SELECT and INSERT only for the tenant role):
purchase orders, their lines and events, bills and bill lines. Suppliers
and reorder rules are settings people change. Every table has the tenant
policy of 0005 on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
SUPPLIER, PO, LINE, EVENT = (
    "supplier",
    "purchase_order",
    "purchase_order_line",
    "purchase_order_event",
)
BILL, BILL_LINE, RULE = "supplier_bill", "supplier_bill_line", "reorder_rule"


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _big(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _fk(table: str, cols: list[str], parent: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{parent}"
    referred = [f"{parent}.{c}" for c in cols]
    return sa.ForeignKeyConstraint(cols, referred, name=op.f(name))


def _uq(table: str, cols: list[str]) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*cols, name=op.f(f"uq_{table}_{'_'.join(cols)}"))


def _pk(table: str, cols: list[str]) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=op.f(f"pk_{table}"))


def _tenant(table: str, grants: str) -> None:
    op.execute(f"GRANT {grants} ON {table} TO {ROLE}")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
        f"USING (org_id = {ORG_OF_TRANSACTION}) "
        f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
    )


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        _tenant(table, "SELECT, INSERT")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        )


def upgrade() -> None:
    op.create_table(
        SUPPLIER,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("state_code", sa.String(2), nullable=False),
        sa.Column("gstin", sa.String(15), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        _pk(SUPPLIER, ["org_id", "supplier_id"]),
        _fk(SUPPLIER, ["org_id"], "org"),
    )
    op.create_table(
        PO,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("po_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("tolerance_bp", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _pk(PO, ["org_id", "po_id"]),
        _fk(PO, ["org_id", "supplier_id"], SUPPLIER),
        _fk(PO, ["org_id", "location_id"], "stock_location"),
        _uq(PO, ["org_id", "number"]),
    )
    op.create_table(
        LINE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("po_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        _big("qty"),
        _big("unit_cost"),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        _pk(LINE, ["org_id", "po_id", "line_no"]),
        _fk(LINE, ["org_id", "po_id"], PO),
        _fk(LINE, ["org_id", "product_id"], "product"),
    )
    op.create_table(
        EVENT,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("po_id", sa.Uuid(), nullable=False),
        _big("serial"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        _pk(EVENT, ["org_id", "event_id"]),
        _fk(EVENT, ["org_id", "po_id"], PO),
        _uq(EVENT, ["org_id", "po_id", "serial"]),
        _uq(EVENT, ["org_id", "receipt_id"]),
    )
    op.create_table(
        BILL,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("po_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("bill_no", sa.String(64), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=False),
        _big("received_value"),
        _big("taxable"),
        _big("tax"),
        _big("payable"),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _pk(BILL, ["org_id", "bill_id"]),
        _fk(BILL, ["org_id", "po_id"], PO),
        _fk(BILL, ["org_id", "supplier_id"], SUPPLIER),
        _uq(BILL, ["org_id", "supplier_id", "bill_no"]),
    )
    op.create_table(
        BILL_LINE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        _big("qty"),
        _big("received_cost"),
        _big("billed_cost"),
        _pk(BILL_LINE, ["org_id", "receipt_id", "line_no"]),
        _fk(BILL_LINE, ["org_id", "bill_id"], BILL),
    )
    op.create_table(
        RULE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        _big("min_qty"),
        _big("max_qty"),
        _big("pack_qty", nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        _pk(RULE, ["org_id", "location_id", "product_id"]),
        _fk(RULE, ["org_id", "location_id"], "stock_location"),
        _fk(RULE, ["org_id", "product_id"], "product"),
    )
    for table in (PO, LINE, EVENT, BILL, BILL_LINE):
        _append_only(table)
    if op.get_bind().dialect.name == "postgresql":
        for table in (SUPPLIER, RULE):
            _tenant(table, "SELECT, INSERT, UPDATE, DELETE")


def downgrade() -> None:
    # Dropping a table drops its triggers and policy with it.
    for table in (RULE, BILL_LINE, BILL, EVENT, LINE, PO, SUPPLIER):
        op.drop_table(table)
