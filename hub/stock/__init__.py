"""Stock at the hub: the ledger of moves and counts (``ledger``), the services and API
on top of it (``services``), reservations and exceptions, valuation.

Invariant: stock is an append-only ledger of moves; on-hand is a sum (the latest
count plus the moves after it), cached in ``stock_level`` in the same
transaction as the moves. Nothing here uses last-writer-wins.
"""
