"""Browser tests of the kiosk POS (pos_ui/) served by a real box on a real port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from edge.api.pos_ui import DIST
from edge.app import create_app
from edge.devices.printer.config import PrinterConfig
from edge.services.identity import ProvisionBundle
from edge.settings import BoxSettings, DeviceConfig
from ops.broker import free_port
from tests.edge.staff import sign_in

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "pos"


class PosBox:
    """A provisioned box app served by uvicorn on loopback, as ``setledger box`` runs it."""

    def __init__(
        self,
        data_dir: Path,
        bundle: ProvisionBundle,
        devices: list[DeviceConfig] | None = None,
        printer: PrinterConfig | None = None,
    ) -> None:
        provision = data_dir / "bundle.json"
        provision.write_text(bundle.model_dump_json())
        self.bundle = bundle
        self.settings = BoxSettings(
            data_dir=data_dir / "box",
            provision_file=provision,
            devices=devices or [],
            printer=printer,
        )
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="pos-box-uvicorn")

    def start(self) -> PosBox:
        if not (DIST / "index.html").is_file():
            raise AssertionError(f"{DIST} is not built: run 'make pos-ui' (make test does)")
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise AssertionError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)

    @contextmanager
    def client(self) -> Iterator[httpx.Client]:
        """An API client signed in as the roster's cashier (to check what the UI did)."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            sign_in(client)
            yield client


NO_DEVICES = "**/api/v1/devices/events*"
"""The box's device events: answered 404 when a test wants the page without the box's scanners."""


def serve(box: PosBox) -> Iterator[PosBox]:
    """A fixture body: the box up for the fixture's scope (``yield from serve(PosBox(...))``)."""
    box.start()
    try:
        yield box
    finally:
        box.stop()


def browse(
    chromium: Any,
    base_url: str,
    *,
    height: int = 800,
    devices: bool = True,
    no_errors: bool = False,
) -> Iterator[Any]:
    """A fixture body: a fresh browser context and page on the box (no cache, no IndexedDB left
    by another test). ``devices=False`` answers the device events 404 (a box without scanners);
    ``no_errors`` fails the test on any uncaught error in the page."""
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": height})
    page = context.new_page()
    page.set_default_timeout(5000)
    if not devices:
        page.route(NO_DEVICES, lambda route: route.fulfill(status=404, json={"error": {}}))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    if no_errors:
        assert errors == []
