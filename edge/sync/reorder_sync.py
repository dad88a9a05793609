"""Reorder status downlink: what head office did with the store's urgent reorders.

The hub's ``reorder.status`` travels in the retained MQTT message, like the
stock snapshot: the newest document offered is applied in one transaction
on a small thread of its own (retried with back-off if the database is
busy), replacing what the box had heard of the requests it names. Another
store's document is dropped by :class:`StoreDownlink`.
"""

from __future__ import annotations

import logging

from edge.services import reorder
from edge.sync.downlink import StoreDownlink
from setledger.contracts import ReorderStatus


class ReorderStatusSync(StoreDownlink[ReorderStatus]):
    name = "reorder-status-sync"
    what = "reorder status"
    log = logging.getLogger("edge.sync.reorders")

    def apply(self, document: ReorderStatus) -> int | None:
        """Apply ``document`` if newer than the last one applied; its version when applied."""
        with self.db.writer.begin() as conn:
            applied = reorder.apply_status(conn, self.identity, document, self.now())
        return document.version if applied else None
