"""Counter devices for the UI: their status, and a live stream of scans and status changes.

``GET /api/v1/devices/events`` is Server-Sent Events. A browser's
``EventSource`` cannot send an ``Authorization`` header, so this route also
takes the box token as ``?access_token=``. Fake devices (demo, tests) take
injected scans and can be unplugged and plugged back in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from edge.api.deps import Box, Cashier, Credentials
from edge.api.schemas import Body
from edge.devices.events import Broadcaster, DeviceEvent, sse_stream
from edge.devices.manager import DeviceManager, DeviceStatus
from edge.devices.scanner.device import HidScanner
from edge.devices.scanner.recording import typing_events
from edge.devices.scanner.sources import FakeInputDevice
from edge.services import sign_in
from edge.services.sessions import Session
from setledger import errors

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


def _manager(request: Request) -> DeviceManager:
    manager: DeviceManager = request.app.state.devices
    return manager


Devices = Annotated[DeviceManager, Depends(_manager)]


def _watcher(
    box: Box,
    credentials: Credentials,
    access_token: Annotated[str | None, Query(description="The box token, for EventSource")] = None,
) -> Session | None:
    token = credentials.credentials if credentials is not None else access_token
    if token is None:
        if not box.settings.require_sign_in:
            return None
        raise errors.SIGN_IN_REQUIRED.error(reason="no box token sent")
    session = sign_in.current(box, token)
    if session is None:
        raise errors.SIGN_IN_REQUIRED.error(reason="the session has ended or expired")
    return session


Watcher = Annotated[Session | None, Depends(_watcher)]
"""Signed in like a cashier, by header or (for EventSource) ``?access_token=``."""


class DeviceOut(BaseModel):
    name: str
    kind: str
    transport: str
    state: str
    connected: bool
    since: str | None
    last_error: str | None
    last_event_at: str | None
    events: int
    failures: int
    connects: int
    retry_in_s: float | None
    detail: dict[str, Any]


def _out(status: DeviceStatus) -> DeviceOut:
    return DeviceOut.model_validate(status.public())


@router.get("", response_model=list[DeviceOut])
def list_devices(cashier: Cashier, devices: Devices) -> list[DeviceOut]:
    """Each configured device: connected or not, last error, last event, counts."""
    return [_out(status) for status in devices.status()]


@router.get("/events", response_class=StreamingResponse)
async def device_events(
    watcher: Watcher,
    devices: Devices,
    request: Request,
    keepalive_s: Annotated[float, Query(gt=0, le=60)] = 15.0,
) -> StreamingResponse:
    """Server-Sent Events: first a ``status`` event per device, then ``scan``
    (``{"code", "device", "source"}``), ``unreadable`` (``{"error": "SCAN_UNREADABLE",
    "reason", ...}``) and ``status`` events as they happen."""
    events: Broadcaster = request.app.state.device_events
    now = devices.now()
    first = [DeviceEvent("status", s.name, s.public(), now) for s in devices.status()]
    return StreamingResponse(
        sse_stream(events, first, keepalive_s=keepalive_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _fake(devices: DeviceManager, name: str) -> tuple[HidScanner, str]:
    try:
        device = devices.device(name)
    except KeyError:
        raise errors.BOX_DEVICE_UNKNOWN.error(name=name) from None
    if device.transport != "fake" or not isinstance(device, HidScanner):
        raise errors.DEVICE_NOT_FAKE.error(name=name, transport=device.transport)
    path = device.match.path
    assert path is not None
    return device, path


def _plugged(devices: DeviceManager, name: str) -> tuple[HidScanner, FakeInputDevice]:
    device, path = _fake(devices, name)
    plugged = devices.fake_bus.devices.get(path)
    if plugged is None:
        raise errors.DEVICE_UNPLUGGED.error(name=name)
    return device, plugged


class ScanIn(Body):
    text: str = Field(min_length=1, max_length=256)
    """What the scanner reads; a final newline (Enter) is added when missing."""


class Injected(BaseModel):
    device: str
    events: int


@router.post("/{name}/scan", response_model=Injected, status_code=202)
async def inject_scan(name: str, body: ScanIn, cashier: Cashier, devices: Devices) -> Injected:
    """Type ``text`` on a fake scanner, key by key as a real one set to its layout
    would; the scan then arrives on the events stream like any other."""
    device, plugged = _plugged(devices, name)
    layout = device.decoder_layout
    text = body.text if body.text.endswith("\n") else body.text + "\n"
    for char in text[:-1]:
        if layout.key_for(char) is None:
            raise errors.SCAN_NOT_TYPABLE.error(layout=layout.name, char=char)
    events = typing_events(text, layout)
    plugged.feed(events)
    return Injected(device=name, events=len(events))


@router.post("/{name}/unplug", response_model=DeviceOut)
async def unplug(name: str, cashier: Cashier, devices: Devices) -> DeviceOut:
    """Pull a fake scanner's cable: the manager sees it go and waits for it."""
    _, plugged = _plugged(devices, name)
    devices.fake_bus.unplug(plugged.path)
    return _out(next(s for s in devices.status() if s.name == name))


@router.post("/{name}/plug", response_model=DeviceOut)
async def plug(name: str, cashier: Cashier, devices: Devices) -> DeviceOut:
    """Plug a fake scanner back in; the manager re-attaches it within a second."""
    device, path = _fake(devices, name)
    if path not in devices.fake_bus.devices:
        devices.fake_bus.plug(path, name=f"Fake scanner {device.name}")
    return _out(next(s for s in devices.status() if s.name == name))
