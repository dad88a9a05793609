"""The seller's tax profile on the box: what its invoices print about the seller.

``box_identity.seller_profile`` holds the hub's tax profile as the
provisioning bundle carried it (JSON: legal and trade name, address, PIN,
contact, last year's turnover for the HSN digit rule, UPI address for the
"Scan to pay" QR). Null for boxes provisioned before it existed: their
invoices print the org's name only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("box_identity", sa.Column("seller_profile", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("box_identity") as batch:
        batch.drop_column("seller_profile")
