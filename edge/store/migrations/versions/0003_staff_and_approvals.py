"""Staff at the counter: the roster, PIN lockouts, box sessions, approvals.

``approval`` is append-only like the sales tables: a manager's approval,
once written with what it approved, is never changed or removed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def upgrade() -> None:
    op.create_table(
        "staff_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("generated_at", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="staff_roster_singleton"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "staff_member",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("user_code", sa.String(length=24), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "pin_guard",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "box_session",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.Text(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("token_sha256"),
        sa.UniqueConstraint("session_id"),
    )
    with op.batch_alter_table("box_session", schema=None) as batch_op:
        batch_op.create_index("box_session_user", ["user_id"], unique=False)
    op.create_table(
        "approval",
        sa.Column("approval_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("sale_id", sa.String(length=36), nullable=True),
        sa.Column("cart_id", sa.String(length=36), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.Text(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("approval_id"),
    )
    op.execute(_guard("approval", "UPDATE"))
    op.execute(_guard("approval", "DELETE"))
    # A plain ADD COLUMN: SQLite needs no table copy for a nullable column.
    op.add_column(
        "cart_line", sa.Column("discount_approval_id", sa.String(length=36), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("cart_line", schema=None) as batch_op:
        batch_op.drop_column("discount_approval_id")
    op.execute("DROP TRIGGER IF EXISTS approval_no_update")
    op.execute("DROP TRIGGER IF EXISTS approval_no_delete")
    op.drop_table("approval")
    with op.batch_alter_table("box_session", schema=None) as batch_op:
        batch_op.drop_index("box_session_user")
    op.drop_table("box_session")
    op.drop_table("pin_guard")
    op.drop_table("staff_member")
    op.drop_table("staff_roster")
