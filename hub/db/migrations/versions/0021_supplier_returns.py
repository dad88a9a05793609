"""Returns to the supplier against a purchase order, and their debit notes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.purchasing``. ``supplier_return`` (one per return, keyed by the
client's return id, with its debit note's figures) and
``supplier_return_line`` (each line's stock move and how much of it had been
billed). Append-only like the bills of 0018 (a trigger calling
``setledger_refuse_rewrite()`` on PostgreSQL, RAISE(ABORT) on SQLite;
SELECT and INSERT only for the tenant role), with the tenant policy of 0005
on PostgreSQL. The return's PO event (``returned``) and the stock move
(reason ``supplier_return``) go into the tables of 0018 and 0015: neither
has a check on its kind or reason, so nothing there changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
RETURN, RETURN_LINE = "supplier_return", "supplier_return_line"


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
        )
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
            f"USING (org_id = {ORG_OF_TRANSACTION}) "
            f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        )


def upgrade() -> None:
    op.create_table(
        RETURN,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("po_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("returned_value", sa.BigInteger(), nullable=False),
        sa.Column("billed_value", sa.BigInteger(), nullable=False),
        sa.Column("taxable", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("payable", sa.BigInteger(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "return_id", name=op.f(f"pk_{RETURN}")),
        sa.ForeignKeyConstraint(
            ["org_id", "po_id"],
            ["purchase_order.org_id", "purchase_order.po_id"],
            name=op.f(f"fk_{RETURN}_org_id_po_id_purchase_order"),
        ),
    )
    op.create_table(
        RETURN_LINE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("billed_qty", sa.BigInteger(), nullable=False),
        sa.Column("billed_cost", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("move_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "return_id", "seq", name=op.f(f"pk_{RETURN_LINE}")),
        sa.ForeignKeyConstraint(
            ["org_id", "return_id"],
            [f"{RETURN}.org_id", f"{RETURN}.return_id"],
            name=op.f(f"fk_{RETURN_LINE}_org_id_return_id_{RETURN}"),
        ),
    )
    for table in (RETURN, RETURN_LINE):
        _append_only(table)


def downgrade() -> None:
    # Dropping a table drops its triggers and policy with it.
    for table in (RETURN_LINE, RETURN):
        op.drop_table(table)
