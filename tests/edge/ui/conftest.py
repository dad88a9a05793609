"""Fixtures the kiosk POS browser tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.edge.devices.printer_emulator import PrinterEmulator


@pytest.fixture(scope="module")
def printer() -> Iterator[PrinterEmulator]:
    """A TCP 9100 receipt printer for the module's box (decode what it got with ``decode``)."""
    emulator = PrinterEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()
