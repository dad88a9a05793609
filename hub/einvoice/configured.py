"""The connector the settings name (``SETLEDGER_HUB_EINVOICE_CONNECTOR``)."""

from __future__ import annotations

from pathlib import Path

from hub.einvoice.connector import Connector
from hub.einvoice.sandbox import SandboxConnector

DEFAULT_SANDBOX_FILE = Path("var/hub/irp-sandbox.db")


def configured_connector(setting: str) -> Connector | None:
    """``none`` -> None (queue only), ``sandbox[:path]`` -> the IRP stand-in."""
    if setting == "none":
        return None
    kind, _, path = setting.partition(":")
    if kind == "sandbox":
        return SandboxConnector(Path(path) if path else DEFAULT_SANDBOX_FILE)
    raise ValueError(f"unknown e-invoice connector {setting!r}: use none or sandbox[:path]")
