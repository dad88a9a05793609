"""Starting and stopping the receipt printer with the box app, and its /metrics.

The box app calls :func:`start_printer` in its lifespan once the database
is open: it puts the print queue on the runtime (so sales queue receipts
after their commit) and hands back the print worker, which the app adds
to the device manager (``edge.devices.manager``): the manager runs it,
restarts it with the printer's back-off and shows its status with the
other devices (``GET /api/v1/devices``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from edge.devices.manager import Backoff
from edge.devices.printer.worker import PrintWorker
from edge.runtime import BoxRuntime
from edge.services.receipts import ReceiptQueue

JOB_STATES = ("queued", "printing", "printed", "failed")


class PrinterCollector(Collector):
    """Printer status and print-queue depth, read at scrape time."""

    def __init__(self, worker: PrintWorker) -> None:
        self.worker = worker

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status = self.worker.status()
        labels = ["printer"]
        name = [self.worker.name]
        reachable = GaugeMetricFamily(
            "setledger_box_printer_reachable", "1 when the printer answered", labels=labels
        )
        reachable.add_metric(name, int(bool(status["reachable"])))
        paper_out = GaugeMetricFamily(
            "setledger_box_printer_paper_out",
            "1 when the printer reports no paper (DLE EOT 4)",
            labels=labels,
        )
        paper_out.add_metric(name, int(status["paper"] == "out"))
        offline = GaugeMetricFamily(
            "setledger_box_printer_offline",
            "1 when the printer reports itself offline (DLE EOT 1)",
            labels=labels,
        )
        offline.add_metric(name, int(status["online"] == "offline"))
        cover_open = GaugeMetricFamily(
            "setledger_box_printer_cover_open",
            "1 when the printer reports its cover open (DLE EOT 2)",
            labels=labels,
        )
        cover_open.add_metric(name, int(status["cover"] == "open"))
        ready = GaugeMetricFamily(
            "setledger_box_printer_ready",
            "1 when the printer can print now (answered; not offline, no paper out, cover shut)",
            labels=labels,
        )
        ready.add_metric(name, int(status["status"] in ("ready", "paper_low")))
        jobs = GaugeMetricFamily(
            "setledger_box_print_jobs", "Print jobs by state", labels=["printer", "state"]
        )
        counts = self.worker.queue.counts()
        for state in JOB_STATES:
            jobs.add_metric([self.worker.name, state], counts.get(state, 0))
        yield from (reachable, paper_out, offline, cover_open, ready, jobs)


@dataclass
class PrinterRun:
    worker: PrintWorker
    backoff: Backoff
    """How the device manager retries the printer (the settings' retry base and cap)."""
    collector: PrinterCollector
    registry: CollectorRegistry

    def stop(self) -> None:
        """After the device manager stopped the worker."""
        self.registry.unregister(self.collector)


def start_printer(box: BoxRuntime, registry: CollectorRegistry) -> PrinterRun | None:
    """The printer from the box's settings; None when the box has none."""
    config = box.settings.printer
    if config is None:
        return None
    queue = ReceiptQueue(box.db, config, box.now)
    box.receipts = queue
    worker = PrintWorker(config, queue)
    collector = PrinterCollector(worker)
    registry.register(collector)
    backoff = Backoff(base_s=config.retry_base_s, cap_s=config.retry_cap_s)
    return PrinterRun(worker, backoff, collector, registry)
