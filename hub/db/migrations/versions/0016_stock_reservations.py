"""Stock reservations, stock exceptions and their resolutions.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.reservations``. All three tables are append-only (a reservation's
status and an exception's are new rows, never an UPDATE): a trigger calling
``setledger_refuse_rewrite()`` of 0001 on PostgreSQL, RAISE(ABORT) on
SQLite. On PostgreSQL each gets the tenant policy of 0005 and is granted
SELECT and INSERT only, as the shift closes of 0014.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
EVENTS = "stock_reservation_event"
EXCEPTIONS = "stock_exception"
RESOLUTIONS = "stock_exception_resolution"
TABLES = (EVENTS, EXCEPTIONS, RESOLUTIONS)


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _qty(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _fk(
    table: str, cols: list[str], parent: str, parent_cols: list[str]
) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{parent}"
    return sa.ForeignKeyConstraint(cols, [f"{parent}.{c}" for c in parent_cols], name=op.f(name))


def _where(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        _fk(table, ["org_id", "location_id"], "stock_location", ["org_id", "location_id"]),
        _fk(table, ["org_id", "product_id"], "product", ["org_id", "product_id"]),
    ]


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
        EVENTS,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        _qty("qty"),
        sa.Column("source", sa.String(16), nullable=True),
        sa.Column("reference", sa.String(64), nullable=True),
        _ts("at"),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "event_id", name=op.f(f"pk_{EVENTS}")),
        *_where(EVENTS),
    )
    op.create_index(
        op.f(f"ix_{EVENTS}_org_id_reservation_id"), EVENTS, ["org_id", "reservation_id"]
    )
    op.create_index(
        op.f(f"ix_{EVENTS}_org_id_product_id_location_id"),
        EVENTS,
        ["org_id", "product_id", "location_id"],
    )
    op.create_table(
        EXCEPTIONS,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("exception_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        _ts("detected_at"),
        _qty("on_hand"),
        _qty("reserved"),
        _qty("shortfall"),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "exception_id", name=op.f(f"pk_{EXCEPTIONS}")),
        *_where(EXCEPTIONS),
        sa.UniqueConstraint(
            "org_id",
            "location_id",
            "product_id",
            "serial",
            name=op.f(f"uq_{EXCEPTIONS}_org_id_location_id_product_id_serial"),
        ),
    )
    op.create_index(
        op.f(f"ix_{EXCEPTIONS}_org_id_detected_at"), EXCEPTIONS, ["org_id", "detected_at"]
    )
    op.create_table(
        RESOLUTIONS,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("resolution_id", sa.Uuid(), nullable=False),
        sa.Column("exception_id", sa.Uuid(), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        _qty("qty"),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("transfer_id", sa.Uuid(), nullable=True),
        sa.Column("move_ids", sa.Text(), nullable=False),
        _qty("remaining"),
        sa.Column("closes", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(32), nullable=False),
        _ts("at"),
        sa.Column("note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "resolution_id", name=op.f(f"pk_{RESOLUTIONS}")),
        _fk(RESOLUTIONS, ["org_id", "exception_id"], EXCEPTIONS, ["org_id", "exception_id"]),
    )
    op.create_index(
        op.f(f"ix_{RESOLUTIONS}_org_id_exception_id"), RESOLUTIONS, ["org_id", "exception_id"]
    )
    for table in TABLES:
        _append_only(table)


def downgrade() -> None:
    # Dropping a table drops its indexes, triggers and policy with it.
    for table in reversed(TABLES):
        op.drop_table(table)
