"""Initial hub schema: registry, catalog master, ingest, sales; append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Hand-written. Constraint names follow ``hub.db.base.NAMING_CONVENTION`` and
are spelled out so this file never changes meaning if the convention does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("sale", "sale_line", "sale_tender", "stock_move", "inbox", "product_price")


def _uuid() -> sa.Uuid[uuid.UUID]:
    return sa.Uuid()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> sa.BigInteger:
    return sa.BigInteger()


def _fk(name: str, cols: list[str], table: str, refcols: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(cols, [f"{table}.{c}" for c in refcols], name=op.f(name))


def upgrade() -> None:
    op.create_table(
        "org",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("org_code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("state_code", sa.String(2), nullable=False),
        sa.Column("gstin", sa.String(15), nullable=True),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org")),
        sa.UniqueConstraint("org_code", name=op.f("uq_org_org_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_org_slug")),
    )
    op.create_table(
        "store",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("store_id", _uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("state_code", sa.String(2), nullable=False),
        sa.Column("gstin", sa.String(15), nullable=True),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "store_id", name=op.f("pk_store")),
        _fk("fk_store_org_id_org", ["org_id"], "org", ["org_id"]),
        sa.UniqueConstraint("org_id", "code", name=op.f("uq_store_org_id_code")),
    )
    op.create_table(
        "device",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=False),
        sa.Column("store_id", _uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("invoice_prefix", sa.String(4), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "device_id", name=op.f("pk_device")),
        _fk("fk_device_org_id_org", ["org_id"], "org", ["org_id"]),
        _fk(
            "fk_device_org_id_store_id_store",
            ["org_id", "store_id"],
            "store",
            ["org_id", "store_id"],
        ),
        sa.UniqueConstraint(
            "org_id", "invoice_prefix", name=op.f("uq_device_org_id_invoice_prefix")
        ),
    )
    op.create_table(
        "product",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("product_id", _uuid(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hsn", sa.String(8), nullable=True),
        sa.Column("unit", sa.String(3), nullable=False),
        sa.Column("fractional_qty", sa.Boolean(), nullable=False),
        sa.Column("gst_rate_bp", sa.Integer(), nullable=False),
        sa.Column("cess_bp", sa.Integer(), nullable=False),
        sa.Column("price_includes_tax", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "product_id", name=op.f("pk_product")),
        _fk("fk_product_org_id_org", ["org_id"], "org", ["org_id"]),
        sa.UniqueConstraint("org_id", "sku", name=op.f("uq_product_org_id_sku")),
    )
    op.create_table(
        "product_barcode",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("barcode", sa.String(32), nullable=False),
        sa.Column("product_id", _uuid(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "barcode", name=op.f("pk_product_barcode")),
        _fk(
            "fk_product_barcode_org_id_product_id_product",
            ["org_id", "product_id"],
            "product",
            ["org_id", "product_id"],
        ),
    )
    op.create_index(
        op.f("ix_product_barcode_org_id_product_id"),
        "product_barcode",
        ["org_id", "product_id"],
    )
    op.create_table(
        "product_price",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("price_id", _uuid(), nullable=False),
        sa.Column("product_id", _uuid(), nullable=False),
        sa.Column("valid_from", _ts(), nullable=False),
        sa.Column("price", _money(), nullable=False),
        sa.Column("mrp", _money(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "price_id", name=op.f("pk_product_price")),
        _fk(
            "fk_product_price_org_id_product_id_product",
            ["org_id", "product_id"],
            "product",
            ["org_id", "product_id"],
        ),
        sa.UniqueConstraint(
            "org_id",
            "product_id",
            "valid_from",
            name=op.f("uq_product_price_org_id_product_id_valid_from"),
        ),
    )
    op.create_table(
        "inbox",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("schema_name", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "device_id", "epoch", "stream", "seq", name=op.f("pk_inbox")
        ),
        _fk(
            "fk_inbox_org_id_device_id_device",
            ["org_id", "device_id"],
            "device",
            ["org_id", "device_id"],
        ),
    )
    op.create_index(op.f("ix_inbox_org_id_key"), "inbox", ["org_id", "key"])
    op.create_table(
        "device_cursor",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("contiguous_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "device_id", "epoch", "stream", name=op.f("pk_device_cursor")
        ),
        _fk(
            "fk_device_cursor_org_id_device_id_device",
            ["org_id", "device_id"],
            "device",
            ["org_id", "device_id"],
        ),
    )
    op.create_table(
        "quarantine",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("quarantine_id", _uuid(), nullable=False),
        sa.Column("org_code", sa.String(12), nullable=False),
        sa.Column("store_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("schema_name", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "quarantine_id", name=op.f("pk_quarantine")),
    )
    op.create_index(
        op.f("ix_quarantine_org_id_device_id_epoch_stream_seq"),
        "quarantine",
        ["org_id", "device_id", "epoch", "stream", "seq"],
    )
    op.create_table(
        "sale",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("sale_id", _uuid(), nullable=False),
        sa.Column("store_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("invoice_no", sa.String(16), nullable=False),
        sa.Column("financial_year", sa.String(7), nullable=False),
        sa.Column("sold_at", _ts(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("seller_state", sa.String(2), nullable=False),
        sa.Column("place_of_supply", sa.String(2), nullable=False),
        sa.Column("supply_kind", sa.String(8), nullable=False),
        sa.Column("rounding", sa.String(8), nullable=False),
        sa.Column("buyer_name", sa.String(200), nullable=True),
        sa.Column("buyer_phone", sa.String(16), nullable=True),
        sa.Column("buyer_gstin", sa.String(15), nullable=True),
        sa.Column("buyer_state", sa.String(2), nullable=True),
        sa.Column("cashier", sa.String(200), nullable=True),
        sa.Column("taxable", _money(), nullable=False),
        sa.Column("cgst", _money(), nullable=False),
        sa.Column("sgst", _money(), nullable=False),
        sa.Column("igst", _money(), nullable=False),
        sa.Column("cess", _money(), nullable=False),
        sa.Column("round_off", _money(), nullable=False),
        sa.Column("payable", _money(), nullable=False),
        sa.Column("tendered", _money(), nullable=False),
        sa.Column("change", _money(), nullable=False),
        sa.Column("hlc", sa.String(100), nullable=False),
        sa.Column("wall_time", _ts(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "sale_id", name=op.f("pk_sale")),
        _fk(
            "fk_sale_org_id_store_id_store", ["org_id", "store_id"], "store", ["org_id", "store_id"]
        ),
        _fk(
            "fk_sale_org_id_device_id_device",
            ["org_id", "device_id"],
            "device",
            ["org_id", "device_id"],
        ),
        sa.UniqueConstraint("org_id", "invoice_no", name=op.f("uq_sale_org_id_invoice_no")),
    )
    op.create_index(op.f("ix_sale_org_id_business_date"), "sale", ["org_id", "business_date"])
    op.create_index(
        op.f("ix_sale_org_id_store_id_business_date"),
        "sale",
        ["org_id", "store_id", "business_date"],
    )
    op.create_table(
        "sale_line",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("sale_id", _uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", _uuid(), nullable=False),
        sa.Column("sku", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hsn", sa.String(8), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", _money(), nullable=False),
        sa.Column("price_includes_tax", sa.Boolean(), nullable=False),
        sa.Column("discount", _money(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("cess_bp", sa.Integer(), nullable=False),
        sa.Column("taxable", _money(), nullable=False),
        sa.Column("cgst", _money(), nullable=False),
        sa.Column("sgst", _money(), nullable=False),
        sa.Column("igst", _money(), nullable=False),
        sa.Column("cess", _money(), nullable=False),
        sa.Column("charged", _money(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "sale_id", "line_no", name=op.f("pk_sale_line")),
        _fk(
            "fk_sale_line_org_id_sale_id_sale", ["org_id", "sale_id"], "sale", ["org_id", "sale_id"]
        ),
    )
    op.create_table(
        "sale_tender",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("sale_id", _uuid(), nullable=False),
        sa.Column("tender_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "sale_id", "tender_no", name=op.f("pk_sale_tender")),
        _fk(
            "fk_sale_tender_org_id_sale_id_sale",
            ["org_id", "sale_id"],
            "sale",
            ["org_id", "sale_id"],
        ),
    )
    op.create_table(
        "stock_move",
        sa.Column("org_id", _uuid(), nullable=False),
        sa.Column("move_id", _uuid(), nullable=False),
        sa.Column("store_id", _uuid(), nullable=False),
        sa.Column("device_id", _uuid(), nullable=True),
        sa.Column("product_id", _uuid(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("sale_id", _uuid(), nullable=True),
        sa.Column("moved_at", _ts(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "move_id", name=op.f("pk_stock_move")),
        _fk(
            "fk_stock_move_org_id_store_id_store",
            ["org_id", "store_id"],
            "store",
            ["org_id", "store_id"],
        ),
        _fk(
            "fk_stock_move_org_id_sale_id_sale",
            ["org_id", "sale_id"],
            "sale",
            ["org_id", "sale_id"],
        ),
    )
    op.create_index(
        op.f("ix_stock_move_org_id_store_id_product_id"),
        "stock_move",
        ["org_id", "store_id", "product_id"],
    )
    op.create_index(op.f("ix_stock_move_org_id_sale_id"), "stock_move", ["org_id", "sale_id"])
    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION setledger_refuse_rewrite() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS setledger_refuse_rewrite()")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def downgrade() -> None:
    # Dropping the tables would drop the triggers too; dropping them first
    # keeps the downgrade explicit about giving up the append-only guard.
    _drop_append_only_triggers()
    for table in (
        "stock_move",
        "sale_tender",
        "sale_line",
        "sale",
        "quarantine",
        "device_cursor",
        "inbox",
        "product_price",
        "product_barcode",
        "product",
        "device",
        "store",
        "org",
    ):
        op.drop_table(table)
