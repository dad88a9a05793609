"""Barcode scanners: key codes to text (pure), recordings, sources, and the scanner devices.

Invariant: a scan is either exactly the text the scanner meant, decoded
with the layout the scanner is programmed for, or an "unreadable" event;
never a guess. See docs/DEVICES.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.devices.scanner.decoder import Scan, ScanDecoder, UnreadableScan, decode
from edge.devices.scanner.device import HidScanner, Match, SerialScanner
from edge.devices.scanner.keys import LAYOUTS, Layout
from edge.devices.scanner.recording import from_records, to_records, typing_events
from edge.devices.scanner.sources import EvdevBus, FakeInputBus

if TYPE_CHECKING:
    from edge.settings import DeviceConfig

__all__ = [
    "LAYOUTS",
    "EvdevBus",
    "FakeInputBus",
    "HidScanner",
    "Layout",
    "Match",
    "Scan",
    "ScanDecoder",
    "SerialScanner",
    "UnreadableScan",
    "build",
    "decode",
    "fake_path",
    "from_records",
    "to_records",
    "typing_events",
]


def fake_path(config: DeviceConfig) -> str:
    return config.path or f"/dev/input/by-id/fake-{config.name}-event-kbd"


def build(config: DeviceConfig, fake_bus: FakeInputBus) -> HidScanner | SerialScanner:
    """The scanner a settings entry describes (fake ones are plugged into ``fake_bus``)."""
    if config.transport == "serial":
        assert config.path is not None
        return SerialScanner(config.name, config.path, config.baudrate)

    def decoder() -> ScanDecoder:
        return ScanDecoder.named(config.layout, config.terminators)

    if config.transport == "fake":
        path = fake_path(config)
        device = fake_bus.plug(path, name=f"Fake scanner {config.name}")
        if config.replay is not None:
            device.feed(from_records(config.replay.read_bytes()))
        return HidScanner(config.name, fake_bus, Match(path=path), decoder, transport="fake")
    vendor = product = None
    if config.usb_id is not None:
        vendor, product = (int(part, 16) for part in config.usb_id.split(":"))
    match = Match(path=config.path, name=config.device_name, vendor=vendor, product=product)
    return HidScanner(config.name, EvdevBus(), match, decoder, grab=config.grab)
