"""Box settings, read once at start from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from edge.devices.printer.config import PrinterConfig
from setledger.gst import Rounding

Terminator = Literal["enter", "kpenter", "tab"]


def _enter_keys() -> list[Terminator]:
    return ["enter", "kpenter"]


class DeviceConfig(BaseModel):
    """One device at the counter (see docs/DEVICES.md)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    kind: Literal["scanner"] = "scanner"
    transport: Literal["evdev", "serial", "fake"] = "evdev"
    path: str | None = None
    """evdev: an input device (best a stable /dev/input/by-id/... link); serial: the port."""
    device_name: str | None = None
    """evdev: match the input device's name instead of a path."""
    usb_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")
    """evdev: match vendor:product (hex), e.g. "0c2e:0b61"."""
    layout: Literal["us", "de", "fr"] = "us"
    """The keyboard layout the scanner is programmed for (not the box's)."""
    terminators: list[Terminator] = Field(default_factory=_enter_keys, min_length=1)
    """Keys that end a scan (the scanner's suffix)."""
    baudrate: int = Field(default=9600, gt=0)
    grab: bool = True
    """evdev: hold the device exclusively so scans never type into other apps."""
    replay: Path | None = None
    """fake: a recording (24-byte kernel events) the fake scanner plays at start."""

    @model_validator(mode="after")
    def _serial_needs_a_port(self) -> DeviceConfig:
        if self.transport == "serial" and not self.path:
            raise ValueError("a serial scanner needs path (e.g. /dev/ttyACM0)")
        return self


class BoxSettings(BaseModel):
    data_dir: Path = Path("var/box")
    """Holds box.db, its WAL, and backups/ taken before each migration."""
    environment: str = "development"
    rounding: Rounding = Rounding.RUPEE
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_lines_per_sale: int = Field(default=500, ge=1)
    provision_file: Path | None = None
    """A provisioning bundle (identity + catalog snapshot) applied at start."""
    log_level: str = "INFO"
    broker_url: str | None = None
    """Overrides the provisioned broker (mqtt://host:port), e.g. after a move."""
    hub_url: str | None = None
    """Overrides the provisioned hub URL for catalog blobs."""
    replicate: bool = True
    """Run the replicator when a broker is known (tests of the box alone turn it off)."""
    clock_offset_s: int = 0
    """Added to the system clock. For drills and tests of clock faults (a box
    that believes it is 1970); leave at 0 in a shop."""
    ack_timeout_s: float = Field(default=10.0, gt=0)
    """Resend from the oldest unacked row when the hub's ack has not moved for this long."""
    require_sign_in: bool = True
    """Selling (carts, POST /sales) needs a cashier signed in with a PIN. Off only
    for drills and for tests that exercise something else."""
    session_hours: int = Field(default=12, ge=1, le=24)
    """A box session lasts a shift at most."""
    pin_max_failures: int = Field(default=5, ge=1)
    """Wrong PINs in a row before the member is locked out at this box."""
    pin_lockout_s: int = Field(default=300, ge=1)
    """The first lock; each further lock without a right PIN in between doubles it."""
    pin_lockout_max_s: int = Field(default=3600, ge=1)
    """The longest lock: with 5 tries an hour a 4-digit PIN takes weeks to guess."""
    discount_limit_bp: int = Field(default=1000, ge=0, le=10000)
    """A line discount above this share of the line's gross (basis points of a
    percent: 1000 = 10%) needs a manager's PIN."""
    expiry_warn_days: int = Field(default=30, ge=0, le=3650)
    """A line's lot expiring within this many days is warned about at the counter."""
    printer: PrinterConfig | None = None
    """The receipt printer and its cash drawer (docs/DEVICES.md); none by default."""
    devices: list[DeviceConfig] = Field(default_factory=list)
    """Scanners (and later printers) the box runs; none by default."""

    @model_validator(mode="after")
    def _device_names_unique(self) -> BoxSettings:
        names = [device.name for device in self.devices]
        if len(names) != len(set(names)):
            raise ValueError(f"device names must be unique: {names}")
        return self

    @property
    def db_path(self) -> Path:
        return self.data_dir / "box.db"

    @property
    def watermark_path(self) -> Path:
        return self.data_dir / "box.watermark.json"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @classmethod
    def from_env(cls) -> BoxSettings:
        env = os.environ
        values: dict[str, object] = {}
        if "SETLEDGER_BOX_DATA_DIR" in env:
            values["data_dir"] = Path(env["SETLEDGER_BOX_DATA_DIR"])
        if "SETLEDGER_ENV" in env:
            values["environment"] = env["SETLEDGER_ENV"]
        if "SETLEDGER_BOX_ROUNDING" in env:
            values["rounding"] = Rounding(env["SETLEDGER_BOX_ROUNDING"])
        if "SETLEDGER_BOX_PROVISION_FILE" in env:
            values["provision_file"] = Path(env["SETLEDGER_BOX_PROVISION_FILE"])
        if "SETLEDGER_BOX_BROKER_URL" in env:
            values["broker_url"] = env["SETLEDGER_BOX_BROKER_URL"]
        if "SETLEDGER_BOX_HUB_URL" in env:
            values["hub_url"] = env["SETLEDGER_BOX_HUB_URL"]
        if "SETLEDGER_BOX_CLOCK_OFFSET_S" in env:
            values["clock_offset_s"] = int(env["SETLEDGER_BOX_CLOCK_OFFSET_S"])
        if "SETLEDGER_BOX_ACK_TIMEOUT_S" in env:
            values["ack_timeout_s"] = float(env["SETLEDGER_BOX_ACK_TIMEOUT_S"])
        if "SETLEDGER_BOX_REQUIRE_SIGN_IN" in env:
            values["require_sign_in"] = env["SETLEDGER_BOX_REQUIRE_SIGN_IN"]
        if "SETLEDGER_BOX_SESSION_HOURS" in env:
            values["session_hours"] = int(env["SETLEDGER_BOX_SESSION_HOURS"])
        if "SETLEDGER_BOX_DISCOUNT_LIMIT_BP" in env:
            values["discount_limit_bp"] = int(env["SETLEDGER_BOX_DISCOUNT_LIMIT_BP"])
        if "SETLEDGER_BOX_EXPIRY_WARN_DAYS" in env:
            values["expiry_warn_days"] = int(env["SETLEDGER_BOX_EXPIRY_WARN_DAYS"])
        if "SETLEDGER_BOX_PRINTER" in env:
            values["printer"] = PrinterConfig.model_validate_json(env["SETLEDGER_BOX_PRINTER"])
        if "SETLEDGER_BOX_DEVICES" in env:
            values["devices"] = json.loads(env["SETLEDGER_BOX_DEVICES"])
        if "SETLEDGER_LOG_LEVEL" in env:
            values["log_level"] = env["SETLEDGER_LOG_LEVEL"]
        return cls.model_validate(values)
