"""Replication state: how to reach the hub, the hub's acks, the clock floor.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="clock_state_singleton"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hub_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.Text(), nullable=True),
        sa.Column("broker_url", sa.Text(), nullable=True),
        sa.Column("mqtt_username", sa.Text(), nullable=True),
        sa.Column("mqtt_password", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name="hub_link_singleton"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "outbox_seq",
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "stream"),
    )
    # Continue every stream where its outbox stands today.
    op.execute(
        "INSERT INTO outbox_seq (epoch, stream, last_seq) "
        "SELECT epoch, stream, max(seq) FROM outbox GROUP BY epoch, stream"
    )
    op.create_table(
        "outbox_ack",
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("acked_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "stream"),
    )


def downgrade() -> None:
    op.drop_table("outbox_ack")
    op.drop_table("outbox_seq")
    op.drop_table("hub_link")
    op.drop_table("clock_state")
