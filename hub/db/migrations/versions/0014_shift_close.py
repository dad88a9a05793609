"""Shift closes (Z reports) from the boxes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; model in
``hub.db.shifts``. Append-only like the sales (a trigger calling
``setledger_refuse_rewrite()`` of 0001 on PostgreSQL, RAISE(ABORT) on
SQLite). On PostgreSQL it gets the tenant policy of 0005 and is granted
SELECT and INSERT only, as the credit notes of 0012.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
TABLE = "shift_close"
COUNT_AMOUNTS = ("counted_total", "expected_cash", "over_short")
REPORT = ("gross", "discounts", "round_off", "net", "taxable", "tax", "change_given")
TAKEN = ("cash_taken", "upi_taken", "card_taken")
REFUNDS = ("cash_refunded", "upi_refunded", "card_refunded")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _fk(cols: list[str], parent: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{TABLE}_{'_'.join(cols)}_{parent}"
    return sa.ForeignKeyConstraint(cols, [f"{parent}.{c}" for c in cols], name=op.f(name))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("z_no", sa.String(10), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("opened_at", _ts(), nullable=True),
        sa.Column("opened_by", sa.String(200), nullable=True),
        sa.Column("closed_at", _ts(), nullable=False),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("float_count", sa.Text(), nullable=False),
        _money("float_total"),
        sa.Column("counted", sa.Text(), nullable=False),
        *(_money(name) for name in COUNT_AMOUNTS),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("sales_count", sa.BigInteger(), nullable=False),
        *(_money(name) for name in (*REPORT, *TAKEN)),
        sa.Column("returns_count", sa.BigInteger(), nullable=False),
        *(_money(name) for name in REFUNDS),
        sa.Column("hlc", sa.String(100), nullable=False),
        sa.Column("wall_time", _ts(), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "shift_id", name=op.f(f"pk_{TABLE}")),
        _fk(["org_id", "store_id"], "store"),
        _fk(["org_id", "device_id"], "device"),
        sa.UniqueConstraint(
            "org_id", "device_id", "z_no", name=op.f(f"uq_{TABLE}_org_id_device_id_z_no")
        ),
    )
    op.create_index(
        op.f(f"ix_{TABLE}_org_id_store_id_business_date"),
        TABLE,
        ["org_id", "store_id", "business_date"],
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
    op.drop_index(op.f(f"ix_{TABLE}_org_id_store_id_business_date"), table_name=TABLE)
    op.drop_table(TABLE)
