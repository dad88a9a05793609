"""A worker SIGKILLed after its commit and before its ack loses nothing and applies nothing twice.

The workers here are real processes (``python -m hub.cli worker``), as in
production. The first is told to SIGKILL itself right after its first
commit (the ``hub.after_commit_before_ack`` crash point); the box, getting no ack, resends; a fresh worker
finds every envelope in the inbox ("duplicate") and publishes the ack.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from hub.ingest.worker import CRASH_AFTER_COMMIT
from ops.broker import Broker, free_port
from tests.conftest import REPO
from tests.hub.harness import Hub, ok
from tests.hub.mqtt_harness import (
    HUB_PASSWORD,
    HUB_USER,
    FakeBox,
    connected,
    secure_broker,
    wait_for,
)
from tests.hub.sales_factory import Item, Till


class WorkerProcess:
    def __init__(self, hub: Hub, broker: Broker, name: str, **env: str) -> None:
        self.metrics_port = free_port()
        environment = {
            **os.environ,
            "SETLEDGER_HUB_DATABASE_URL": hub.runtime.settings.database_url,
            "SETLEDGER_HUB_BROKER_URL": broker.url,
            "SETLEDGER_HUB_MQTT_USERNAME": HUB_USER,
            "SETLEDGER_HUB_MQTT_PASSWORD": HUB_PASSWORD,
            "SETLEDGER_HUB_WORKER_METRICS_PORT": str(self.metrics_port),
            "SETLEDGER_LOG_LEVEL": "WARNING",
            **env,
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "worker", "--name", name],
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def metrics(self) -> str:
        try:
            return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=1).text
        except httpx.HTTPError:
            return ""

    def wait_ready(self) -> None:
        def ready() -> bool:
            assert self.proc.poll() is None, self.stderr()
            return "hub_worker_ready 1.0" in self.metrics()

        wait_for(ready, "the worker process to subscribe", timeout=30)

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def test_killed_after_commit_before_ack(
    hub: Hub,
    make_broker: Callable[..., Broker],
    broker_files: Path,
    workers: list[WorkerProcess],
) -> None:
    org = hub.org()
    device = hub.device(org, hub.store(org))
    product = hub.product(org)
    broker = secure_broker(hub, make_broker, broker_files)
    till = Till(org, device)
    envelopes = [till.sell([Item(product)]) for _ in range(3)]

    def sales() -> int:
        count: int = ok(hub.get(f"/orgs/{org['org_id']}/sales"))["totals"]["count"]
        return count

    doomed = WorkerProcess(hub, broker, "doomed", SETLEDGER_FAULTS=f"{CRASH_AFTER_COMMIT}=1")
    workers.append(doomed)
    doomed.wait_ready()
    box = FakeBox.of(org, device, broker)
    with connected(box):
        box.listen_down()
        box.send(envelopes)
        assert doomed.proc.wait(timeout=30) == -signal.SIGKILL
        assert sales() == 3  # committed...
        assert box.acked(till.epoch) is None  # ...never acked
        fresh = WorkerProcess(hub, broker, "fresh")
        workers.append(fresh)
        fresh.wait_ready()
        box.send(envelopes)  # the box resends what was not acked
        box.wait_acked(till.epoch, 3)
        assert sales() == 3
        assert 'hub_ingest_envelopes_total{outcome="duplicate"} 3.0' in fresh.metrics()
        # SIGTERM: a clean stop.
        started = time.monotonic()
        fresh.proc.send_signal(signal.SIGTERM)
        assert fresh.proc.wait(timeout=30) == 0, fresh.stderr()
        assert time.monotonic() - started < 15
