"""The connector the settings name (``SETLEDGER_HUB_EINVOICE_CONNECTOR``)."""

from __future__ import annotations

from pathlib import Path

from hub.einvoice.connector import Connector
from hub.einvoice.sandbox import SandboxConnector

DEFAULT_SANDBOX_FILE = Path("var/hub/irp-sandbox.db")


def configured_connector(setting: str, *, production: bool = False) -> Connector | None:
    """``none`` -> None (queue only), ``sandbox[:path]`` -> the IRP stand-in.

    The sandbox is refused in production: its IRNs and QR codes are not the
    IRP's, and an invoice printed with one would look e-invoiced when it is not.
    """
    if setting == "none":
        return None
    kind, _, path = setting.partition(":")
    if kind == "sandbox":
        if production:
            raise ValueError(
                "SETLEDGER_HUB_EINVOICE_CONNECTOR=sandbox is for tests and demos: its IRNs "
                "are not the IRP's. Use none (and the offline export) in production."
            )
        return SandboxConnector(Path(path) if path else DEFAULT_SANDBOX_FILE)
    raise ValueError(f"unknown e-invoice connector {setting!r}: use none or sandbox[:path]")
