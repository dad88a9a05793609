"""Make a scanner recording: ``python -m edge.devices.scanner --layout de 'SKU-Ab12\\n' out.events``."""

from __future__ import annotations

import argparse
from pathlib import Path

from edge.devices.scanner.keys import LAYOUTS
from edge.devices.scanner.recording import to_records, typing_events


def main(argv: list[str] | None = None) -> None:
    """``python -m edge.devices.scanner --layout de 'SKU-Ab12\\n' out.events``"""
    parser = argparse.ArgumentParser(description="Record what a scanner would send for a text.")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="us")
    parser.add_argument("--caps-lock", action="store_true")
    parser.add_argument("--start-us", type=int, default=1_764_000_000_000_000)
    parser.add_argument("text", help="the scan; \\n is the Enter key")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    text = args.text.replace("\\n", "\n")
    events = typing_events(
        text, LAYOUTS[args.layout], caps_lock=args.caps_lock, start_us=args.start_us
    )
    args.out.write_bytes(to_records(events))


if __name__ == "__main__":
    main()
