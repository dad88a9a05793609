"""The receipt printer's settings (``BoxSettings.printer``, env ``SETLEDGER_BOX_PRINTER``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PrinterConfig(BaseModel):
    """One ESC/POS receipt printer, with the cash drawer on its kick port."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="receipt", pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    transport: Literal["network", "usb", "serial", "file", "lp"] = "network"
    host: str | None = None
    """network: the printer's address (it listens on ``port``, 9100 by default)."""
    port: int = Field(default=9100, gt=0, lt=65536)
    usb_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")
    """usb: vendor:product in hex, e.g. "04b8:0e15" (needs python-escpos[usb])."""
    path: str | None = None
    """serial: the port (/dev/ttyUSB0); file: a device path (/dev/usb/lp0)."""
    baudrate: int = Field(default=9600, gt=0)
    queue: str | None = None
    """lp: the CUPS queue (a raw queue; ``lp -d <queue> -o raw``)."""
    paper_mm: Literal[58, 80] = 80
    logo: Path | None = None
    """An image printed at the top of each receipt (black and white, at most the roll's width)."""
    footer: str = Field(default="Thank you. Please visit again.", max_length=200)
    kick_drawer: bool = True
    """Open the drawer (ESC p) for sales with a cash tender and for approved no-sale opens."""
    drawer_pin: Literal[2, 5] = 2
    timeout_s: float = Field(default=5.0, gt=0)
    poll_s: float = Field(default=1.0, gt=0)
    """How often the worker looks for due jobs when nothing woke it."""
    status_poll_s: float = Field(default=5.0, gt=0)
    """How often an idle worker asks the printer's status (DLE EOT; a connect on TCP 9100),
    so the counter sees a printer go away or run out of paper before the next receipt."""
    retry_base_s: float = Field(default=2.0, gt=0)
    retry_cap_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=50, ge=1)
    """A job that failed this many times is marked failed (reprint it by hand)."""

    @model_validator(mode="after")
    def _transport_needs(self) -> PrinterConfig:
        need = {"network": "host", "usb": "usb_id", "serial": "path", "file": "path", "lp": "queue"}
        key = need[self.transport]
        if not getattr(self, key):
            raise ValueError(f"a {self.transport} printer needs {key}")
        return self
