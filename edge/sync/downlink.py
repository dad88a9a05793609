"""What the catalog and staff downlinks share: apply the newest version offered.

The network thread offers versioned documents (a catalog manifest, a staff
roster) as they arrive; a small thread of the downlink's own applies the
newest one in its own transaction, retrying with back-off on the errors the
subclass names, so the network thread never waits on SQLite's write lock or
on a blob download. An older or equal version offered later is dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from edge.services.identity import BoxIdentity
from edge.store.db import BoxDatabase
from edge.sync.backoff import Backoff


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


D = TypeVar("D", bound=Versioned)


class Downlink(Generic[D]):
    name = "downlink"
    retry_on: tuple[type[BaseException], ...] = ()
    """Errors worth another try (busy database, a blob fetch that failed)."""
    backoff_base_s = 1.0
    backoff_cap_s = 60.0
    log = logging.getLogger("edge.sync")

    def __init__(self, on_applied: Callable[[int], None] | None = None) -> None:
        self.on_applied = on_applied
        self._pending: D | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def accepts(self, document: D) -> bool:
        """False for a document meant for another org or store (logged, dropped)."""
        return True

    def offer(self, document: D) -> None:
        """Called from the network thread; keeps only the newest document offered."""
        if not self.accepts(document):
            return
        with self._lock:
            if self._pending is None or document.version > self._pending.version:
                self._pending = document
        self._wake.set()

    def apply(self, document: D) -> int | None:
        """Apply ``document`` in one transaction; the version applied, None if not newer."""
        raise NotImplementedError

    def _run(self) -> None:
        backoff = Backoff(base=self.backoff_base_s, cap=self.backoff_cap_s)
        while not self._stop.is_set():
            self._wake.wait(timeout=5)
            self._wake.clear()
            with self._lock:
                document = self._pending
            if document is None:
                continue
            try:
                applied = self.apply(document)
            except self.retry_on as err:
                delay = backoff.next()
                self.log.warning(
                    f"{self.name}: not applied; retrying",
                    extra={"error": str(err), "retry_in_s": round(delay, 1)},
                )
                self._stop.wait(delay)
                self._wake.set()
                continue
            backoff.reset()
            with self._lock:
                if self._pending is document:
                    self._pending = None
            if applied is None:
                self.log.info(
                    f"{self.name}: not newer; ignored", extra={"version": document.version}
                )
            elif self.on_applied is not None:
                self.on_applied(applied)


class StoreDocument(Versioned, Protocol):
    @property
    def org_id(self) -> str: ...
    @property
    def store_id(self) -> object: ...


S = TypeVar("S", bound=StoreDocument)


class StoreDownlink(Downlink[S]):
    """A downlink of one store's documents (staff roster, stock snapshot), applied to the
    box's database; another store's document is logged and dropped."""

    what = "document"
    retry_on: tuple[type[BaseException], ...] = (SQLAlchemyError,)
    backoff_base_s = 0.5
    backoff_cap_s = 30.0

    def __init__(
        self,
        db: BoxDatabase,
        identity: BoxIdentity,
        now: Callable[[], datetime],
        on_applied: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(on_applied)
        self.db = db
        self.identity = identity
        self.now = now

    def accepts(self, document: S) -> bool:
        if (
            document.org_id != self.identity.org_id
            or str(document.store_id) != self.identity.store_id
        ):
            self.log.warning(
                f"{self.what} of another store ignored",
                extra={"org_id": document.org_id, "store_id": str(document.store_id)},
            )
            return False
        return True
