"""The device manager with fake scanners on a fake input bus: real decoder, real tasks."""

from __future__ import annotations

import asyncio
import errno
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from edge.devices.events import Broadcaster, DeviceEvent, Subscription
from edge.devices.manager import Backoff, DeviceCollector, DeviceManager, Report
from edge.devices.scanner import HidScanner, Match, ScanDecoder
from edge.devices.scanner.keys import US
from edge.devices.scanner.recording import InputEvent, from_records, typing_events
from tests.edge.devices import run

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "devices"
FAST = Backoff(base_s=0.001, cap_s=0.004)


async def until(check: Callable[[], bool], timeout: float = 2.0) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.001)

    await asyncio.wait_for(poll(), timeout)


async def drain(
    sub: Subscription, kind: str, count: int, seen: list[DeviceEvent] | None = None
) -> list[DeviceEvent]:
    """The next ``count`` events of ``kind``; every event read goes to ``seen`` too."""
    found: list[DeviceEvent] = []
    while len(found) < count:
        event = await asyncio.wait_for(sub.next(), 2.0)
        if event is not None and seen is not None:
            seen.append(event)
        if event is not None and event.kind == kind:
            found.append(event)
    return found


def scanner(manager: DeviceManager, name: str, path: str) -> HidScanner:
    return HidScanner(
        name, manager.fake_bus, Match(path=path), lambda: ScanDecoder(US), transport="fake"
    )


def test_two_scanners_interleaved_each_read_their_own_code() -> None:
    async def main() -> None:
        manager = DeviceManager(Broadcaster())
        sub = manager.events.subscribe()
        a = manager.fake_bus.plug("/dev/input/event3")
        b = manager.fake_bus.plug("/dev/input/event4")
        manager.add(scanner(manager, "till-1", a.path), FAST)
        manager.add(scanner(manager, "till-2", b.path), FAST)
        await manager.start()
        await until(lambda: a.grabbed and b.grabbed)
        # One event at a time from each: shift held on one scanner must not
        # capitalise the other's keys.
        one = typing_events("SKU-Ab12\n", US)
        two = typing_events("8901234000021\n", US)
        for i in range(max(len(one), len(two))):
            a.feed(one[i : i + 1])
            b.feed(two[i : i + 1])
            await asyncio.sleep(0)
        scans = await drain(sub, "scan", 2)
        assert {(e.device, e.data["code"]) for e in scans} == {
            ("till-1", "SKU-Ab12"),
            ("till-2", "8901234000021"),
        }
        await manager.stop()
        assert not a.grabbed  # released for other apps after stop
        assert not b.grabbed
        assert [s.state for s in manager.status()] == ["stopped", "stopped"]

    run(main())


def test_unplugged_mid_scan_then_replugged_is_reattached() -> None:
    async def main() -> None:
        manager = DeviceManager(Broadcaster())
        sub = manager.events.subscribe()
        path = "/dev/input/by-id/usb-Fake_Scanner-event-kbd"
        first = manager.fake_bus.plug(path)
        first.feed(from_records((FIXTURES / "us_unplug_part1.events").read_bytes()))
        manager.add(scanner(manager, "till-1", path), FAST)
        await manager.start()
        seen: list[DeviceEvent] = []
        [scan] = await drain(sub, "scan", 1, seen)
        assert scan.data["code"] == "8901234000021"
        status = manager.status()[0]
        assert (status.connected, status.connects, status.events) == (True, 1, 1)

        manager.fake_bus.unplug(path)  # mid-scan: "SK" read, shift still held
        await until(lambda: manager.status()[0].failures >= 1)
        status = manager.status()[0]
        assert not status.connected
        assert status.state == "waiting"
        assert "No such device" in (status.last_error or "")
        assert status.detail["attached"] is None

        second = manager.fake_bus.plug(path)
        second.feed(from_records((FIXTURES / "us_unplug_part2.events").read_bytes()))
        [scan] = await drain(sub, "scan", 1, seen)
        # The half-read "SK" was dropped and shift released with it: held, it
        # would have turned these digits into "*(),...".
        assert scan.data["code"] == "8901234000038"
        status = manager.status()[0]
        assert (status.connected, status.connects, status.events) == (True, 2, 2)
        assert status.detail["attached"] == path
        assert second.grabbed
        # What the UI saw: attached, a scan, gone (retrying), attached again, a scan.
        # (The scanner may be looked for more than once while it is away.)
        steps = [e.data["state"] if e.kind == "status" else e.kind for e in seen]
        story = [step for step, _ in itertools.groupby(steps)]
        assert story == ["connected", "scan", "waiting", "connected", "scan"]
        await manager.stop()

    run(main())


