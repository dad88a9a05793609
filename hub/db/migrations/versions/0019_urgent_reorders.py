"""Urgent reorders raised at the boxes, and what the hub did with them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24

The chain is 0017 -> 0018 (purchase orders) -> 0019; the tables do not
depend on each other.

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.urgent_reorders``. Both tables append-only like the shift closes
of 0014 (a trigger calling ``setledger_refuse_rewrite()`` of 0001 on
PostgreSQL, RAISE(ABORT) on SQLite); on PostgreSQL the tenant policy of
0005, SELECT and INSERT only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
REORDER = "urgent_reorder"
EVENT = "urgent_reorder_event"


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, cols: list[str], parent: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{parent}"
    referred = [f"{parent}.{c}" for c in cols]
    return sa.ForeignKeyConstraint(cols, referred, name=op.f(name))


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
        REORDER,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("reorder_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("on_hand_seen", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("raised_by", sa.Uuid(), nullable=True),
        sa.Column("raised_by_code", sa.String(200), nullable=True),
        sa.Column("raised_at", _ts(), nullable=False),
        sa.Column("hlc", sa.String(100), nullable=False),
        sa.Column("wall_time", _ts(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "reorder_id", name=op.f(f"pk_{REORDER}")),
        _fk(REORDER, ["org_id", "store_id"], "store"),
        _fk(REORDER, ["org_id", "device_id"], "device"),
        _fk(REORDER, ["org_id", "product_id"], "product"),
    )
    op.create_index(
        op.f(f"ix_{REORDER}_org_id_store_id_raised_at"),
        REORDER,
        ["org_id", "store_id", "raised_at"],
    )
    op.create_table(
        EVENT,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("reorder_id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("po_reference", sa.String(64), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "event_id", name=op.f(f"pk_{EVENT}")),
        _fk(EVENT, ["org_id", "reorder_id"], REORDER),
        sa.UniqueConstraint(
            "org_id", "reorder_id", "serial", name=op.f(f"uq_{EVENT}_org_id_reorder_id_serial")
        ),
    )
    _append_only(REORDER)
    _append_only(EVENT)


def downgrade() -> None:
    # Dropping a table drops its triggers and policy with it.
    op.drop_table(EVENT)
    op.drop_index(op.f(f"ix_{REORDER}_org_id_store_id_raised_at"), table_name=REORDER)
    op.drop_table(REORDER)
