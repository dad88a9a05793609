"""The device manager: one supervised task per device, with a lock, back-off and a status.

A device is anything with ``name``, ``kind``, ``transport`` and:

- ``async start(report)``: open the device, call ``report.connected()``,
  then serve it (read scans, print jobs) until it fails or goes away,
  raising (``OSError`` for "gone"); returning also counts as "gone";
- ``async stop()``: release it (idempotent; called after every ``start``);
- ``status()``: a dict of device-specific detail for the snapshot.

The manager restarts a failed device after an exponential back-off with a
cap, resetting the back-off once the device connected, so an unplugged
scanner is re-attached within the cap of its return. It never lets a
device's failure escape: a missing printer must not stop the box selling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from edge.devices import scanner
from edge.devices.events import Broadcaster, DeviceEvent
from edge.devices.scanner.sources import FakeInputBus

if TYPE_CHECKING:
    from edge.settings import DeviceConfig

log = logging.getLogger("edge.devices")


class Report(Protocol):
    def connected(self, **detail: Any) -> None: ...
    def event(self, kind: str, data: dict[str, Any]) -> None: ...


class Device(Protocol):
    name: str
    kind: str
    transport: str

    async def start(self, report: Report) -> None: ...
    async def stop(self) -> None: ...
    def status(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``attempt`` (0-based): ``base * factor**attempt``, at most ``cap``."""

    base_s: float = 0.5
    cap_s: float = 30.0
    factor: float = 2.0

    def delay(self, attempt: int) -> float:
        # min() before the power would be wrong; the cap keeps huge attempts finite.
        return min(self.cap_s, self.base_s * self.factor ** min(attempt, 64))


SCANNER_BACKOFF = Backoff(base_s=0.25, cap_s=1.0)
"""A scanner is looked for again at least every second: a replug is picked up fast."""


@dataclass(frozen=True)
class DeviceStatus:
    name: str
    kind: str
    transport: str
    state: str = "starting"
    """``starting``, ``connected``, ``waiting`` (to retry) or ``stopped``."""
    connected: bool = False
    since: datetime | None = None
    """When the current state began."""
    last_error: str | None = None
    last_event_at: datetime | None = None
    events: int = 0
    failures: int = 0
    connects: int = 0
    retry_in_s: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "detail"}
        for key in ("since", "last_event_at"):
            out[key] = None if out[key] is None else out[key].isoformat()
        return {**out, "detail": dict(self.detail)}


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Handle:
    """The manager's side of one device: its task, its lock and its status."""

    def __init__(self, device: Device, backoff: Backoff) -> None:
        self.device = device
        self.backoff = backoff
        # Held while the device is opened or closed; a command (a print job)
        # takes it too, so it never writes to a half-open connection.
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None
        self.status = DeviceStatus(device.name, device.kind, device.transport)


class Reporter:
    """Handed to ``Device.start``: the device's voice to the manager and the UI."""

    def __init__(self, manager: DeviceManager, handle: _Handle) -> None:
        self._manager = manager
        self._handle = handle
        self.was_connected = False

    def connected(self, **detail: Any) -> None:
        self.was_connected = True
        status = self._handle.status
        self._manager._set(
            self._handle,
            state="connected",
            connected=True,
            since=self._manager.now(),
            connects=status.connects + 1,
            retry_in_s=None,
        )
        log.info("device connected", extra={"device": status.name, **detail})

    def event(self, kind: str, data: dict[str, Any]) -> None:
        now = self._manager.now()
        status = self._handle.status
        self._handle.status = replace(status, events=status.events + 1, last_event_at=now)
        self._manager.events.publish(DeviceEvent(kind, status.name, data, now))


