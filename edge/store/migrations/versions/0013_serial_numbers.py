"""Serial numbers at the box: products kept by serial, the unit on lines and moves.

``product.serial_tracked``: each unit sold names its serial number (one
unit per line). ``cart_line``, ``sale_line`` and ``stock_move`` gain
``serial_no``: the unit on the bill, sold, or put back by a return. The
index on the moves' (product, serial) answers "has this box sold this unit
and not taken it back?" at checkout without reading the product's history.

Columns are added (no table copy), so the append-only triggers on
``stock_move`` stay as they are.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "product",
        sa.Column("serial_tracked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table in ("cart_line", "sale_line", "stock_move"):
        op.add_column(table, sa.Column("serial_no", sa.Text()))
    op.create_index("stock_move_serial", "stock_move", ["product_id", "serial_no"])


def downgrade() -> None:
    op.drop_index("stock_move_serial", "stock_move")
    for table in ("stock_move", "sale_line", "cart_line"):
        op.drop_column(table, "serial_no")
    op.drop_column("product", "serial_tracked")
