"""Catalog import jobs: progress and outcome of each uploaded file.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

On PostgreSQL the table gets the tenant policy of 0005: members read their
org's jobs through row-level security; the import thread, which writes
them, acts for no org (see ``hub/catalog/import_jobs.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalog_import",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("rows_total", sa.BigInteger(), nullable=False),
        sa.Column("rows_checked", sa.BigInteger(), nullable=False),
        sa.Column("rows_written", sa.BigInteger(), nullable=False),
        sa.Column("products_created", sa.BigInteger(), nullable=False),
        sa.Column("products_updated", sa.BigInteger(), nullable=False),
        sa.Column("problem_total", sa.BigInteger(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("finished_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "import_id", name=op.f("pk_catalog_import")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["org.org_id"], name=op.f("fk_catalog_import_org_id_org")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_import TO {ROLE}")
        op.execute("ALTER TABLE catalog_import ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON catalog_import FOR ALL TO {ROLE} "
            f"USING (org_id = {ORG_OF_TRANSACTION}) WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON catalog_import")
        op.execute(f"REVOKE ALL ON catalog_import FROM {ROLE}")
    op.drop_table("catalog_import")
