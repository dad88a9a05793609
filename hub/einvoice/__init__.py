"""The e-invoice submission queue: INV-01 documents of B2B sales, sent to the IRP.

- :mod:`hub.einvoice.documents` builds the documents of the hub's sales and
  validates them with the product's validator; :mod:`hub.einvoice.queue`
  queues them (refusing the lot if one is bad, naming invoice and field),
  once per org + IRN;
- :mod:`hub.einvoice.worker` sends due documents through a
  :class:`~hub.einvoice.connector.Connector` and records each outcome with
  an append-only attempt log; :mod:`hub.einvoice.sandbox` plays the IRP.

Invariants: a document is validated before it is queued or exported; one
document never gets two IRNs (a lost answer comes back as "duplicate IRN"
with the first IRN, which is recorded); the offline export needs no
connector and no queue.
"""
