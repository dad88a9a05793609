"""The e-invoice submission queue: one row per document sent to the IRP through a connector, with its outcome. (Owned by the e-invoice work.)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``. ``einvoice`` is
the current state per document (updated as attempts complete);
``einvoice_attempt`` is append-only like the journal (triggers calling
``setledger_refuse_rewrite()`` of 0001 on PostgreSQL, RAISE(ABORT) on
SQLite). On PostgreSQL both get the tenant policy of 0005; the attempt
log is granted SELECT and INSERT only, the queue no DELETE.
``einvoice_buyer`` is the org's directory of buyers' addresses.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
APPEND_ONLY = ("einvoice_attempt",)
READ_WRITE = ("einvoice", "einvoice_buyer")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "einvoice",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("irn", sa.String(64), nullable=False),
        sa.Column("doc_type", sa.String(3), nullable=False),
        sa.Column("doc_no", sa.String(16), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=True),
        sa.Column("issued_irn", sa.String(64), nullable=True),
        sa.Column("ack_no", sa.String(20), nullable=True),
        sa.Column("ack_dt", sa.String(19), nullable=True),
        sa.Column("signed_invoice", sa.Text(), nullable=True),
        sa.Column("signed_qr", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("enqueued_at", _ts(), nullable=False),
        sa.Column("enqueued_by", sa.String(64), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "irn", name=op.f("pk_einvoice")),
        sa.ForeignKeyConstraint(["org_id"], ["org.org_id"], name=op.f("fk_einvoice_org_id_org")),
    )
    op.create_index(
        op.f("ix_einvoice_org_id_next_attempt_at"), "einvoice", ["org_id", "next_attempt_at"]
    )
    op.create_index(op.f("ix_einvoice_org_id_doc_date"), "einvoice", ["org_id", "doc_date"])
    op.create_table(
        "einvoice_attempt",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("irn", sa.String(64), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("attempted_at", _ts(), nullable=False),
        sa.Column("connector", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("codes", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "irn", "attempt_no", name=op.f("pk_einvoice_attempt")),
        sa.ForeignKeyConstraint(
            ["org_id", "irn"],
            ["einvoice.org_id", "einvoice.irn"],
            name=op.f("fk_einvoice_attempt_org_id_irn_einvoice"),
        ),
    )
    op.create_table(
        "einvoice_buyer",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("gstin", sa.String(15), nullable=False),
        sa.Column("legal_name", sa.String(100), nullable=False),
        sa.Column("trade_name", sa.String(100), nullable=True),
        sa.Column("address1", sa.String(100), nullable=False),
        sa.Column("address2", sa.String(100), nullable=True),
        sa.Column("location", sa.String(100), nullable=False),
        sa.Column("pin", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(12), nullable=True),
        sa.Column("email", sa.String(100), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "gstin", name=op.f("pk_einvoice_buyer")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["org.org_id"], name=op.f("fk_einvoice_buyer_org_id_org")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
        for table in READ_WRITE + APPEND_ONLY:
            # A queue row is updated as attempts complete but never deleted:
            # it is the record that the document was (or was not) reported.
            privileges = {
                "einvoice_attempt": "SELECT, INSERT",
                "einvoice": "SELECT, INSERT, UPDATE",
            }.get(table, "SELECT, INSERT, UPDATE, DELETE")
            op.execute(f"GRANT {privileges} ON {table} TO {ROLE}")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
                f"USING (org_id = {ORG_OF_TRANSACTION}) "
                f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def downgrade() -> None:
    # Dropping a table drops its triggers and policies with it.
    op.drop_table("einvoice_buyer")
    op.drop_table("einvoice_attempt")
    op.drop_index(op.f("ix_einvoice_org_id_doc_date"), table_name="einvoice")
    op.drop_index(op.f("ix_einvoice_org_id_next_attempt_at"), table_name="einvoice")
    op.drop_table("einvoice")
