"""Which tables are append-only, enforced by the database itself.

History is never rewritten: sales, their lines and tenders, stock moves,
the ingest inbox and price points only ever get new rows. Application
code never updates them, and triggers (created by migration 0001) make
the database refuse an UPDATE or DELETE from anyone, including a person
with a SQL prompt. On PostgreSQL TRUNCATE is refused too.
"""

from __future__ import annotations

APPEND_ONLY_TABLES: tuple[str, ...] = (
    "sale",
    "sale_line",
    "sale_tender",
    "stock_move",
    "inbox",
    "product_price",
)
"""The tables of 0001. ``audit_log`` (0003) and ``approval`` (0004) are
append-only the same way; their own tests check them."""

REFUSAL_MESSAGE = "is append-only"
"""Part of the error text both databases raise, so tests and logs can spot it."""
