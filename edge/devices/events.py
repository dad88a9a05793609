"""Device events for the UI: an in-process broadcaster and their Server-Sent Events form.

Devices publish on the box's event loop; each subscriber (one per open
``GET /api/v1/devices/events``) has its own bounded queue. A subscriber
that falls behind loses its oldest events, never blocks a scanner: a
stuck browser tab must not delay the counter.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

QUEUE_SIZE = 256


@dataclass(frozen=True)
class DeviceEvent:
    kind: str
    """``scan``, ``unreadable`` or ``status`` (printers add their own)."""
    device: str
    data: dict[str, Any]
    at: datetime

    def sse(self, seq: int) -> bytes:
        # "type" repeats the event name for clients that read every event in onmessage-style code.
        body = {"type": self.kind, "device": self.device, "at": self.at.isoformat(), **self.data}
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        return f"id: {seq}\nevent: {self.kind}\ndata: {text}\n\n".encode()


_CLOSED = object()


@dataclass(eq=False)  # identity: each open stream is its own subscriber
class Subscription:
    queue: asyncio.Queue[DeviceEvent | object] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )
    dropped: int = 0

    def offer(self, item: DeviceEvent | object) -> None:
        while True:
            try:
                self.queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                self.queue.get_nowait()
                self.dropped += 1

    async def next(self, timeout: float | None = None) -> DeviceEvent | None:
        """The next event; ``None`` on timeout. Raises ``EOFError`` once the broadcaster closed."""
        try:
            item = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        if item is _CLOSED:
            self.queue.put_nowait(_CLOSED)  # stay closed for the next read too
            raise EOFError
        assert isinstance(item, DeviceEvent)
        return item


class Broadcaster:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self.closed = False
        self.published = 0

    def publish(self, event: DeviceEvent) -> None:
        """Call on the event loop; never blocks."""
        self.published += 1
        for subscription in list(self._subscribers):
            subscription.offer(event)

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        if self.closed:
            subscription.offer(_CLOSED)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        """End every stream (the box is stopping)."""
        self.closed = True
        for subscription in list(self._subscribers):
            subscription.offer(_CLOSED)


async def sse_stream(
    broadcaster: Broadcaster,
    first: list[DeviceEvent],
    *,
    keepalive_s: float = 15.0,
) -> AsyncIterator[bytes]:
    """``first`` (the current statuses), then every event, with comments to keep proxies open."""
    subscription = broadcaster.subscribe()
    seq = 0
    try:
        yield b"retry: 2000\n\n"
        for event in first:
            seq += 1
            yield event.sse(seq)
        while True:
            try:
                item = await subscription.next(keepalive_s)
            except EOFError:
                return
            if item is None:
                yield b": keepalive\n\n"
                continue
            seq += 1
            yield item.sse(seq)
    finally:
        broadcaster.unsubscribe(subscription)
