"""Run one device with restarts and back-off, until the device manager runs the printer.

The device manager (``edge.devices.manager``) is the long-term owner of
every device's task; until the printer is registered with it, the box app
runs the print worker through :func:`supervise`, which follows the same
contract: ``start`` until it fails, ``stop`` after every ``start``, an
exponential back-off with a cap, reset once the device connected.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from edge.devices.printer.worker import PrintWorker

log = logging.getLogger("edge.devices.printer")


class _Report:
    def __init__(self) -> None:
        self.was_connected = False
        self.events = 0

    def connected(self, **detail: Any) -> None:
        self.was_connected = True
        log.info("printer connected", extra=detail)

    def event(self, kind: str, data: dict[str, Any]) -> None:
        self.events += 1


async def supervise(worker: PrintWorker) -> None:
    attempt = 0
    config = worker.config
    while True:
        report = _Report()
        try:
            await worker.start(report)
        except asyncio.CancelledError:
            await worker.stop()
            raise
        except Exception as err:  # noqa: BLE001 - a printer's failure must not stop the box
            log.warning("printer unavailable", extra={"error": str(err)})
        await worker.stop()
        if report.was_connected:
            attempt = 0
        delay = min(config.retry_cap_s, config.retry_base_s * 2 ** min(attempt, 32))
        attempt += 1
        await asyncio.sleep(delay)