class Flaky:
    """Fails to open ``fail`` times, then connects and goes away at once; counts its starts."""

    kind, transport = "printer", "fake"

    def __init__(self, name: str, fail: int) -> None:
        self.name, self.fail, self.starts, self.stops = name, fail, 0, 0

    async def start(self, report: Report) -> None:
        self.starts += 1
        if self.starts <= self.fail:
            raise OSError(errno.ENODEV, "not there")
        report.connected()
        raise OSError(errno.EPIPE, "went away")

    async def stop(self) -> None:
        self.stops += 1

    def status(self) -> dict[str, Any]:
        return {"starts": self.starts}


def recorded_sleep(delays: list[float], enough: int) -> Callable[[float], Awaitable[None]]:
    done = asyncio.Event()

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) >= enough:
            done.set()
            await asyncio.Event().wait()  # park until the manager is stopped
        await asyncio.sleep(0)

    sleep.done = done  # type: ignore[attr-defined]
    return sleep


def test_back_off_doubles_to_its_cap_and_resets_after_a_connection() -> None:
    async def main() -> None:
        delays: list[float] = []
        sleep = recorded_sleep(delays, 8)
        clock = [datetime(2026, 11, 24, 6, 30, tzinfo=UTC)]
        manager = DeviceManager(Broadcaster(), sleep=sleep, now=lambda: clock[0])
        device = Flaky("printer-1", fail=5)
        manager.add(device, Backoff(base_s=0.5, cap_s=4.0))
        await manager.start()
        await asyncio.wait_for(sleep.done.wait(), 2.0)  # type: ignore[attr-defined]
        # 0.5 * 2**n capped at 4: five failed opens, then the connection that
        # dropped resets the back-off, then failing again after it.
        assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 0.5, 0.5, 0.5]
        status = manager.status()[0]
        assert status.failures == 8
        assert status.connects == 3
        assert status.retry_in_s == 0.5
        assert status.last_error == "BrokenPipeError: [Errno 32] went away"
        assert status.since == clock[0]
        assert device.stops == device.starts  # released after every attempt
        clock[0] += timedelta(minutes=1)
        await manager.stop()
        assert manager.status()[0].since == clock[0]

    run(main())


def test_back_off_formula() -> None:
    backoff = Backoff(base_s=0.25, cap_s=1.0)
    assert [backoff.delay(n) for n in range(5)] == [0.25, 0.5, 1.0, 1.0, 1.0]
    assert backoff.delay(10_000) == 1.0


def test_status_in_metrics() -> None:
    async def main() -> bytes:
        manager = DeviceManager(Broadcaster())
        device = manager.fake_bus.plug("/dev/input/event9")
        manager.add(scanner(manager, "till-1", device.path), FAST)
        await manager.start()
        device.feed(typing_events("8901234000021\n", US))
        await until(lambda: manager.status()[0].events == 1)
        registry = CollectorRegistry()
        registry.register(DeviceCollector(manager))
        text = generate_latest(registry)
        await manager.stop()
        return text

    text = run(main()).decode()
    labels = 'device="till-1",kind="scanner",transport="fake"'
    assert f"setledger_box_device_connected{{{labels}}} 1.0" in text
    assert f"setledger_box_device_events_total{{{labels}}} 1.0" in text
    assert f"setledger_box_device_connects_total{{{labels}}} 1.0" in text


def test_an_unreadable_scan_is_an_event_not_a_code() -> None:
    async def main() -> list[DeviceEvent]:
        manager = DeviceManager(Broadcaster())
        sub = manager.events.subscribe()
        device = manager.fake_bus.plug("/dev/input/event5")
        manager.add(scanner(manager, "till-1", device.path), FAST)
        await manager.start()
        # "12" with F1 (no character in any layout) pressed between the digits,
        # then a good scan.
        f1 = 59
        keys = [*typing_events("1", US), InputEvent(0, 0, 1, f1, 1), InputEvent(0, 0, 1, f1, 0)]
        device.feed(keys + typing_events("2\n", US) + typing_events("8901234000021\n", US))
        seen: list[DeviceEvent] = []
        await drain(sub, "scan", 1, seen)
        await manager.stop()
        return [e for e in seen if e.kind != "status"]

    seen = run(main())
    assert [(e.kind, e.data.get("code"), e.data.get("error")) for e in seen] == [
        ("unreadable", None, "SCAN_UNREADABLE"),
        ("scan", "8901234000021", None),
    ]
    assert seen[0].data["reason"] == "unmapped_key"
    assert seen[0].data["keys"] == [59]
