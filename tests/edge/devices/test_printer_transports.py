"""Printer links and their status: a device file, USB without a printer, TCP 9100 answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from edge.devices.printer.config import PrinterConfig
from edge.devices.printer.transports import (
    PrinterState,
    PrinterUnavailable,
    Transport,
    parse_online,
    parse_paper,
)
from tests.edge.devices.printer_emulator import PrinterEmulator, decode

SLIP = b"\x1b@hello\n\x1dV\x00"


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    printer = PrinterEmulator().start()
    yield printer
    printer.stop()


def network(port: int) -> Transport:
    return Transport(PrinterConfig(transport="network", host="127.0.0.1", port=port))


def test_a_device_file_gets_the_bytes_and_its_status_is_unknown(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    link = Transport(PrinterConfig(transport="file", path=str(device)))
    assert link.probe() == PrinterState("unknown", "unknown")
    link.print_bytes(SLIP)
    assert device.read_bytes() == SLIP


def test_probing_a_file_printer_leaves_what_it_printed(tmp_path: Path) -> None:
    device = tmp_path / "receipts.escpos"
    link = Transport(PrinterConfig(transport="file", path=str(device)))
    assert link.probe() == PrinterState()  # not there yet: it will be created
    link.print_bytes(SLIP)
    assert link.probe() == PrinterState()
    assert device.read_bytes() == SLIP  # the idle worker's status probes empty nothing
    gone = Transport(PrinterConfig(transport="file", path=str(tmp_path / "no" / "lp0")))
    with pytest.raises(PrinterUnavailable, match="is not writable"):
        gone.probe()


def test_usb_without_the_printer_is_unavailable() -> None:
    link = Transport(PrinterConfig(transport="usb", usb_id="04b8:0e15"))
    with pytest.raises(PrinterUnavailable, match="cannot open usb printer"):
        link.print_bytes(SLIP)


def test_the_network_printer_answers_its_status(emulator: PrinterEmulator) -> None:
    link = network(emulator.port)
    assert link.probe() == PrinterState("online", "ok")
    emulator.offline = True
    with pytest.raises(PrinterUnavailable) as raised:
        link.print_bytes(SLIP)
    assert raised.value.state == PrinterState("offline", "ok", "closed")
    emulator.offline, emulator.paper_out = False, True
    assert link.probe() == PrinterState("online", "out")
    slip = decode(emulator.take())
    assert slip.lines == []  # nothing but status queries reached it
    assert slip.status_queries == [1, 4, 1, 4, 2, 1, 4]  # offline: why (DLE EOT 2)
    emulator.paper_out = False
    assert link.print_bytes(SLIP).ready
    assert decode(emulator.take()).lines == ["hello"]


def test_a_printer_that_never_answers_status_still_prints() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    got = bytearray()

    def serve() -> None:
        client, _ = server.accept()
        while chunk := client.recv(4096):
            got.extend(chunk)
        client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        state = network(server.getsockname()[1]).print_bytes(SLIP)
        thread.join(timeout=5)
    finally:
        server.close()
    assert state == PrinterState("unknown", "unknown")
    assert bytes(got).endswith(SLIP)


def test_status_bytes() -> None:
    assert parse_online(b"\x12") == "online"
    assert parse_online(b"\x1a") == "offline"
    assert parse_online(b"") == "unknown"
    assert parse_online(b"\xff") == "unknown"  # not a status byte (fixed bits wrong)
    assert parse_paper(b"\x12") == "ok"
    assert parse_paper(b"\x1e") == "near_end"
    assert parse_paper(b"\x72") == "out"


@pytest.mark.parametrize(
    "settings",
    [
        {"transport": "network"},
        {"transport": "serial"},
        {"transport": "lp"},
        {"transport": "usb", "usb_id": "epson"},
        {"transport": "network", "host": "p", "paper_mm": 76},
        {"transport": "network", "host": "p", "colour": True},
    ],
)
def test_bad_printer_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PrinterConfig.model_validate(settings)
