"""Hub books on PostgreSQL: posting sales into the journal, and a trial balance over a million lines.

1. A fresh database gets one org, a store, a box and SALES realistic sales
   (1-4 lines at two rates, cash/UPI/card), ingested in batches of 100 as
   a box catching up sends them. The clock then runs over
   ``post_all_pending_sales``: reading the sales, building each entry,
   chaining the hashes and writing entries and lines (binary COPY).
2. LINES more journal lines are added in bulk (``INSERT ... SELECT
   generate_series``: balanced pairs over a dozen accounts; the benchmark
   is the aggregate, not the writing) and the trial balance of the org is
   timed (best of 3, after one warm-up run).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.hub_ingest import pg_database
from bench.report import emit
from hub.app import create_app
from hub.ingest.apply import apply_batch
from hub.ledger import reports
from hub.ledger.sales import post_all_pending_sales
from hub.settings import HubSettings
from setledger.tenders import Tender, TenderKind
from tests.hub.harness import Hub, accounts_for_tests
from tests.hub.sales_factory import Item, Till

SALES = int(os.environ.get("SETLEDGER_BENCH_LEDGER_SALES", "10000"))
LINES = int(os.environ.get("SETLEDGER_BENCH_LEDGER_LINES", "1000000"))
INGEST_BATCH = 100


def _sell(hub: Hub, org: dict[str, object], count: int) -> None:
    store = hub.store(org)
    device = hub.device(org, store)
    products = [hub.product(org), hub.product(org, gst_rate_bp=1800, price=49_900)]
    till = Till(org, device)
    rng = random.Random(7)
    batch = []
    for n in range(count):
        items = [
            Item(rng.choice(products), qty=1000 * rng.randint(1, 3))
            for _ in range(rng.randint(1, 4))
        ]
        sale = till.sale(items)
        kind = rng.choice([None, TenderKind.UPI, TenderKind.CARD])
        paid = None if kind is None else [Tender(kind, sale.totals.payable, f"R{n}")]
        if paid is not None:
            sale = till.sale(items, tenders=paid)
        batch.append(till.seal(sale))
        if len(batch) == INGEST_BATCH or n == count - 1:
            apply_batch(hub.runtime.sessions, batch, datetime.now(UTC))
            batch = []


FILL = """
INSERT INTO journal_line (org_id, entry_id, line_no, account_code, amount, entry_date, store_id)
SELECT :org, gen_random_uuid(), side, CASE side WHEN 1 THEN codes[1 + n % 4] ELSE codes[5 + n % 8] END,
       CASE side WHEN 1 THEN 100 + n % 997 ELSE -(100 + n % 997) END,
       DATE '2026-04-01' + (n % 240), NULL
FROM generate_series(1, :pairs) AS n, generate_series(1, 2) AS side,
     (SELECT ARRAY['1150','1160','1200','1300','2210','2211','2213','2214','4100','4950','5000','5900']
      AS codes) AS c
"""


def main() -> None:
    with pg_database() as url:
        app = create_app(HubSettings(database_url=url, accounts=accounts_for_tests()))
        with TestClient(app) as client:
            hub = Hub(client, app.state.hub)
            org = hub.org()
            org_id = uuid.UUID(str(org["uuid"]))
            _sell(hub, org, SALES)
            with hub.runtime.sessions() as session:
                started = time.perf_counter()
                posted = post_all_pending_sales(session, org_id)
                seconds = time.perf_counter() - started
            assert posted == SALES, posted
            emit(
                "ledger_post_sales",
                posted / seconds,
                "entries/s",
                2000,
                sales=SALES,
                seconds=round(seconds, 3),
            )
            engine = hub.runtime.engine
            with engine.begin() as conn:
                # Synthetic history has no entries of its own: the line->entry key goes
                # (in this throwaway database only); the triggers stay, inserts pass them.
                conn.execute(
                    text(
                        "ALTER TABLE journal_line DROP CONSTRAINT fk_journal_line_org_id_entry_id_journal_entry"
                    )
                )
                conn.execute(text(FILL), {"org": org_id, "pairs": (LINES - SALES * 3) // 2})
                conn.execute(text("ANALYZE journal_line"))
                total_lines = conn.execute(
                    text("SELECT count(*) FROM journal_line WHERE org_id = :o"), {"o": org_id}
                ).scalar_one()
            with hub.runtime.sessions() as session:
                reports.trial_balance(session, org_id)
            timings = []
            for _ in range(3):
                with hub.runtime.sessions() as session:
                    started = time.perf_counter()
                    rows = reports.trial_balance(session, org_id)
                    timings.append(time.perf_counter() - started)
            assert sum(r.balance for r in rows) == 0
            emit(
                "ledger_trial_balance", min(timings), "s", 1, lines=total_lines, accounts=len(rows)
            )
