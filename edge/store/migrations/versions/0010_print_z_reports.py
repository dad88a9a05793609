"""Z reports print: ``print_job.kind`` may be ``z_report``.

A closed shift's Z report goes to the receipt printer like a receipt (its
bytes rendered at the close and kept on the job, since a Z never changes).
SQLite cannot alter a CHECK constraint in place: the table is copied with
the new constraint (alembic batch mode), its rows and indexes kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('receipt', 'reprint', 'credit_note', 'drawer')"
NEW_KINDS = "kind IN ('receipt', 'reprint', 'credit_note', 'drawer', 'z_report')"


def _print_job(kinds: str) -> sa.Table:
    """The table as 0007 made it, with ``kinds`` as its kind constraint."""
    table = sa.Table(
        "print_job",
        sa.MetaData(),
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
        sa.CheckConstraint(kinds, name="print_job_kind"),
        sa.CheckConstraint(
            "state IN ('queued', 'printing', 'printed', 'failed')", name="print_job_state"
        ),
    )
    sa.Index("print_job_due", table.c.state, table.c.next_attempt_ms)
    sa.Index("print_job_sale", table.c.sale_id)
    return table


def _swap(old: str, new: str) -> None:
    with op.batch_alter_table("print_job", copy_from=_print_job(old), recreate="always") as batch:
        batch.drop_constraint("print_job_kind", type_="check")
        batch.create_check_constraint("print_job_kind", sa.text(new))


def upgrade() -> None:
    _swap(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM print_job WHERE kind = 'z_report'")
    _swap(NEW_KINDS, OLD_KINDS)
