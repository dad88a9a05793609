"""Held bills (``cart_hold``) and finding a customer by phone.

``cart_hold``: a line per hold and per recall of a cart.

A cashier parks the open bill (the cart's status becomes ``held``) and
starts another; the held bill is recalled later, at this box. The rows are
appended, never changed: the list of held bills shows the latest hold of
each held cart (when, by whom), and the history of a bill stays readable.

``sale_buyer_phone``: an index on the buyer's phone inside a sale's buyer
JSON, so the counter finds a returning customer's details
(``GET /api/v1/customers?phone=``) without reading every sale. An
expression index: alembic does not reflect it, so ``tables.py`` does not
declare it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cart_hold",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("cart_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(36)),
        sa.Column("user_name", sa.Text()),
        sa.CheckConstraint("kind IN ('hold', 'recall')", name="cart_hold_kind"),
    )
    op.create_index("cart_hold_cart", "cart_hold", ["cart_id", "at"])
    op.execute("CREATE INDEX sale_buyer_phone ON sale (json_extract(buyer, '$.phone'))")


def downgrade() -> None:
    op.execute("DROP INDEX sale_buyer_phone")
    op.drop_table("cart_hold")
