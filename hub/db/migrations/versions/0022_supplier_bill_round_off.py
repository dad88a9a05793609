"""A supplier bill's round-off: ``supplier_bill.round_off`` (paise, 0 by default).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-24

Indian suppliers round a bill's total to the rupee; what the shop owes is the
rounded total, so the bill keeps the round-off (posted to 4950 Round off) and
its payable includes it. A plain ADD COLUMN with a default: existing bills
read 0 and the append-only triggers are untouched (they fire on UPDATE and
DELETE, not on a schema change).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "supplier_bill",
        sa.Column("round_off", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    # Both backends drop a column in place (SQLite 3.35+), keeping the table's triggers.
    op.execute("ALTER TABLE supplier_bill DROP COLUMN round_off")
