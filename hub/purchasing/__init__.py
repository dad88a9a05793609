"""Purchasing at the hub: suppliers, purchase orders, supplier bills, reorder rules.

The rules are the kernel's (``setledger.purchasing``); this package reads and
writes the rows of migration 0018. Each public function is one unit of work:
it joins the caller's transaction when there is one, otherwise runs in its
own (``hub.accounts.unit.unit_of_work``), and never commits a caller's work.

- A purchase order's status is the fold of its events; every step is a new
  ``purchase_order_event`` row and an audit record (``purchasing.*``).
- Receiving goes through the stock ledger's own receipt service
  (``hub.stock.services.receive_stock``) at the PO's unit cost, keyed by the
  client's receipt id: a retried receipt records once.
- A supplier bill posts its journal entry in the same transaction
  (``hub.ledger.journal.post``); the receipts' own entries (Dr 1400, Cr 2150)
  come from the stock valuation run like every receipt's.
"""
