"""Products kept by serial number: ``product.serial_tracked``.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-24

Each unit of a serial-tracked product is sold on its own line naming its
serial number; at ingest the serial becomes the product's ``stock_lot``
with ``serial`` true (0015's lots already hold serials, keyed by product
and number like batches). A product is batch- or serial-tracked, not both:
the catalog services refuse the pair (CATALOG_TRACKING_CONFLICT).

A plain ADD COLUMN with a default on both backends: no table copy, so the
existing rows read false.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "product",
        sa.Column("serial_tracked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_column("serial_tracked")
