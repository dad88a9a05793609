"""How receipt bytes reach the printer, and what the printer says about itself.

python-escpos's printers are the transports (``Network`` on TCP 9100,
``Usb``, ``Serial``, ``File`` on a device path); ``lp`` pipes the bytes to a
raw CUPS queue. Each job opens the link, writes and closes it: a network
printer takes one client at a time, and a USB or serial printer that was
unplugged is found again on the next job.

Status: DLE EOT 1 (printer: offline bit) and DLE EOT 4 (roll sensor: paper
end bits) over network and serial, when the printer answers within a
short timeout, and DLE EOT 2 (offline cause: cover open) when the printer
says it is offline; USB, file and lp cannot read an answer here, so their
paper and online state is "unknown".
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from dataclasses import dataclass
from typing import Any, Literal

from edge.devices.printer.config import PrinterConfig
from labels.thermal import escpos_printer

Paper = Literal["ok", "near_end", "out", "unknown"]
Online = Literal["online", "offline", "unknown"]
Cover = Literal["closed", "open", "unknown"]
STATUS_TIMEOUT_S = 1.0
RT_STATUS_ONLINE = b"\x10\x04\x01"
RT_STATUS_PAPER = b"\x10\x04\x04"
RT_STATUS_OFFLINE_CAUSE = b"\x10\x04\x02"


@dataclass(frozen=True)
class PrinterState:
    online: Online = "unknown"
    paper: Paper = "unknown"
    cover: Cover = "unknown"

    @property
    def ready(self) -> bool:
        return self.online != "offline" and self.paper != "out"


class PrinterUnavailable(OSError):
    """The printer cannot be reached or cannot print (offline, paper out)."""

    def __init__(self, message: str, state: PrinterState | None = None) -> None:
        super().__init__(message)
        self.state = state
        """What the printer said, when it answered (paper out, offline)."""


def not_ready(state: PrinterState) -> str:
    return f"printer not ready: {state.online}, paper {state.paper}"


def parse_online(answer: bytes) -> Online:
    if len(answer) != 1 or answer[0] & 0x93 != 0x12:  # bits 1, 4 set; 0, 7 clear
        return "unknown"
    return "offline" if answer[0] & 0x08 else "online"


def parse_cover(answer: bytes) -> Cover:
    """DLE EOT 2 (offline cause): bit 2 set while the cover is open."""
    if len(answer) != 1 or answer[0] & 0x93 != 0x12:
        return "unknown"
    return "open" if answer[0] & 0x04 else "closed"


def parse_paper(answer: bytes) -> Paper:
    if len(answer) != 1 or answer[0] & 0x93 != 0x12:
        return "unknown"
    if answer[0] & 0x60 == 0x60:
        return "out"
    if answer[0] & 0x0C == 0x0C:
        return "near_end"
    return "ok"


def _escpos_device(config: PrinterConfig) -> Any:
    module = escpos_printer()
    if config.transport == "network":
        return module.Network(config.host, port=config.port, timeout=config.timeout_s)
    if config.transport == "serial":
        return module.Serial(
            devfile=config.path, baudrate=config.baudrate, timeout=STATUS_TIMEOUT_S
        )
    if config.transport == "usb":
        vendor, product = (int(part, 16) for part in (config.usb_id or "").split(":"))
        return module.Usb(vendor, product, timeout=int(config.timeout_s * 1000))
    return module.File(devfile=config.path)


class Transport:
    """One printer link, opened for a job (or a status probe) and closed after it."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config

    def print_bytes(self, payload: bytes) -> PrinterState:
        """Check the printer is ready, then write; PrinterUnavailable when it is not."""
        if self.config.transport == "lp":
            self._lp(payload)
            return PrinterState()
        device = self._open()
        try:
            state = self._query(device)
            if not state.ready:
                raise PrinterUnavailable(not_ready(state), state)
            try:
                device._raw(payload)
            except Exception as err:
                raise PrinterUnavailable(f"write failed: {err}") from err
            return state
        finally:
            _close(device)

    def probe(self) -> PrinterState:
        """Open the link and ask for the status; PrinterUnavailable when it cannot be opened."""
        if self.config.transport == "lp":
            return PrinterState()
        if self.config.transport == "file":
            self._check_file()
            return PrinterState()
        device = self._open()
        try:
            return self._query(device)
        finally:
            _close(device)

    def _check_file(self) -> None:
        """Without opening it: python-escpos opens a file printer with "wb", which would
        empty a plain file (the demo's) on every status probe."""
        path = self.config.path or ""
        target = path if os.path.exists(path) else os.path.dirname(path) or "."
        if not os.access(target, os.W_OK):
            raise PrinterUnavailable(f"cannot open file printer: {path} is not writable")

    def _open(self) -> Any:
        try:
            device = _escpos_device(self.config)
            device.open()
        except Exception as err:  # python-escpos raises its own DeviceNotFoundError and others
            raise PrinterUnavailable(f"cannot open {self.config.transport} printer: {err}") from err
        return device

    def _query(self, device: Any) -> PrinterState:
        if self.config.transport not in ("network", "serial"):
            return PrinterState()
        sock = device.device if self.config.transport == "network" else None
        if isinstance(sock, socket.socket):
            sock.settimeout(STATUS_TIMEOUT_S)
        try:
            online = parse_online(device.query_status(RT_STATUS_ONLINE))
            paper = parse_paper(device.query_status(RT_STATUS_PAPER))
            cover: Cover = "unknown"
            if online == "offline":  # why: an open cover is the cashier's to fix
                cover = parse_cover(device.query_status(RT_STATUS_OFFLINE_CAUSE))
        except TimeoutError:
            return PrinterState()  # the printer does not answer status queries
        except OSError as err:
            raise PrinterUnavailable(f"status query failed: {err}") from err
        finally:
            if isinstance(sock, socket.socket):
                sock.settimeout(self.config.timeout_s)
        return PrinterState(online, paper, cover)

    def _lp(self, payload: bytes) -> None:
        command = ["lp", "-d", self.config.queue or "", "-o", "raw"]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, queue from settings
                command,
                input=payload,
                capture_output=True,
                timeout=self.config.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PrinterUnavailable(f"lp failed: {err}") from err
        if done.returncode != 0:
            raise PrinterUnavailable(f"lp failed: {done.stderr.decode(errors='replace').strip()}")


def _close(device: Any) -> None:
    # Closing a link that already broke may fail too; the next job opens a new one.
    with contextlib.suppress(Exception):
        device.close()
