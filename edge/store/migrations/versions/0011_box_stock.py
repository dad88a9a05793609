"""The store's stock at the box: the hub's snapshot, batches on moves and cart lines.

``stock_snapshot`` (one row): the version of the hub's stock snapshot the
items come from. ``stock_snapshot_item``: on hand per product and batch as
the hub knew it (replaced whole by a newer snapshot).
``stock_snapshot_include``: for this box, the last seq per (epoch, stream)
the snapshot already counts; the box adds only its own moves after those.

``stock_move`` gains ``batch_no`` and ``expiry`` (the lot taken or put
back) and the outbox position of the document that made the move
(``epoch``, ``stream``, ``seq``): the outbox is pruned after the hub's ack,
so the position is kept on the move. Moves recorded before this revision
whose outbox row is still there get its position (the append-only guard is
lifted for that one statement); the rest had reached the hub already and
count as included in any snapshot (``seq`` null).

``cart_line`` gains the lot chosen for the line (FEFO or the cashier's).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _guard(action: str) -> str:
    return (
        f"CREATE TRIGGER stock_move_no_{action.lower()} BEFORE {action} ON stock_move "
        "BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END"
    )


def upgrade() -> None:
    op.create_table(
        "stock_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="stock_snapshot_singleton"),
    )
    op.create_table(
        "stock_snapshot_item",
        sa.Column("item_no", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.String(36), nullable=False),
        sa.Column("batch_no", sa.Text()),
        sa.Column("expiry", sa.String(10)),
        sa.Column("qty", sa.BigInteger(), nullable=False),
    )
    op.create_index("stock_snapshot_item_product", "stock_snapshot_item", ["product_id"])
    op.create_table(
        "stock_snapshot_include",
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "stream"),
    )
    for name, kind in (
        ("batch_no", sa.Text()),
        ("expiry", sa.String(10)),
        ("epoch", sa.String(32)),
        ("stream", sa.String(32)),
        ("seq", sa.BigInteger()),
    ):
        op.add_column("stock_move", sa.Column(name, kind))
    op.create_index("stock_move_position", "stock_move", ["product_id", "epoch", "stream", "seq"])
    op.add_column("cart_line", sa.Column("batch_no", sa.Text()))
    op.add_column("cart_line", sa.Column("expiry", sa.String(10)))
    op.execute("DROP TRIGGER stock_move_no_update")
    op.execute(
        "UPDATE stock_move SET epoch = o.epoch, stream = o.stream, seq = o.seq FROM outbox o "
        "WHERE (o.stream = 'sales' AND o.key = stock_move.sale_id) "
        "OR (o.stream = 'returns' AND o.key = stock_move.return_id)"
    )
    op.execute(_guard("UPDATE"))


def downgrade() -> None:
    op.drop_column("cart_line", "expiry")
    op.drop_column("cart_line", "batch_no")
    op.drop_index("stock_move_position", "stock_move")
    op.execute("DROP TRIGGER stock_move_no_update")
    op.execute("DROP TRIGGER stock_move_no_delete")
    with op.batch_alter_table("stock_move") as batch:
        for name in ("seq", "stream", "epoch", "expiry", "batch_no"):
            batch.drop_column(name)
    op.execute(_guard("UPDATE"))
    op.execute(_guard("DELETE"))
    op.drop_table("stock_snapshot_include")
    op.drop_index("stock_snapshot_item_product", "stock_snapshot_item")
    op.drop_table("stock_snapshot_item")
    op.drop_table("stock_snapshot")
