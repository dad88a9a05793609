"""What head office did with this store's urgent reorders: ``reorder_status``.

One row per request the hub has told the store about, keyed by reorder id:
its status (open, acknowledged, ordered, dismissed), the purchase order
reference, the note of the hub's last step and when it was taken. It is
the hub's view, not a record of the box: a newer ``reorder.status``
document (``version``) replaces the rows it names, and a request the
document no longer names keeps what was heard last. ``urgent_reorder``
stays append-only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "reorder_status"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("reorder_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("po_reference", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("changed_at", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
    )
    op.create_index("reorder_status_version", TABLE, ["version"])


def downgrade() -> None:
    op.drop_index("reorder_status_version", TABLE)
    op.drop_table(TABLE)
