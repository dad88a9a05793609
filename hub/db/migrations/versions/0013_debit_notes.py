"""Debit notes issued at the hub, and their lines.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.debit_notes``. Both tables are append-only like the sales
(triggers calling ``setledger_refuse_rewrite()`` of 0001 on PostgreSQL,
RAISE(ABORT) on SQLite). On PostgreSQL each gets the tenant policy of 0005
and is granted SELECT and INSERT only. The original sale is a foreign key:
a debit note is issued at the hub against a sale it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
APPEND_ONLY = ("debit_note", "debit_note_line")
TAX_AMOUNTS = ("taxable", "cgst", "sgst", "igst", "cess")


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _fk(table: str, cols: list[str], parent: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{parent}"
    return sa.ForeignKeyConstraint(cols, [f"{parent}.{c}" for c in cols], name=op.f(name))


def upgrade() -> None:
    op.create_table(
        "debit_note",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("debit_note_id", sa.Uuid(), nullable=False),
        sa.Column("note_no", sa.String(16), nullable=False),
        sa.Column("financial_year", sa.String(7), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("original_invoice_no", sa.String(16), nullable=False),
        sa.Column("original_date", sa.Date(), nullable=False),
        _money("original_payable"),
        sa.Column("seller_state", sa.String(2), nullable=False),
        sa.Column("place_of_supply", sa.String(2), nullable=False),
        sa.Column("supply_kind", sa.String(8), nullable=False),
        sa.Column("buyer_name", sa.String(200), nullable=True),
        sa.Column("buyer_phone", sa.String(16), nullable=True),
        sa.Column("buyer_gstin", sa.String(15), nullable=True),
        sa.Column("buyer_state", sa.String(2), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        *(_money(name) for name in TAX_AMOUNTS),
        _money("round_off"),
        _money("payable"),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "debit_note_id", name=op.f("pk_debit_note")),
        _fk("debit_note", ["org_id", "store_id"], "store"),
        _fk("debit_note", ["org_id", "sale_id"], "sale"),
        sa.UniqueConstraint("org_id", "note_no", name=op.f("uq_debit_note_org_id_note_no")),
        sa.UniqueConstraint(
            "org_id",
            "financial_year",
            "serial",
            name=op.f("uq_debit_note_org_id_financial_year_serial"),
        ),
    )
    op.create_index(
        op.f("ix_debit_note_org_id_business_date"),
        "debit_note",
        ["org_id", "business_date"],
    )
    op.create_index(op.f("ix_debit_note_org_id_sale_id"), "debit_note", ["org_id", "sale_id"])
    op.create_table(
        "debit_note_line",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("debit_note_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hsn", sa.String(8), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        _money("unit_price"),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("cess_bp", sa.Integer(), nullable=False),
        *(_money(name) for name in TAX_AMOUNTS),
        sa.PrimaryKeyConstraint(
            "org_id", "debit_note_id", "line_no", name=op.f("pk_debit_note_line")
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "debit_note_id"],
            ["debit_note.org_id", "debit_note.debit_note_id"],
            name=op.f("fk_debit_note_line_org_id_debit_note_id_debit_note"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(f"GRANT SELECT, INSERT ON {table} TO {ROLE}")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
                f"USING (org_id = {ORG_OF_TRANSACTION}) "
                f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def downgrade() -> None:
    # Dropping a table drops its triggers and policies with it.
    op.drop_table("debit_note_line")
    op.drop_index(op.f("ix_debit_note_org_id_sale_id"), table_name="debit_note")
    op.drop_index(op.f("ix_debit_note_org_id_business_date"), table_name="debit_note")
    op.drop_table("debit_note")
