"""Scanner devices the device manager runs: HID scanners via evdev, serial scanners via pyserial.

``start(report)`` finds and opens the scanner, reports it connected, and
reads scans until the scanner goes away (an ``OSError``, ENODEV when it is
unplugged); the manager then retries with back-off, which is how a
replugged scanner is re-attached. A HID scanner is grabbed exclusively, so
its key presses never reach a browser or terminal as typing.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from edge.devices.scanner.decoder import Scan, ScanDecoder, ScanResult, decode_line
from edge.devices.scanner.sources import InputBus, InputDeviceLike


class Report(Protocol):
    """What a device tells the manager (see ``edge.devices.manager.Reporter``)."""

    def connected(self, **detail: Any) -> None: ...
    def event(self, kind: str, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Match:
    """Which input device is this scanner: a path (e.g. /dev/input/by-id/...), a name, a USB id."""

    path: str | None = None
    name: str | None = None
    vendor: int | None = None
    product: int | None = None

    def accepts(self, device: InputDeviceLike) -> bool:
        if self.name is not None and device.name != self.name:
            return False
        info = device.info
        if self.vendor is not None and getattr(info, "vendor", None) != self.vendor:
            return False
        return self.product is None or getattr(info, "product", None) == self.product

    def describe(self) -> str:
        if self.path:
            return self.path
        usb = f"{self.vendor:04x}:{self.product or 0:04x}" if self.vendor is not None else None
        return " ".join(part for part in (self.name and repr(self.name), usb) if part) or "any"


def scan_event(result: ScanResult, device: str, source: str) -> tuple[str, dict[str, Any]]:
    if isinstance(result, Scan):
        return "scan", {"code": result.text, "device": device, "source": source}
    return "unreadable", {
        "error": "SCAN_UNREADABLE",
        "reason": result.reason,
        "keys": list(result.keys),
        "device": device,
        "source": source,
    }


class HidScanner:
    """A USB HID (keyboard-mode) scanner read as raw key codes through an input bus."""

    kind = "scanner"

    def __init__(
        self,
        name: str,
        bus: InputBus,
        match: Match,
        decoder_factory: Callable[[], ScanDecoder],
        *,
        transport: str = "evdev",
        grab: bool = True,
    ) -> None:
        self.name = name
        self.bus = bus
        self.match = match
        self.transport = transport
        self.grab = grab
        self._decoder_factory = decoder_factory
        self.decoder_layout = decoder_factory().layout
        self.layout = self.decoder_layout.name
        self._device: InputDeviceLike | None = None
        self.attached: str | None = None
        self.scans = 0
        self.unreadable = 0

    def _candidates(self) -> Iterable[str]:
        if self.match.path is not None:
            return [self.match.path]
        return self.bus.list_devices()

    def _attach(self) -> InputDeviceLike:
        """Open (and grab) the first matching device nobody else holds."""
        for path in self._candidates():
            try:
                device = self.bus.open(path)
            except OSError:
                continue  # gone between listing and opening, or not ours to read
            if self.match.path is None and not self.match.accepts(device):
                device.close()
                continue
            try:
                if self.grab:
                    device.grab()
            except OSError as err:
                device.close()
                if err.errno == errno.EBUSY:
                    continue  # another scanner entry (or app) holds it
                raise
            return device
        raise OSError(errno.ENODEV, f"no scanner matching {self.match.describe()}")

    async def start(self, report: Report) -> None:
        device = self._attach()
        self._device = device
        self.attached = device.path
        decoder = self._decoder_factory()  # a new scan state: a half-read scan is dropped
        report.connected(path=device.path, device_name=device.name)
        async for event in device.async_read_loop():
            result = decoder.feed(event.type, event.code, event.value)
            if result is None:
                continue
            if isinstance(result, Scan):
                self.scans += 1
            else:
                self.unreadable += 1
            report.event(*scan_event(result, self.name, device.path))
        raise OSError(errno.ENODEV, "the input device stopped sending", device.path)

    async def stop(self) -> None:
        device, self._device, self.attached = self._device, None, None
        if device is None:
            return
        try:
            if self.grab:
                device.ungrab()
        except OSError:
            pass  # already unplugged: the kernel dropped the grab with it
        device.close()

    def status(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "match": self.match.describe(),
            "attached": self.attached,
            "layout": self.layout,
            "scans": self.scans,
            "unreadable": self.unreadable,
        }


class SerialPort(Protocol):
    def read(self, size: int = 1) -> bytes: ...
    def close(self) -> None: ...
    @property
    def in_waiting(self) -> int: ...


def open_serial(path: str, baudrate: int) -> SerialPort:
    import serial

    port: SerialPort = serial.Serial(path, baudrate=baudrate, timeout=0.2)
    return port


class SerialScanner:
    """A CDC-ACM / RS-232 scanner: it sends characters and CR/LF, so no layout is involved."""

    kind = "scanner"
    transport = "serial"

    def __init__(
        self,
        name: str,
        path: str,
        baudrate: int = 9600,
        opener: Callable[[str, int], SerialPort] = open_serial,
    ) -> None:
        self.name = name
        self.path = path
        self.baudrate = baudrate
        self._opener = opener
        self._port: SerialPort | None = None
        self.scans = 0
        self.unreadable = 0

    async def start(self, report: Report) -> None:
        port = await asyncio.to_thread(self._opener, self.path, self.baudrate)
        self._port = port
        report.connected(path=self.path)
        pending = b""
        while True:
            # Blocking reads (0.2 s timeout) run in a thread so the loop stays free.
            chunk = await asyncio.to_thread(port.read, max(1, port.in_waiting))
            pending += chunk
            *lines, pending = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                result = decode_line(line)
                if result is None:
                    continue
                if isinstance(result, Scan):
                    self.scans += 1
                else:
                    self.unreadable += 1
                report.event(*scan_event(result, self.name, self.path))

    async def stop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            port.close()

    def status(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "match": self.path,
            "attached": self.path if self._port is not None else None,
            "scans": self.scans,
            "unreadable": self.unreadable,
        }
