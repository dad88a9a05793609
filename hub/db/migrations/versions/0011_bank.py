"""Bank accounts, saved statement column mappings, imported statement lines and their reconciliation. (Owned by the bank work.)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.bank``. Statement lines are never rewritten by the application,
but they are not made append-only by trigger: a wrong import of an org's
own file is theirs to clean, and the books (the journal) keep the truth.
On PostgreSQL every table gets the tenant policy of 0005.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
TABLES = (
    "bank_account",
    "bank_mapping",
    "bank_statement",
    "bank_line",
    "bank_reconciliation",
    "bank_match",
)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["org_id"], ["org.org_id"], name=op.f(f"fk_{table}_org_id_org"))


def upgrade() -> None:
    op.create_table(
        "bank_account",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("number_masked", sa.String(32), nullable=False),
        sa.Column("ifsc", sa.String(11), nullable=False),
        sa.Column("ledger_code", sa.String(32), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "account_id", name=op.f("pk_bank_account")),
        _org_fk("bank_account"),
    )
    op.create_table(
        "bank_mapping",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "name", name=op.f("pk_bank_mapping")),
        _org_fk("bank_mapping"),
    )
    op.create_table(
        "bank_statement",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("mapping", sa.String(64), nullable=False),
        sa.Column("lines_read", sa.BigInteger(), nullable=False),
        sa.Column("lines_new", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "statement_id", name=op.f("pk_bank_statement")),
        sa.ForeignKeyConstraint(
            ["org_id", "account_id"],
            ["bank_account.org_id", "bank_account.account_id"],
            name=op.f("fk_bank_statement_org_id_account_id_bank_account"),
        ),
        sa.UniqueConstraint(
            "org_id",
            "account_id",
            "sha256",
            name=op.f("uq_bank_statement_org_id_account_id_sha256"),
        ),
    )
    op.create_table(
        "bank_line",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=True),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "line_id", name=op.f("pk_bank_line")),
        sa.ForeignKeyConstraint(
            ["org_id", "statement_id"],
            ["bank_statement.org_id", "bank_statement.statement_id"],
            name=op.f("fk_bank_line_org_id_statement_id_bank_statement"),
        ),
        sa.UniqueConstraint(
            "org_id",
            "account_id",
            "dedupe_key",
            name=op.f("uq_bank_line_org_id_account_id_dedupe_key"),
        ),
    )
    op.create_index(
        op.f("ix_bank_line_org_id_account_id_txn_date"),
        "bank_line",
        ["org_id", "account_id", "txn_date"],
    )
    op.create_table(
        "bank_reconciliation",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("recon_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("account_code", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("narration", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("undone_at", _ts(), nullable=True),
        sa.Column("undo_entry_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "recon_id", name=op.f("pk_bank_reconciliation")),
        sa.ForeignKeyConstraint(
            ["org_id", "line_id"],
            ["bank_line.org_id", "bank_line.line_id"],
            name=op.f("fk_bank_reconciliation_org_id_line_id_bank_line"),
        ),
        sa.UniqueConstraint(
            "org_id",
            "line_id",
            "attempt",
            name=op.f("uq_bank_reconciliation_org_id_line_id_attempt"),
        ),
    )
    op.create_table(
        "bank_match",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("recon_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "recon_id", "entry_id", "line_no", name=op.f("pk_bank_match")
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "recon_id"],
            ["bank_reconciliation.org_id", "bank_reconciliation.recon_id"],
            name=op.f("fk_bank_match_org_id_recon_id_bank_reconciliation"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "entry_id", "line_no"],
            ["journal_line.org_id", "journal_line.entry_id", "journal_line.line_no"],
            name=op.f("fk_bank_match_org_id_entry_id_line_no_journal_line"),
        ),
    )
    op.create_index(
        op.f("ix_bank_match_org_id_entry_id_line_no"),
        "bank_match",
        ["org_id", "entry_id", "line_no"],
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {ROLE}")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
                f"USING (org_id = {ORG_OF_TRANSACTION}) "
                f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
            )


def downgrade() -> None:
    # Dropping a table drops its policies with it.
    op.drop_index(op.f("ix_bank_match_org_id_entry_id_line_no"), table_name="bank_match")
    op.drop_table("bank_match")
    op.drop_table("bank_reconciliation")
    op.drop_index(op.f("ix_bank_line_org_id_account_id_txn_date"), table_name="bank_line")
    op.drop_table("bank_line")
    op.drop_table("bank_statement")
    op.drop_table("bank_mapping")
    op.drop_table("bank_account")
