"""A serial (CDC-ACM) scanner read through pyserial from a real pseudo-terminal."""

from __future__ import annotations

import asyncio
import os

from edge.devices.events import Broadcaster
from edge.devices.manager import Backoff, DeviceManager
from edge.devices.scanner import SerialScanner
from tests.edge.devices import run


def test_lines_from_a_serial_port_become_scans() -> None:
    controller, port = os.openpty()
    path = os.ttyname(port)

    async def main() -> list[tuple[str, dict[str, object]]]:
        manager = DeviceManager(Broadcaster())
        sub = manager.events.subscribe()
        manager.add(SerialScanner("till-serial", path, 9600), Backoff(0.001, 0.004))
        await manager.start()
        seen: list[tuple[str, dict[str, object]]] = []
        # pyserial empties the input buffer when it opens the port: write after that.
        while not manager.status()[0].connected:
            await asyncio.sleep(0.001)
        # A line split across writes, CR LF and a lone CR ending, and a garbled line.
        for chunk in (b"89012340", b"00021\r\n", b"SKU-Ab12\r", b"\xff\xfe\r\n"):
            os.write(controller, chunk)
            await asyncio.sleep(0.01)
        while len(seen) < 3:
            event = await asyncio.wait_for(sub.next(), 3.0)
            if event is not None and event.kind != "status":
                seen.append((event.kind, event.data))
        status = manager.status()[0]
        await manager.stop()
        assert status.connected
        assert status.detail["scans"] == 2
        return seen

    try:
        seen = run(main())
    finally:
        os.close(controller)
        os.close(port)
    assert [(kind, data.get("code", data.get("reason"))) for kind, data in seen] == [
        ("scan", "8901234000021"),
        ("scan", "SKU-Ab12"),
        ("unreadable", "undecodable_bytes"),
    ]
