"""Payments and the bank on the hub: statements in, reconciled against the books.

- :mod:`hub.bank.accounts`: the org's bank accounts and its saved statement
  column mappings (next to the built-in presets of :mod:`setledger.bank`).
- :mod:`hub.bank.statements`: a CSV statement imported all or nothing; the
  same file, or a line an overlapping statement already brought, is never
  stored twice.
- :mod:`hub.bank.matching`: the open journal lines a statement line may
  clear, and the ranked suggestions of :func:`setledger.bank.suggest`.
- :mod:`hub.bank.reconcile`: accept a suggestion or post a line directly
  (one journal entry, source ``bank_line``), and undo by a reversing entry.
- :mod:`hub.bank.payments`: a customer payment received, settling receivables.

Invariants: a statement line has at most one live reconciliation; its
journal entry is posted once (the journal's unique source); a journal line
is cleared by at most one live reconciliation (``bank_match``); the books
are only ever appended to.
"""
