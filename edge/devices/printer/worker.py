"""The print-queue worker: a device (``start/stop/status``) for the device manager.

``start(report)`` probes the printer (DLE EOT status where the link
answers), reports it connected, then prints due jobs from the box's
``print_job`` queue until the printer fails: the failed job goes back to
the queue with its own back-off and ``start`` raises
:class:`~edge.devices.printer.transports.PrinterUnavailable` (an OSError),
so the device manager retries the printer with its back-off. While idle it
asks the printer's status again every ``status_poll_s``, so a printer that
went away, ran out of paper or had its cover opened shows at the counter
before the next receipt (a printer that stops answering makes ``start``
raise, as a failed job does). The blocking work (SQLite, sockets, USB) runs
in a thread; the event loop only waits.

:meth:`PrintWorker.status` carries a one-word ``status`` for the counter's
header: ``checking`` (not asked yet), ``ready``, ``paper_low``,
``paper_out``, ``cover_open``, ``offline`` (no answer, or the printer says
it is offline).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Protocol

from edge.devices.printer.config import PrinterConfig
from edge.devices.printer.transports import (
    PrinterState,
    PrinterUnavailable,
    Transport,
    not_ready,
)
from edge.services.receipts import PrintJob, ReceiptQueue
from setledger.errors import SetLedgerError
from setledger.hlc import unix_ms

log = logging.getLogger("edge.devices.printer")


class Report(Protocol):
    def connected(self, **detail: Any) -> None: ...
    def event(self, kind: str, data: dict[str, Any]) -> None: ...


class PrintWorker:
    """The printer as the device manager sees it (``edge.devices.manager.Device``)."""

    kind: str = "printer"
    name: str
    transport: str

    def __init__(
        self, config: PrinterConfig, queue: ReceiptQueue, transport: Transport | None = None
    ) -> None:
        self.name = config.name
        self.transport = config.transport
        self.config = config
        self.queue = queue
        self.link = transport or Transport(config)
        self.state = PrinterState()
        self.reachable = False
        self.checked = False
        """The printer was asked at least once (until then its status is ``checking``)."""
        self.printed = 0
        self.last_error: str | None = None
        self._wake: asyncio.Event | None = None

    def headline(self) -> str:
        """One word for the cashier: can the printer print now, and if not, why."""
        state = self.state
        if not self.checked:
            return "checking"
        if not self.reachable:
            return "offline"
        if state.cover == "open":
            return "cover_open"
        if state.paper == "out":
            return "paper_out"
        if state.online == "offline":
            return "offline"
        return "paper_low" if state.paper == "near_end" else "ready"

    def status(self) -> dict[str, Any]:
        return {
            "status": self.headline(),
            "reachable": self.reachable,
            "online": self.state.online,
            "paper": self.state.paper,
            "cover": self.state.cover,
            "printed": self.printed,
            "last_error": self.last_error,
            "paper_mm": self.config.paper_mm,
        }

    async def start(self, report: Report) -> None:
        loop = asyncio.get_running_loop()
        wake = self._wake = asyncio.Event()

        def nudge() -> None:  # called from request threads
            loop.call_soon_threadsafe(wake.set)

        self.queue.wake = nudge
        await asyncio.to_thread(self.queue.recover)
        await self._probe(fail_job=True)
        report.connected(online=self.state.online, paper=self.state.paper)
        await self._raise_unless_ready(fail_job=True)
        asked = time.monotonic()
        while True:
            job = await asyncio.to_thread(self.queue.claim_due)
            if job is None:
                await self._idle(asked + self.config.status_poll_s - time.monotonic())
                if time.monotonic() - asked >= self.config.status_poll_s:
                    await self._probe(fail_job=False)
                    await self._raise_unless_ready(fail_job=False)
                    asked = time.monotonic()
                continue
            await self._print(job, report)
            asked = time.monotonic()  # a job asks the status before it prints

    async def stop(self) -> None:
        self.queue.wake = None

    async def _probe(self, *, fail_job: bool) -> None:
        try:
            state = await asyncio.to_thread(self.link.probe)
        except PrinterUnavailable as err:
            self._lost(err)
            if fail_job:
                await asyncio.to_thread(self._fail_due_job, str(err))
            raise
        finally:
            self.checked = True
        self.state, self.reachable = state, True
        if state.ready:
            self.last_error = None

    async def _raise_unless_ready(self, *, fail_job: bool) -> None:
        """Connected but cannot print (paper out, cover open): the status shows why;
        the manager retries after its back-off."""
        if self.state.ready:
            return
        error = PrinterUnavailable(not_ready(self.state), self.state)
        self.last_error = str(error)
        if fail_job:
            await asyncio.to_thread(self._fail_due_job, str(error))
        raise error

    def _lost(self, err: PrinterUnavailable) -> None:
        """Keep what the printer said (paper out) when it answered; else its state is unknown."""
        self.last_error = str(err)
        self.reachable = err.state is not None
        self.state = err.state or PrinterState()

    def _fail_due_job(self, error: str) -> None:
        """Count the attempt on the job that could not print (its retry backs off)."""
        job = self.queue.claim_due()
        if job is not None:
            self.queue.failed(job, error)

    async def _idle(self, until_probe_s: float) -> None:
        wake = self._wake
        assert wake is not None
        due = await asyncio.to_thread(self.queue.next_due_ms)
        timeout = max(0.0, min(self.config.poll_s, until_probe_s))
        if due is not None:
            timeout = min(timeout, max(0.0, (due - unix_ms(self.queue.now())) / 1000))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout)
        wake.clear()

    async def _print(self, job: PrintJob, report: Report) -> None:
        try:
            payload = await asyncio.to_thread(self.queue.payload_of, job)
        except SetLedgerError as err:
            # The slip cannot be built (not a printer fault): fail the job, keep printing.
            await asyncio.to_thread(self.queue.failed, job, f"{err.code}: {err}", final=True)
            log.warning("print job unprintable", extra={"job_id": job.job_id, "code": err.code})
            return
        try:
            self.state = await asyncio.to_thread(self.link.print_bytes, payload)
        except PrinterUnavailable as err:
            after = await asyncio.to_thread(self.queue.failed, job, str(err))
            self._lost(err)
            log.warning(
                "print failed",
                extra={"job_id": job.job_id, "attempts": after.attempts, "error": str(err)},
            )
            raise
        await asyncio.to_thread(self.queue.printed, job)
        self.printed += 1
        report.event("printed", {"job_id": job.job_id, "kind": job.kind, "sale_id": job.sale_id})
