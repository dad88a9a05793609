"""The receipt printer's queue: ``print_job``.

A row per slip to print (a sale's receipt, a reprint, a credit note) or
drawer to open, written after the sale's commit; the print worker moves it
queued -> printing -> printed, or back to queued with a back-off when the
printer is away, and to failed after too many attempts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_job",
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sale_id", sa.String(36)),
        sa.Column("return_id", sa.String(36)),
        sa.Column("payload", sa.LargeBinary()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("printed_at", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.CheckConstraint(
            "kind IN ('receipt', 'reprint', 'credit_note', 'drawer')", name="print_job_kind"
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'printing', 'printed', 'failed')", name="print_job_state"
        ),
    )
    op.create_index("print_job_due", "print_job", ["state", "next_attempt_ms"])
    op.create_index("print_job_sale", "print_job", ["sale_id"])


def downgrade() -> None:
    op.drop_table("print_job")
