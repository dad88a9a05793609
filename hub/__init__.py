"""The hub: the centre of an org's stores (see README.md in this folder).

Registry (orgs, stores, devices), catalog master (single writer of
products and effective-dated prices), ingest (applies the boxes' messages
exactly once) and sales reporting. One code path on PostgreSQL
(production) and SQLite (the embedded default). Nothing here is built at
import time: :func:`hub.app.create_app` is the composition root.
"""
