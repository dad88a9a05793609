"""Where scanner input comes from: evdev input devices (real or fake) and serial ports.

The scanner device talks to an :class:`InputBus` (list the input devices,
open one) and to what it opens (``name``, ``info``, ``grab()``,
``async_read_loop()``), the slice of python-evdev it uses. :class:`EvdevBus`
is python-evdev itself; :class:`FakeInputBus` replays recorded events
and lets a test or the demo plug and unplug scanners.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from edge.devices.scanner.recording import InputEvent, from_records


class EventLike(Protocol):
    @property
    def type(self) -> int: ...
    @property
    def code(self) -> int: ...
    @property
    def value(self) -> int: ...


class InputDeviceLike(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def info(self) -> Any: ...  # .vendor, .product

    def grab(self) -> None: ...
    def ungrab(self) -> None: ...
    def close(self) -> None: ...
    def async_read_loop(self) -> AsyncIterator[EventLike]: ...


class InputBus(Protocol):
    def list_devices(self) -> list[str]: ...
    def open(self, path: str) -> InputDeviceLike: ...


class EvdevBus:
    """The real thing: ``/dev/input/event*`` through python-evdev (imported when first used)."""

    def __init__(self, input_dir: str = "/dev/input") -> None:
        self.input_dir = input_dir

    def list_devices(self) -> list[str]:
        import evdev

        if not os.path.isdir(self.input_dir):
            return []
        return list(evdev.list_devices(self.input_dir))

    def open(self, path: str) -> InputDeviceLike:
        import evdev

        return cast(InputDeviceLike, evdev.InputDevice(path))


@dataclass(frozen=True)
class UsbInfo:
    vendor: int
    product: int


def gone(path: str) -> OSError:
    return OSError(errno.ENODEV, "No such device", path)


class FakeInputDevice:
    """An input device that plays back events fed to it; unplugging it fails reads with ENODEV."""

    def __init__(self, path: str, name: str, vendor: int, product: int) -> None:
        self.path = path
        self.name = name
        self.info = UsbInfo(vendor, product)
        self.grabbed = False
        self.plugged = True
        self._events: deque[EventLike] = deque()
        self._wake = asyncio.Event()

    def feed(self, events: Iterable[EventLike]) -> None:
        """Events the device will produce (call on the event loop that reads it)."""
        self._events.extend(events)
        self._wake.set()

    def feed_records(self, data: bytes) -> None:
        self.feed(from_records(data))

    def unplug(self) -> None:
        self.plugged = False
        self._wake.set()

    def grab(self) -> None:
        if not self.plugged:
            raise gone(self.path)
        if self.grabbed:
            raise OSError(errno.EBUSY, "Device or resource busy", self.path)
        self.grabbed = True

    def ungrab(self) -> None:
        if not self.plugged:
            raise gone(self.path)
        self.grabbed = False

    def close(self) -> None:
        self.grabbed = False

    def read_loop(self) -> Iterator[EventLike]:
        """The events fed so far, then ENODEV if unplugged (evdev's blocking loop would wait)."""
        while self._events:
            yield self._events.popleft()
        if not self.plugged:
            raise gone(self.path)

    async def async_read_loop(self) -> AsyncIterator[EventLike]:
        while True:
            while self._events:
                yield self._events.popleft()
            if not self.plugged:
                raise gone(self.path)
            self._wake.clear()
            await self._wake.wait()


class FakeInputBus:
    """``/dev/input`` for tests and the demo: scanners come and go as the caller says."""

    def __init__(self) -> None:
        self.devices: dict[str, FakeInputDevice] = {}
        self.opened: list[str] = []

    def plug(
        self, path: str, name: str = "Fake HID scanner", vendor: int = 0x0C2E, product: int = 0x0B61
    ) -> FakeInputDevice:
        """A scanner appears at ``path`` (a replug makes a new device, as the kernel does)."""
        device = FakeInputDevice(path, name, vendor, product)
        self.devices[path] = device
        return device

    def unplug(self, path: str) -> None:
        device = self.devices.pop(path)
        device.unplug()

    def list_devices(self) -> list[str]:
        return sorted(self.devices)

    def open(self, path: str) -> FakeInputDevice:
        device = self.devices.get(path)
        if device is None:
            raise gone(path)
        self.opened.append(path)
        return device


def replay_file(device: FakeInputDevice, recording: Path) -> None:
    device.feed(from_records(recording.read_bytes()))


__all__ = ["EvdevBus", "FakeInputBus", "FakeInputDevice", "InputBus", "InputEvent", "replay_file"]
