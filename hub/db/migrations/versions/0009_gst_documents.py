"""The seller's tax profile on the org (legal name, address, AATO) for invoices, returns and e-invoices. (Owned by the GST returns work.)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

Every column is nullable or defaulted, so existing orgs keep working: an
org without a GSTIN still sells, its sales only cannot become invoices
until the profile is filled in (``PUT /orgs/{org}/tax-profile``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = (
    ("legal_name", 100),
    ("trade_name", 100),
    ("address1", 100),
    ("address2", 100),
    ("location", 100),
    ("phone", 16),
    ("email", 100),
    ("upi_vpa", 100),
    ("upi_payee", 100),
)


def upgrade() -> None:
    with op.batch_alter_table("org") as batch:
        for name, length in TEXT_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))
        batch.add_column(sa.Column("pin", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("aato", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("gst_sandbox", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("org") as batch:
        for name in ("gst_sandbox", "aato", "pin", *(n for n, _ in reversed(TEXT_COLUMNS))):
            batch.drop_column(name)
