"""The decoder against recorded scanner events (tests/fixtures/devices/README.md).

The recordings are made by ``recording.typing_events``; so that decoding
them is not the encoder checked against itself, the key sequences are
also checked against facts from outside our tables: python-evdev's
``ecodes`` names, the HID usage table, and what the German and French
layouts print on each key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evdev import ecodes

from edge.devices.scanner import keys
from edge.devices.scanner.decoder import (
    Scan,
    ScanDecoder,
    UnreadableScan,
    decode,
    decode_line,
)
from edge.devices.scanner.keys import DE, FR, LAYOUTS, US
from edge.devices.scanner.recording import RECORD, InputEvent, from_records, typing_events

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "devices"


def events(name: str) -> list[InputEvent]:
    return list(from_records((FIXTURES / name).read_bytes()))


def triples(evs: list[InputEvent]) -> list[tuple[int, int, int]]:
    return [(e.type, e.code, e.value) for e in evs]


def pressed(evs: list[InputEvent]) -> list[str]:
    """Key-down events by their kernel names (from evdev, not our tables)."""
    names = []
    for e in evs:
        if e.type == ecodes.EV_KEY and e.value == 1:
            name = ecodes.KEY[e.code]
            names.append(name if isinstance(name, str) else name[0])
    return names


@pytest.mark.parametrize(
    ("fixture", "layout", "text"),
    [
        ("us_ean13.events", US, "8901234000021"),
        ("us_sku_shift.events", US, "SKU-Ab12"),
        ("us_sku_caps_lock.events", US, "SKU-Ab12"),
        ("de_sku_shift.events", DE, "SKU-Ab12"),
        ("fr_sku_shift.events", FR, "SKU-Ab12"),
    ],
)
def test_each_recording_decodes_to_exactly_its_text(
    fixture: str, layout: keys.Layout, text: str
) -> None:
    assert decode(triples(events(fixture)), layout) == [Scan(text)]


def test_the_scanners_layout_decides_the_text() -> None:
    # The same key presses mean different text: read with the US table, a
    # German scanner's '-' (the key US keyboards print '/' on) becomes '/'.
    assert decode(triples(events("de_sku_shift.events")), US) == [Scan("SKU/Ab12")]
    assert decode(triples(events("fr_sku_shift.events")), US) != [Scan("SKU-Ab12")]


def test_recordings_carry_the_keys_real_layouts_use() -> None:
    ean = pressed(events("us_ean13.events"))
    assert ean == [f"KEY_{d}" for d in "8901234000021"] + ["KEY_ENTER"]
    # German QWERTZ: '-' is on the key right of '.', which the kernel calls KEY_SLASH.
    de = pressed(events("de_sku_shift.events"))
    assert de[de.index("KEY_U") + 1] == "KEY_SLASH"
    # French AZERTY: 'A' is on KEY_Q, '-' on the 6 key, and digits need shift.
    fr = pressed(events("fr_sku_shift.events"))
    assert fr == [
        "KEY_LEFTSHIFT", "KEY_S", "KEY_LEFTSHIFT", "KEY_K", "KEY_LEFTSHIFT", "KEY_U", "KEY_6",
        "KEY_LEFTSHIFT", "KEY_Q", "KEY_B", "KEY_LEFTSHIFT", "KEY_1", "KEY_LEFTSHIFT", "KEY_2",
        "KEY_ENTER",
    ]  # fmt: skip


def test_recordings_look_like_kernel_output() -> None:
    data = (FIXTURES / "us_ean13.events").read_bytes()
    assert RECORD.size == 24
    assert len(data) % 24 == 0
    evs = events("us_ean13.events")
    # Each HID report: MSC_SCAN with the HID usage, the key, then SYN_REPORT.
    first = evs[:3]
    assert [(e.type, e.code) for e in first] == [
        (ecodes.EV_MSC, ecodes.MSC_SCAN),
        (ecodes.EV_KEY, ecodes.KEY_8),
        (ecodes.EV_SYN, ecodes.SYN_REPORT),
    ]
    assert first[0].value == 0x70025  # HID usage table: keyboard '8' is 0x25
    shift = events("us_sku_shift.events")[0]
    assert (shift.code, shift.value) == (ecodes.MSC_SCAN, 0x700E1)  # left shift
    assert [e.sec * 1_000_000 + e.usec for e in evs] == sorted(
        e.sec * 1_000_000 + e.usec for e in evs
    )


def test_our_key_codes_are_the_kernels() -> None:
    ours = {name: value for name, value in vars(keys).items() if name.startswith(("KEY_", "EV_"))}
    assert len(ours) > 60
    for name, value in ours.items():
        assert getattr(ecodes, name) == value, name
    for letter, code in keys.LETTER_KEYS.items():
        assert getattr(ecodes, f"KEY_{letter.upper()}") == code


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_character_of_a_layout_round_trips(name: str) -> None:
    layout = LAYOUTS[name]
    text = "".join(sorted(layout.characters)) + "\n"
    assert decode(triples(typing_events(text, layout)), layout) == [Scan(text[:-1])]
    caps = decode(triples(typing_events(text, layout, caps_lock=True)), layout)
    assert caps == [Scan(text[:-1])]


def feed_all(decoder: ScanDecoder, evs: list[tuple[int, int, int]]) -> list[object]:
    return [r for r in (decoder.feed(*e) for e in evs) if r is not None]


def down_up(code: int) -> list[tuple[int, int, int]]:
    return [(1, code, 1), (0, 0, 0), (1, code, 0), (0, 0, 0)]


def test_a_dead_key_makes_the_scan_unreadable_not_wrong() -> None:
    # On a German scanner the key right of ß is the dead accent key: no character.
    evs = [*down_up(keys.KEY_1), *down_up(keys.KEY_EQUAL), *down_up(keys.KEY_2)]
    evs += down_up(keys.KEY_ENTER)
    result = feed_all(ScanDecoder(DE), evs)
    assert result == [UnreadableScan("unmapped_key", (keys.KEY_EQUAL,))]
    # The next scan starts clean.
    assert feed_all(ScanDecoder(DE), [*down_up(keys.KEY_3), *down_up(keys.KEY_ENTER)]) == [
        Scan("3")
    ]


def test_ctrl_held_or_an_unknown_key_is_unreadable() -> None:
    ctrl = [(1, keys.KEY_LEFTCTRL, 1), *down_up(keys.KEY_J), (1, keys.KEY_LEFTCTRL, 0)]
    assert feed_all(ScanDecoder(), [*ctrl, *down_up(keys.KEY_ENTER)]) == [
        UnreadableScan("modifier_held")
    ]
    f1 = 59  # KEY_F1
    assert feed_all(ScanDecoder(), [*down_up(f1), *down_up(keys.KEY_ENTER)]) == [
        UnreadableScan("unmapped_key", (f1,))
    ]


def test_too_long_repeat_and_lone_enter() -> None:
    decoder = ScanDecoder(max_length=4)
    long = [e for _ in range(5) for e in down_up(keys.KEY_1)] + down_up(keys.KEY_ENTER)
    assert feed_all(decoder, long) == [UnreadableScan("too_long")]
    repeat = [*down_up(keys.KEY_1), (1, keys.KEY_2, 1), (1, keys.KEY_2, 2), (1, keys.KEY_2, 0)]
    assert feed_all(decoder, [*repeat, *down_up(keys.KEY_ENTER)]) == [Scan("12")]
    assert feed_all(decoder, down_up(keys.KEY_ENTER)) == []


def test_right_shift_keypad_and_configured_terminators() -> None:
    evs = [(1, keys.KEY_RIGHTSHIFT, 1), *down_up(keys.KEY_X), (1, keys.KEY_RIGHTSHIFT, 0)]
    evs += [*down_up(keys.KEY_KP4), *down_up(keys.KEY_KP2)]
    assert feed_all(ScanDecoder(), [*evs, *down_up(keys.KEY_KPENTER)]) == [Scan("X42")]
    tab_ended = ScanDecoder.named("us", ["tab"])
    # Enter does not end a scan here, and is no character: that scan is unreadable.
    enter_then_tab = [*evs, *down_up(keys.KEY_ENTER), *down_up(keys.KEY_TAB)]
    assert feed_all(tab_ended, enter_then_tab) == [
        UnreadableScan("unmapped_key", (keys.KEY_ENTER,))
    ]
    assert feed_all(tab_ended, [*evs, *down_up(keys.KEY_TAB)]) == [Scan("X42")]


def test_serial_lines() -> None:
    assert decode_line(b"8901234000021\r\n") == Scan("8901234000021")
    assert decode_line(b"\r\n") is None
    assert decode_line(b"\xff\xfe12\r\n") == UnreadableScan("undecodable_bytes")
    assert decode_line(b"12\x1b[A\r") == UnreadableScan("undecodable_bytes")


def test_python_evdev_events_decode_the_same() -> None:
    """What python-evdev's async_read_loop yields (its own InputEvent) goes straight in."""
    from evdev.events import InputEvent as EvdevEvent

    decoder = ScanDecoder(FR)
    found = []
    for e in events("fr_sku_shift.events"):
        real = EvdevEvent(e.sec, e.usec, e.type, e.code, e.value)
        result = decoder.feed(real.type, real.code, real.value)
        if result is not None:
            found.append(result)
    assert found == [Scan("SKU-Ab12")]


def test_a_box_without_input_devices_reports_the_scanner_missing() -> None:
    import errno

    from edge.devices.scanner import EvdevBus, HidScanner, Match
    from tests.edge.devices import run

    bus = EvdevBus("/nonexistent/input")
    assert bus.list_devices() == []
    scanner = HidScanner("till-1", bus, Match(vendor=0x0C2E, product=0x0B61), ScanDecoder)

    class Silent:
        def connected(self, **detail: object) -> None:
            raise AssertionError("nothing to connect to")

        def event(self, kind: str, data: dict[str, object]) -> None:
            raise AssertionError(kind)

    with pytest.raises(OSError, match="no scanner matching 0c2e:0b61") as caught:
        run(scanner.start(Silent()))
    assert caught.value.errno == errno.ENODEV
