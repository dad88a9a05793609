"""The books on the hub: double entry, India GST first.

- :mod:`hub.ledger.journal` posts balanced drafts (from the pure rules of
  :mod:`setledger.postings`) as journal entries: one writer per org at a
  time, accounts of :mod:`setledger.chart` made on first use, idempotent per
  business document, refused in a locked period.
- :mod:`hub.ledger.chain` hashes each entry with its lines and the hash of
  the entry before it; ``verify_chain`` finds an edited, deleted or
  inserted entry.
- :mod:`hub.ledger.pending` posts documents not yet in the journal, batch
  by batch; :mod:`hub.ledger.sales` and :mod:`hub.ledger.returns` say how a
  sale or a return becomes an entry (``post_every_org`` runs both).
- :mod:`hub.ledger.close` closes a financial year: profit to retained
  earnings per store, and the year locked.
- :mod:`hub.ledger.reports` (trial balance, general ledger) and
  :mod:`hub.ledger.export` (hledger journal text).
- :mod:`hub.ledger.statements` (P&L, balance sheet, day book, GST
  liability; per store or for the org) and :mod:`hub.ledger.statement_csv`.

Invariants: every entry balances to the paisa; the journal is append-only
(database triggers) and corrected only by reversing entries; the trial
balance of any org sums to zero.
"""
