"""The books: ledger accounts, journal entries and lines, period locks.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``. ``journal_entry``,
``journal_line`` and ``period_lock`` are append-only like the sales tables
(triggers calling ``setledger_refuse_rewrite()`` of 0001 on PostgreSQL,
RAISE(ABORT) on SQLite). On PostgreSQL every table gets the tenant policy
of 0005; the append-only ones are granted SELECT and INSERT only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
APPEND_ONLY = ("journal_entry", "journal_line", "period_lock")
READ_WRITE = ("ledger_account",)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["org_id"], ["org.org_id"], name=op.f(f"fk_{table}_org_id_org"))


def upgrade() -> None:
    op.create_table(
        "ledger_account",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "code", name=op.f("pk_ledger_account")),
        _org_fk("ledger_account"),
    )
    op.create_table(
        "journal_entry",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("narration", sa.String(200), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("reverses", sa.Uuid(), nullable=True),
        sa.Column("posted_at", _ts(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "entry_id", name=op.f("pk_journal_entry")),
        _org_fk("journal_entry"),
        sa.UniqueConstraint("org_id", "seq", name=op.f("uq_journal_entry_org_id_seq")),
        sa.UniqueConstraint(
            "org_id",
            "source_type",
            "source_id",
            name=op.f("uq_journal_entry_org_id_source_type_source_id"),
        ),
    )
    op.create_index(
        op.f("ix_journal_entry_org_id_entry_date"), "journal_entry", ["org_id", "entry_date"]
    )
    op.create_table(
        "journal_line",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "entry_id", "line_no", name=op.f("pk_journal_line")),
        sa.ForeignKeyConstraint(
            ["org_id", "entry_id"],
            ["journal_entry.org_id", "journal_entry.entry_id"],
            name=op.f("fk_journal_line_org_id_entry_id_journal_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "account_code"],
            ["ledger_account.org_id", "ledger_account.code"],
            name=op.f("fk_journal_line_org_id_account_code_ledger_account"),
        ),
    )
    op.create_index(
        op.f("ix_journal_line_org_id_account_code_entry_date"),
        "journal_line",
        ["org_id", "account_code", "entry_date"],
    )
    op.create_table(
        "period_lock",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("lock_seq", sa.BigInteger(), nullable=False),
        sa.Column("locked_through", sa.Date(), nullable=False),
        sa.Column("locked_at", _ts(), nullable=False),
        sa.Column("locked_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "lock_seq", name=op.f("pk_period_lock")),
        _org_fk("period_lock"),
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
            privileges = (
                "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
            )
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
    op.drop_table("period_lock")
    op.drop_index(op.f("ix_journal_line_org_id_account_code_entry_date"), table_name="journal_line")
    op.drop_table("journal_line")
    op.drop_index(op.f("ix_journal_entry_org_id_entry_date"), table_name="journal_entry")
    op.drop_table("journal_entry")
    op.drop_table("ledger_account")
