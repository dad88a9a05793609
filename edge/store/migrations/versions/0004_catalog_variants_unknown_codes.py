"""Catalog replica: variants, batch tracking, shelf life, slugs; unknown codes.

``unknown_code`` keeps each code scanned or typed at this box that named no
product (how often, first and last time), for the catalog team.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: a copy would lose the sku column's
    # NOCASE collation (alembic reflects the type without it).
    op.add_column("product", sa.Column("variant_group", sa.Text(), nullable=True))
    op.add_column("product", sa.Column("variant", sa.Text(), nullable=True))
    op.add_column(
        "product",
        sa.Column("batch_tracked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("product", sa.Column("shelf_life_days", sa.Integer(), nullable=True))
    op.add_column("product", sa.Column("slug", sa.Text(), nullable=True))
    op.create_index("product_slug", "product", ["slug"], unique=False)
    op.create_table(
        "unknown_code",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.Text(), nullable=False),
        sa.Column("last_seen", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("unknown_code")
    op.drop_index("product_slug", "product")
    for column in ("slug", "shelf_life_days", "batch_tracked", "variant", "variant_group"):
        op.drop_column("product", column)  # SQLite 3.35+ drops columns in place
