"""Returns: credit notes, their lines and refunds, the credit note series.

``sale_return``, ``sale_return_line`` and ``sale_return_refund`` are
append-only like the sales tables: a credit note, once issued, is never
changed; a mistake is corrected by another document. Restocking moves go
into ``stock_move`` with the new ``return_id``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("sale_return", "sale_return_line", "sale_return_refund")


def _guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "credit_note_series",
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "financial_year"),
    )
    op.create_table(
        "sale_return",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("note_no", sa.String(length=16), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("returned_at", sa.Text(), nullable=False),
        sa.Column("returned_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cashier", sa.Text(), nullable=True),
        sa.Column("approval_id", sa.String(length=36), nullable=True),
        *(_money(name) for name in ("taxable", "cgst", "sgst", "igst", "cess")),
        _money("round_off"),
        _money("payable"),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.sale_id"]),
        sa.PrimaryKeyConstraint("return_id"),
        sa.UniqueConstraint("note_no"),
    )
    op.create_index("sale_return_sale", "sale_return", ["sale_id"], unique=False)
    op.create_table(
        "sale_return_line",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        *(
            _money(name)
            for name in ("discount", "taxable", "cgst", "sgst", "igst", "cess", "charged")
        ),
        sa.ForeignKeyConstraint(["return_id"], ["sale_return.return_id"]),
        sa.PrimaryKeyConstraint("return_id", "line_no"),
    )
    op.create_table(
        "sale_return_refund",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("refund_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["return_id"], ["sale_return.return_id"]),
        sa.PrimaryKeyConstraint("return_id", "refund_no"),
    )
    for table in APPEND_ONLY:
        op.execute(_guard(table, "UPDATE"))
        op.execute(_guard(table, "DELETE"))
    # A plain ADD COLUMN: stock_move is append-only and a batch copy would
    # have to drop its triggers.
    op.add_column("stock_move", sa.Column("return_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    op.drop_column("stock_move", "return_id")  # SQLite 3.35+ drops columns in place
    for table in reversed(APPEND_ONLY):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        if table == "sale_return":
            op.drop_index("sale_return_sale", "sale_return")
        op.drop_table(table)
    op.drop_table("credit_note_series")
