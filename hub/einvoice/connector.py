"""The seam between the queue and an IRP: submit one INV-01 document, get an outcome.

A connector answers one of four outcomes and never raises for the IRP's
own answers; the queue decides what each means:

- :class:`Accepted` — the IRP issued an IRN (AckNo, AckDt, signed invoice/QR);
- :class:`Duplicate` — the IRP already issued an IRN for this document
  (error 2150 "Duplicate IRN"); it carries that IRN and acknowledgement,
  which is how a submission whose answer we lost (a crash) ends correctly;
- :class:`Rejected` — the IRP refused the document (codes and messages):
  sending it again cannot help, so it is not retried;
- :class:`Unavailable` — network error, time-out or 5xx: retried with back-off.

Portal connectors (GSP/ASP APIs) come later; :mod:`hub.einvoice.sandbox`
behaves like the IRP for tests and the demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

DUPLICATE_IRN = "2150"
"""The IRP's error code for a document whose IRN it has already issued."""


@dataclass(frozen=True)
class IrpError:
    code: str
    message: str


@dataclass(frozen=True)
class Accepted:
    irn: str
    ack_no: str
    ack_dt: str
    """``YYYY-MM-DD HH:MM:SS`` in IST, as the IRP writes it."""
    signed_invoice: str | None = None
    signed_qr: str | None = None


@dataclass(frozen=True)
class Duplicate:
    irn: str
    ack_no: str
    ack_dt: str


@dataclass(frozen=True)
class Rejected:
    errors: tuple[IrpError, ...]


@dataclass(frozen=True)
class Unavailable:
    reason: str


Outcome = Accepted | Duplicate | Rejected | Unavailable


class Connector(Protocol):
    """Sends documents to an IRP. Implementations convert their transport's
    errors to :class:`Unavailable` at this boundary."""

    @property
    def name(self) -> str: ...

    def submit(self, document: Mapping[str, Any]) -> Outcome:
        """Submit one INV-01 v1.1 document (amounts as ``Decimal``)."""
        ...
