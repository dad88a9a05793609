"""Replication: broker credentials and clock of devices, raw quarantine, catalog blobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``. SQLite cannot
change a column's nullability in place, so the quarantine changes go
through a batch (copy-and-rename) on SQLite; ``quarantine`` has no
triggers that a copy would lose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Envelope columns a raw (never parsed) message cannot fill.
ENVELOPE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("epoch", sa.String(32)),
    ("stream", sa.String(32)),
    ("seq", sa.BigInteger()),
    ("key", sa.String(128)),
    ("schema_name", sa.String(64)),
    ("schema_version", sa.Integer()),
    ("payload_sha256", sa.String(64)),
    ("envelope", sa.JSON()),
)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("device", sa.Column("mqtt_password_hash", sa.String(200), nullable=True))
    op.add_column("device", sa.Column("last_seen_at", _ts(), nullable=True))
    op.add_column("device", sa.Column("clock_skew_ms", sa.BigInteger(), nullable=True))
    op.add_column("device", sa.Column("clock_flagged_at", _ts(), nullable=True))
    op.create_index(op.f("ix_device_token_hash"), "device", ["token_hash"])

    with op.batch_alter_table("quarantine") as batch:
        for name, type_ in ENVELOPE_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=True)
        batch.add_column(sa.Column("topic", sa.String(255), nullable=True))
        batch.add_column(sa.Column("raw_payload", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("raw_size", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("raw_sha256", sa.String(64), nullable=True))

    op.create_table(
        "catalog_blob",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("from_version", sa.BigInteger(), nullable=True),
        sa.Column("to_version", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "sha256", name=op.f("pk_catalog_blob")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["org.org_id"], name=op.f("fk_catalog_blob_org_id_org")
        ),
    )
    op.create_table(
        "catalog_publication",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("published_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_catalog_publication")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["org.org_id"], name=op.f("fk_catalog_publication_org_id_org")
        ),
    )


def downgrade() -> None:
    op.drop_table("catalog_publication")
    op.drop_table("catalog_blob")
    # Raw rows cannot satisfy the old NOT NULL columns: they go with the downgrade.
    op.execute("DELETE FROM quarantine WHERE envelope IS NULL")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("raw_sha256")
        batch.drop_column("raw_size")
        batch.drop_column("raw_payload")
        batch.drop_column("topic")
        for name, type_ in ENVELOPE_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=False)
    op.drop_index(op.f("ix_device_token_hash"), table_name="device")
    with op.batch_alter_table("device") as batch:
        batch.drop_column("clock_flagged_at")
        batch.drop_column("clock_skew_ms")
        batch.drop_column("last_seen_at")
        batch.drop_column("mqtt_password_hash")
