"""The org's stock valuation method (FIFO or weighted average), as a history of choices.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; model in
``hub.db.valuation``. Append-only like the credit notes of 0012 (a trigger
calling ``setledger_refuse_rewrite()`` of 0001 on PostgreSQL, RAISE(ABORT)
on SQLite); on PostgreSQL the tenant policy of 0005, SELECT and INSERT only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
TABLE = "valuation_method_change"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "change_id", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(["org_id"], ["org.org_id"], name=op.f(f"fk_{TABLE}_org_id_org")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        op.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {ROLE}")
        op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {TABLE} FOR ALL TO {ROLE} "
            f"USING (org_id = {ORG_OF_TRANSACTION}) "
            f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {action} refused'); END"
        )


def downgrade() -> None:
    # Dropping the table drops its triggers and policy with it.
    op.drop_table(TABLE)
