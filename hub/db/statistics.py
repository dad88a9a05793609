"""First statistics for a new hub's tables, so PostgreSQL plans keyed lookups by their key.

PostgreSQL caches a generic plan per connection for each foreign-key
check. Planned before a table has statistics (a fresh hub: autovacuum's
first ANALYZE comes after a minute or so), every index looks alike, and
the check on ``sale`` was seen using ``(org_id, store_id, business_date)``
with ``sale_id`` as a filter: it reads every sale of the org, 0.4 ms per
sale line after 5,000 sales, and slower as sales pile up. An ANALYZE
invalidates those plans and the next ones use the primary key.

So an ingest worker analyses each of these tables once, as soon as it
holds rows and has never been analysed (``reltuples`` <= 0), and stops
looking once all have statistics. On an established hub that is one
catalog query at start. SQLite needs none of this.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

log = logging.getLogger("hub.db")

INGEST_TABLES = (
    "org",
    "store",
    "device",
    "sale",
    "sale_line",
    "sale_tender",
    "stock_move",
    "inbox",
    "device_cursor",
)


class FirstStatistics:
    def __init__(self, engine: Engine, tables: tuple[str, ...] = INGEST_TABLES) -> None:
        self.engine = engine
        self.pending = set(tables) if engine.dialect.name == "postgresql" else set()

    @property
    def done(self) -> bool:
        return not self.pending

    def check(self) -> list[str]:
        """Analyse the tables that now hold rows but have no statistics; return them."""
        if not self.pending:
            return []
        analysed = []
        with self.engine.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.relname, c.reltuples FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relname = ANY(:names)"
                ),
                {"names": sorted(self.pending)},
            )
            for name, reltuples in rows.all():
                if reltuples > 0:
                    self.pending.discard(name)
                    continue
                # The names come from INGEST_TABLES, never from input.
                if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {name})")).scalar():  # noqa: S608
                    conn.execute(text(f"ANALYZE {name}"))
                    analysed.append(name)
        if analysed:
            log.info("first statistics gathered", extra={"tables": analysed})
        return analysed