def describe(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return f"{type(err).__name__}: {text}"


class DeviceManager:
    def __init__(
        self,
        events: Broadcaster,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.events = events
        self.now = now
        self._sleep = sleep
        self._handles: dict[str, _Handle] = {}
        self.fake_bus = FakeInputBus()
        """Where fake devices (demo, tests) are plugged and unplugged."""
        self._stopping = False

    def add(self, device: Device, backoff: Backoff | None = None) -> None:
        if device.name in self._handles:
            raise ValueError(f"two devices named {device.name!r}")
        default = SCANNER_BACKOFF if device.kind == "scanner" else Backoff()
        self._handles[device.name] = _Handle(device, backoff or default)

    def device(self, name: str) -> Device:
        return self._handles[name].device

    def lock(self, name: str) -> asyncio.Lock:
        return self._handles[name].lock

    def __iter__(self) -> Iterator[Device]:
        return (handle.device for handle in self._handles.values())

    def status(self) -> list[DeviceStatus]:
        return [replace(h.status, detail=h.device.status()) for h in self._handles.values()]

    async def start(self) -> None:
        self._stopping = False
        for handle in self._handles.values():
            handle.task = asyncio.create_task(self._supervise(handle), name=handle.device.name)

    async def stop(self) -> None:
        self._stopping = True
        tasks = [h.task for h in self._handles.values() if h.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for handle in self._handles.values():
            handle.task = None
            self._set(handle, state="stopped", connected=False, since=self.now(), retry_in_s=None)

    def _set(self, handle: _Handle, **changes: Any) -> None:
        handle.status = replace(handle.status, **changes)
        snapshot = replace(handle.status, detail=handle.device.status())
        self.events.publish(
            DeviceEvent("status", handle.device.name, snapshot.public(), self.now())
        )

    async def _supervise(self, handle: _Handle) -> None:
        device, attempt = handle.device, 0
        while not self._stopping:
            reporter = Reporter(self, handle)
            try:
                async with handle.lock:
                    pass  # wait for a command in flight before (re)opening
                await device.start(reporter)
                error = "the device closed"
            except asyncio.CancelledError:
                await self._close(handle)
                raise
            except Exception as err:  # noqa: BLE001 - every device failure is reported and retried
                error = describe(err)
            await self._close(handle)
            if reporter.was_connected:
                attempt = 0
                log.warning("device lost", extra={"device": device.name, "error": error})
            delay = handle.backoff.delay(attempt)
            attempt += 1
            self._set(
                handle,
                state="waiting",
                connected=False,
                since=self.now(),
                last_error=error,
                failures=handle.status.failures + 1,
                retry_in_s=delay,
            )
            await self._sleep(delay)

    async def _close(self, handle: _Handle) -> None:
        async with handle.lock:
            try:
                await handle.device.stop()
            except Exception as err:  # noqa: BLE001 - closing a gone device may fail; it is gone
                log.debug(
                    "device stop failed", extra={"device": handle.device.name, "error": str(err)}
                )


class DeviceCollector(Collector):
    """Device status for ``/metrics``, read from the manager's snapshots at scrape time."""

    def __init__(self, manager: DeviceManager) -> None:
        self.manager = manager

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        labels = ["device", "kind", "transport"]
        connected = GaugeMetricFamily(
            "setledger_box_device_connected", "1 when the device is connected", labels=labels
        )
        events = CounterMetricFamily(
            "setledger_box_device_events", "Events from the device (scans, jobs)", labels=labels
        )
        failures = CounterMetricFamily(
            "setledger_box_device_failures", "Times the device failed or went away", labels=labels
        )
        connects = CounterMetricFamily(
            "setledger_box_device_connects", "Times the device was (re)attached", labels=labels
        )
        for status in self.manager.status():
            key = [status.name, status.kind, status.transport]
            connected.add_metric(key, int(status.connected))
            events.add_metric(key, status.events)
            failures.add_metric(key, status.failures)
            connects.add_metric(key, status.connects)
        yield from (connected, events, failures, connects)


def build_manager(configs: Iterable[DeviceConfig], events: Broadcaster) -> DeviceManager:
    """The box's devices from its settings; fakes share the manager's ``fake_bus``."""
    manager = DeviceManager(events)
    for config in configs:
        if config.kind == "scanner":
            manager.add(scanner.build(config, manager.fake_bus))
    return manager
