"""Urgent reorders raised at the counter: ``urgent_reorder``, append-only.

One row per request, keyed by the client's reorder id (a retry writes
nothing new). ``epoch``/``seq`` is the outbox position of the
``reorder.urgent`` document on the ``reorders`` stream, kept because the
outbox is pruned after the hub's ack: the request is delivered once the
hub's ack for (epoch, ``reorders``) reaches ``seq``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLE = "urgent_reorder"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("reorder_id", sa.String(36), primary_key=True),
        sa.Column("product_id", sa.String(36), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("on_hand_seen", sa.BigInteger()),
        sa.Column("note", sa.Text()),
        sa.Column("raised_by", sa.String(36)),
        sa.Column("raised_by_code", sa.Text()),
        sa.Column("raised_by_name", sa.Text()),
        sa.Column("raised_at", sa.Text(), nullable=False),
        sa.Column("raised_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.Text()),
        sa.CheckConstraint("qty > 0", name="urgent_reorder_qty_positive"),
    )
    op.create_index("urgent_reorder_raised", TABLE, ["raised_at_ms"])
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
        )


def downgrade() -> None:
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{action}")
    op.drop_index("urgent_reorder_raised", TABLE)
    op.drop_table(TABLE)
