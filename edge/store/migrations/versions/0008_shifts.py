"""Shifts: ``shift_open`` (the float) and ``shift_close`` (the Z report), append-only.

A close covers every sale and return of the box stamped after the previous
close's HLC and up to its own (``setledger.shifts``), so the boundary is
an HLC and ``sale.hlc`` / ``sale_return.hlc`` get an index. The Z numbers
(``Z00001``...) come from ``shift_z_series``, which a restore moves past
the watermark like the invoice series.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY = ("shift_open", "shift_close")


def _guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "shift_open",
        sa.Column("shift_id", sa.String(36), primary_key=True),
        sa.Column("opened_at", sa.Text(), nullable=False),
        sa.Column("opened_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(36)),
        sa.Column("opened_by_name", sa.Text()),
        sa.Column("float_count", sa.Text(), nullable=False),
        _money("float_total"),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.Text()),
    )
    op.create_table(
        "shift_close",
        sa.Column("shift_id", sa.String(36), primary_key=True),
        sa.Column("z_no", sa.String(10), nullable=False, unique=True),
        sa.Column("closed_at", sa.Text(), nullable=False),
        sa.Column("closed_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("from_hlc", sa.Text()),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("closed_by", sa.String(36)),
        sa.Column("approval_id", sa.String(36)),
        _money("counted_total"),
        _money("expected_cash"),
        _money("over_short"),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.Text()),
    )
    op.create_index("shift_close_hlc", "shift_close", ["hlc"])
    op.create_table(
        "shift_z_series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="shift_z_series_one_row"),
    )
    for table in APPEND_ONLY:
        op.execute(_guard(table, "UPDATE"))
        op.execute(_guard(table, "DELETE"))
    # The shift boundary is an HLC: the open shift's sales are those after the last close.
    op.create_index("sale_hlc", "sale", ["hlc"])
    op.create_index("sale_return_hlc", "sale_return", ["hlc"])


def downgrade() -> None:
    op.drop_index("sale_return_hlc", "sale_return")
    op.drop_index("sale_hlc", "sale")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table("shift_z_series")
    op.drop_index("shift_close_hlc", "shift_close")
    op.drop_table("shift_close")
    op.drop_table("shift_open")
