"""The stock ledger: locations, bins, lots, transfers, counts, levels; moves get a location.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``; models in
``hub.db.stock`` and ``hub.db.sales.StockMove``.

- Every existing store gets its own location, ``location_id = store_id``
  (new stores get it from ``hub.registry.stores``).
- ``stock_move`` gains location, bin, lot, transfer and unit cost (all
  nullable) and its ``store_id`` becomes nullable (hub moves at a warehouse
  or in transit have no store). Existing moves get ``location_id =
  store_id``: the append-only trigger is lifted for that one UPDATE only.
  SQLite needs a table copy to add foreign keys; the copy loses the
  triggers, which are made again.
- ``stock_level`` is filled from the moves (no counts and no lots exist yet).
- ``stock_transfer`` and ``stock_count`` are append-only like the moves.
  On PostgreSQL every new table gets the tenant policy of 0005; the
  append-only ones are granted SELECT and INSERT only, as in 0012/0014.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from setledger.stock import NO_LOT

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "setledger_tenant"
ORG_OF_TRANSACTION = "nullif(current_setting('setledger.org_id', true), '')::uuid"
APPEND_ONLY = ("stock_transfer", "stock_count")
READ_WRITE = ("stock_location", "stock_bin", "stock_lot", "stock_level")
MOVE = "stock_move"
NEW_MOVE_COLUMNS = ("location_id", "bin_id", "lot_id", "transfer_id")
MOVE_REFERS = {
    "location_id": "stock_location",
    "bin_id": "stock_bin",
    "lot_id": "stock_lot",
    "transfer_id": "stock_transfer",
}


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(
    table: str, cols: list[str], parent: str, parent_cols: list[str]
) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{parent}"
    return sa.ForeignKeyConstraint(cols, [f"{parent}.{c}" for c in parent_cols], name=op.f(name))


def _location_fk(table: str, column: str = "location_id") -> sa.ForeignKeyConstraint:
    return _fk(table, ["org_id", column], "stock_location", ["org_id", "location_id"])


def _create_tables() -> None:
    op.create_table(
        "stock_location",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "location_id", name=op.f("pk_stock_location")),
        _fk("stock_location", ["org_id", "store_id"], "store", ["org_id", "store_id"]),
        sa.UniqueConstraint("org_id", "code", name=op.f("uq_stock_location_org_id_code")),
    )
    op.create_table(
        "stock_bin",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("bin_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "bin_id", name=op.f("pk_stock_bin")),
        _location_fk("stock_bin"),
        sa.UniqueConstraint(
            "org_id", "location_id", "code", name=op.f("uq_stock_bin_org_id_location_id_code")
        ),
    )
    op.create_table(
        "stock_lot",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("batch_no", sa.String(64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("serial", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "lot_id", name=op.f("pk_stock_lot")),
        sa.UniqueConstraint(
            "org_id", "product_id", "batch_no", name=op.f("uq_stock_lot_org_id_product_id_batch_no")
        ),
    )
    op.create_table(
        "stock_transfer",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("from_location_id", sa.Uuid(), nullable=False),
        sa.Column("to_location_id", sa.Uuid(), nullable=False),
        sa.Column("shipped_at", _time(), nullable=False),
        sa.Column("shipped_by", sa.String(200), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "transfer_id", name=op.f("pk_stock_transfer")),
        _location_fk("stock_transfer", "from_location_id"),
        _location_fk("stock_transfer", "to_location_id"),
    )
    op.create_table(
        "stock_count",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("count_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("counted_qty", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", _time(), nullable=False),
        sa.Column("counted_by", sa.String(200), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("recorded_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "count_id", name=op.f("pk_stock_count")),
        _location_fk("stock_count"),
        _fk("stock_count", ["org_id", "lot_id"], "stock_lot", ["org_id", "lot_id"]),
    )
    op.create_index(
        op.f("ix_stock_count_org_id_location_id_product_id"),
        "stock_count",
        ["org_id", "location_id", "product_id"],
    )
    op.create_table(
        "stock_level",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("lot_key", sa.Uuid(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("count_id", sa.Uuid(), nullable=True),
        sa.Column("count_at", _time(), nullable=True),
        sa.Column("count_qty", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "org_id", "location_id", "product_id", "lot_key", name=op.f("pk_stock_level")
        ),
        _location_fk("stock_level"),
    )
    op.create_index(
        op.f("ix_stock_level_org_id_product_id"), "stock_level", ["org_id", "product_id"]
    )


def _move_columns() -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column(name, sa.Uuid(), nullable=True) for name in NEW_MOVE_COLUMNS
    ]
    return [*columns, sa.Column("unit_cost", sa.BigInteger(), nullable=True)]


def _move_fks() -> list[tuple[str, list[str], str, list[str]]]:
    return [
        (
            f"fk_{MOVE}_org_id_{column}_{parent}",
            ["org_id", column],
            parent,
            ["org_id", column],
        )
        for column, parent in MOVE_REFERS.items()
    ]


MOVE_INDEXES = (
    (
        "ix_stock_move_org_id_location_id_product_id_moved_at",
        ["org_id", "location_id", "product_id", "moved_at"],
    ),
    ("ix_stock_move_org_id_transfer_id", ["org_id", "transfer_id"]),
)


def _extend_moves_postgresql() -> None:
    for column in _move_columns():
        op.add_column(MOVE, column)
    op.alter_column(MOVE, "store_id", existing_type=sa.Uuid(), nullable=True)
    for name, cols, parent, parent_cols in _move_fks():
        op.create_foreign_key(op.f(name), MOVE, parent, cols, parent_cols)
    op.execute(f"ALTER TABLE {MOVE} DISABLE TRIGGER {MOVE}_append_only")
    op.execute(f"UPDATE {MOVE} SET location_id = store_id")  # noqa: S608 - constant names
    op.execute(f"ALTER TABLE {MOVE} ENABLE TRIGGER {MOVE}_append_only")


def _extend_moves_sqlite() -> None:
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {MOVE}_no_{action}")
    with op.batch_alter_table(MOVE, recreate="always") as batch:
        for column in _move_columns():
            batch.add_column(column)
        batch.alter_column("store_id", existing_type=sa.Uuid(), nullable=True)
        for name, cols, parent, parent_cols in _move_fks():
            batch.create_foreign_key(op.f(name), parent, cols, parent_cols)
    op.execute(f"UPDATE {MOVE} SET location_id = store_id")  # noqa: S608 - constant names
    _sqlite_append_only(MOVE)


def _sqlite_append_only(table: str) -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        )


def _backfill() -> None:
    op.execute(
        "INSERT INTO stock_location (org_id, location_id, kind, store_id, code, name, created_at) "
        "SELECT org_id, store_id, 'store', store_id, code, name, created_at FROM store"
    )


def _fill_levels() -> None:
    op.get_bind().execute(
        sa.text(
            "INSERT INTO stock_level (org_id, location_id, product_id, lot_key, qty) "
            "SELECT org_id, location_id, product_id, :no_lot, SUM(qty) FROM stock_move "
            "GROUP BY org_id, location_id, product_id"
        ).bindparams(sa.bindparam("no_lot", NO_LOT, type_=sa.Uuid()))
    )


def _postgresql_guards() -> None:
    for table in (*READ_WRITE, *APPEND_ONLY):
        if table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(f"GRANT SELECT, INSERT ON {table} TO {ROLE}")
        else:
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL TO {ROLE} "
            f"USING (org_id = {ORG_OF_TRANSACTION}) "
            f"WITH CHECK (org_id = {ORG_OF_TRANSACTION})"
        )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _create_tables()
    _backfill()
    if postgresql:
        _extend_moves_postgresql()
    else:
        _extend_moves_sqlite()
    for name, cols in MOVE_INDEXES:
        op.create_index(op.f(name), MOVE, cols)
    _fill_levels()
    if postgresql:
        _postgresql_guards()
    else:
        for table in APPEND_ONLY:
            _sqlite_append_only(table)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, _cols in MOVE_INDEXES:
        op.drop_index(op.f(name), table_name=MOVE)
    if postgresql:
        for name, _cols, _parent, _pcols in _move_fks():
            op.drop_constraint(op.f(name), MOVE, type_="foreignkey")
        for column in _move_columns():
            op.drop_column(MOVE, column.name)
        # Moves made at a warehouse or in transit have no store: they cannot stay.
        op.execute(f"ALTER TABLE {MOVE} DISABLE TRIGGER {MOVE}_append_only")
        op.execute(f"DELETE FROM {MOVE} WHERE store_id IS NULL")  # noqa: S608
        op.execute(f"ALTER TABLE {MOVE} ENABLE TRIGGER {MOVE}_append_only")
        op.alter_column(MOVE, "store_id", existing_type=sa.Uuid(), nullable=False)
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {MOVE}_no_{action}")
        op.execute(f"DELETE FROM {MOVE} WHERE store_id IS NULL")  # noqa: S608
        with op.batch_alter_table(MOVE, recreate="always") as batch:
            for name, _cols, _parent, _pcols in _move_fks():
                batch.drop_constraint(op.f(name), type_="foreignkey")
            for column in _move_columns():
                batch.drop_column(column.name)
            batch.alter_column("store_id", existing_type=sa.Uuid(), nullable=False)
        _sqlite_append_only(MOVE)
    op.drop_index(op.f("ix_stock_level_org_id_product_id"), table_name="stock_level")
    op.drop_table("stock_level")
    op.drop_index(op.f("ix_stock_count_org_id_location_id_product_id"), table_name="stock_count")
    # Dropping a table drops its triggers and policy with it.
    for table in ("stock_count", "stock_transfer", "stock_lot", "stock_bin", "stock_location"):
        op.drop_table(table)
