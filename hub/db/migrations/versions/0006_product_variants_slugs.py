"""Products: variants, batch tracking, shelf life, and a public slug.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

``slug`` names a product in its public page's URL
(``/p/<org slug>/<product slug>``), unique in the org. Existing products
get one from their name (and SKU when two names clash); the service makes
them for new products the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slugify(text: str) -> str:
    # Frozen here on purpose: a migration must not change when app code does.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(sa.Column("variant_group", sa.String(64), nullable=True))
        batch.add_column(sa.Column("variant", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("batch_tracked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("shelf_life_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("slug", sa.String(120), nullable=True))
    product = sa.table(
        "product",
        sa.column("org_id", sa.Uuid()),
        sa.column("product_id", sa.Uuid()),
        sa.column("sku", sa.String()),
        sa.column("name", sa.String()),
        sa.column("slug", sa.String()),
    )
    bind = op.get_bind()
    taken: set[tuple[object, str]] = set()
    rows = bind.execute(
        sa.select(product.c.org_id, product.c.product_id, product.c.sku, product.c.name).order_by(
            product.c.org_id, product.c.sku
        )
    ).all()
    for org_id, product_id, sku, name in rows:
        base = _slugify(name) or "product"
        for candidate in (base, f"{base}-{_slugify(sku)}", f"{base}-{product_id.hex[:8]}"):
            if (org_id, candidate) not in taken:
                break
        taken.add((org_id, candidate))
        bind.execute(
            product.update()
            .where(product.c.org_id == org_id, product.c.product_id == product_id)
            .values(slug=candidate)
        )
    with op.batch_alter_table("product") as batch:
        batch.alter_column("slug", existing_type=sa.String(120), nullable=False)
        batch.create_unique_constraint("uq_product_org_id_slug", ["org_id", "slug"])
        batch.create_index("ix_product_org_id_variant_group", ["org_id", "variant_group"])


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_index("ix_product_org_id_variant_group")
        batch.drop_constraint("uq_product_org_id_slug", type_="unique")
        for column in ("slug", "shelf_life_days", "batch_tracked", "variant", "variant_group"):
            batch.drop_column(column)
