"""Initial box schema: catalog replica, carts, sales, stock moves, outbox.

Sales, their lines and tenders, and stock moves are append-only: triggers
refuse UPDATE and DELETE, so a bug cannot rewrite what was sold. Outbox
rows may be deleted (pruned after the hub's ack) but never changed.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 00:29:36.576134
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "box_epoch",
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("epoch"),
    )
    op.create_table(
        "box_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=12), nullable=False),
        sa.Column("org_name", sa.Text(), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("store_name", sa.Text(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.Text(), nullable=False),
        sa.Column("invoice_prefix", sa.String(length=4), nullable=False),
        sa.Column("seller_state", sa.String(length=2), nullable=False),
        sa.Column("seller_gstin", sa.String(length=15), nullable=True),
        sa.Column("provisioned_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="box_identity_singleton"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cart",
        sa.Column("cart_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=True),
        sa.Column("buyer", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("cart_id"),
    )
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="catalog_state_singleton"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "invoice_series",
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "financial_year"),
    )
    op.create_table(
        "outbox",
        sa.Column("row_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("schema_name", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("wall_time", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("row_id"),
        sa.UniqueConstraint("epoch", "stream", "seq", name="outbox_position"),
        sa.UniqueConstraint("stream", "key", name="outbox_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "product",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.Column("hsn", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("fractional_qty", sa.Boolean(), nullable=False),
        sa.Column("gst_rate_bp", sa.Integer(), nullable=False),
        sa.Column("cess_bp", sa.Integer(), nullable=False),
        sa.Column("price_includes_tax", sa.Boolean(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index("product_search_name", ["search_name"], unique=False)
        batch_op.create_index("product_sku", ["sku"], unique=True)

    op.create_table(
        "sale",
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("invoice_no", sa.String(length=16), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("sold_at", sa.Text(), nullable=False),
        sa.Column("sold_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("seller_state", sa.String(length=2), nullable=False),
        sa.Column("place_of_supply", sa.String(length=2), nullable=False),
        sa.Column("supply_kind", sa.String(length=5), nullable=False),
        sa.Column("rounding", sa.String(length=5), nullable=False),
        sa.Column("buyer", sa.Text(), nullable=True),
        sa.Column("cashier", sa.Text(), nullable=True),
        sa.Column("taxable", sa.BigInteger(), nullable=False),
        sa.Column("cgst", sa.BigInteger(), nullable=False),
        sa.Column("sgst", sa.BigInteger(), nullable=False),
        sa.Column("igst", sa.BigInteger(), nullable=False),
        sa.Column("cess", sa.BigInteger(), nullable=False),
        sa.Column("round_off", sa.BigInteger(), nullable=False),
        sa.Column("payable", sa.BigInteger(), nullable=False),
        sa.Column("tendered", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("sale_id"),
        sa.UniqueConstraint("invoice_no"),
    )
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index("sale_business_date", ["business_date"], unique=False)

    op.create_table(
        "barcode",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.product_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "cart_line",
        sa.Column("cart_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["cart.cart_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cart_id", "line_no"),
    )
    op.create_table(
        "product_price",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("valid_from_ms", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("mrp", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["product.product_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "valid_from_ms"),
    )
    op.create_table(
        "sale_line",
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hsn", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("price_includes_tax", sa.Boolean(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("cess_bp", sa.Integer(), nullable=False),
        sa.Column("taxable", sa.BigInteger(), nullable=False),
        sa.Column("cgst", sa.BigInteger(), nullable=False),
        sa.Column("sgst", sa.BigInteger(), nullable=False),
        sa.Column("igst", sa.BigInteger(), nullable=False),
        sa.Column("cess", sa.BigInteger(), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sale.sale_id"],
        ),
        sa.PrimaryKeyConstraint("sale_id", "line_no"),
    )
    op.create_table(
        "sale_tender",
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("tender_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sale.sale_id"],
        ),
        sa.PrimaryKeyConstraint("sale_id", "tender_no"),
    )
    op.create_table(
        "stock_move",
        sa.Column("move_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sale.sale_id"],
        ),
        sa.PrimaryKeyConstraint("move_id"),
    )
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.create_index("stock_move_product", ["product_id"], unique=False)
    create_guards()


APPEND_ONLY = ("sale", "sale_line", "sale_tender", "stock_move")


def _guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def create_guards() -> None:
    for table in APPEND_ONLY:
        op.execute(_guard(table, "UPDATE"))
        op.execute(_guard(table, "DELETE"))
    op.execute(_guard("outbox", "UPDATE"))


def downgrade() -> None:
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.drop_index("stock_move_product")

    op.drop_table("stock_move")
    op.drop_table("sale_tender")
    op.drop_table("sale_line")
    op.drop_table("product_price")
    op.drop_table("cart_line")
    op.drop_table("barcode")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index("sale_business_date")

    op.drop_table("sale")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index("product_sku")
        batch_op.drop_index("product_search_name")

    op.drop_table("product")
    op.drop_table("outbox")
    op.drop_table("invoice_series")
    op.drop_table("catalog_state")
    op.drop_table("cart")
    op.drop_table("box_identity")
    op.drop_table("box_epoch")
