"""The store box: sells, prints and keeps its books with no network.

Invariants (see README.md):
- a sale is one SQLite transaction: sale, lines, tenders, stock moves,
  invoice number and outbox row, all or nothing, with synchronous=FULL;
- the client chooses the sale id; the same id twice is the same sale;
- sales, lines, tenders and stock moves are append-only (triggers);
- business code never talks to the network: it writes the outbox, and
  the replicator (edge/sync) drains it.
"""
