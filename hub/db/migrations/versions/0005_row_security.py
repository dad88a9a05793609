"""Row-level security: a tenant role that sees one org's rows (PostgreSQL only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Hand-written. The role ``setledger_tenant`` (NOLOGIN) gets a
``tenant_isolation`` policy on every org table: a row is visible and
writable only when its ``org_id`` is the transaction's ``setledger.org_id``
setting. ``hub.db.tenancy`` switches a session acting for one org to that
role; the connecting role owns the tables and is not subject to the
policies, so unmarked work (ingest, publishers, sign-in, sign-up) is
unchanged. The append-only tables get SELECT and INSERT only, matching
their triggers. SQLite has no row-level security: a no-op there.

Roles belong to the cluster, not the database, so the role is made only if
missing and is left in place by the downgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
SETTING = "setledger.org_id"

# Append-only (0001, 0003, 0004): their triggers refuse UPDATE and DELETE anyway.
APPEND_ONLY = (
    "sale",
    "sale_line",
    "sale_tender",
    "stock_move",
    "inbox",
    "product_price",
    "audit_log",
    "approval",
)
READ_WRITE = (
    "org",
    "store",
    "device",
    "product",
    "product_barcode",
    "device_cursor",
    "quarantine",
    "catalog_blob",
    "catalog_publication",
    "user",
    "backup_code",
    "session",
    "invite",
    "recovery",
    "login_lockout",
    "staff_publication",
)
ORG_TABLES = READ_WRITE + APPEND_ONLY

# nullif: a transaction that never set the org reads '' (not an error) and sees nothing.
ORG_OF_TRANSACTION = f"nullif(current_setting('{SETTING}', true), '')::uuid"


def _quoted(table: str) -> str:
    return f'"{table}"'  # "user" is a reserved word


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Two databases of one cluster migrating at once can both find the role
    # missing; the loser's CREATE fails and is ignored.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} NOLOGIN NOBYPASSRLS;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END
        $$
        """
    )
    # SET ROLE needs membership (a superuser has it anyway). A role without
    # CREATEROLE cannot grant it to itself: an operator does, beforehand.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
                GRANT {ROLE} TO current_user;
            END IF;
        END
        $$
        """
    )
    for table in ORG_TABLES:
        privileges = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
        op.execute(f"GRANT {privileges} ON {_quoted(table)} TO {ROLE}")
        op.execute(f"ALTER TABLE {_quoted(table)} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {_quoted(table)} FOR ALL TO {ROLE} "
            f"USING (org_id = {ORG_OF_TRANSACTION}) "
            f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ORG_TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {_quoted(table)}")
        op.execute(f"ALTER TABLE {_quoted(table)} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {_quoted(table)} FROM {ROLE}")
