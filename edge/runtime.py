"""What the box's services share while it runs: database, clocks, settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from edge.settings import BoxSettings
from edge.store.db import BoxDatabase
from edge.store.watermark import WatermarkKeeper, series_key
from setledger.contracts.returns import parse_credit_note_number
from setledger.fiscal import parse_invoice_number
from setledger.hlc import HybridClock, from_unix_ms, unix_ms

if TYPE_CHECKING:
    from edge.services.checkout import RecordedSale
    from edge.services.receipts import ReceiptQueue


def system_now() -> datetime:
    return datetime.now(UTC)


class OutboxListener(Protocol):
    def notify(self) -> None:
        """New outbox rows were committed."""


@dataclass
class BoxRuntime:
    settings: BoxSettings
    db: BoxDatabase
    clock: HybridClock
    """Stamps sales; restored from the last sale so it never goes back."""
    wall_clock: Callable[[], datetime] = field(default=system_now)
    """The box's own idea of the time (may be wrong; travels as wall_time)."""
    watermark: WatermarkKeeper | None = None
    outbox_listener: OutboxListener | None = None
    """The replicator, when the box has a broker to talk to."""
    receipts: ReceiptQueue | None = None
    """The receipt printer's queue, when the box has a printer."""

    def now(self) -> datetime:
        """The later of the HLC and the wall clock: never goes back, even when a
        box without an RTC reboots at 1970. Session expiry and PIN locks use it,
        so turning the clock back does not revive a session or end a lock."""
        return from_unix_ms(max(self.clock.peek().wall_ms, unix_ms(self.wall_clock())))

    def sale_committed(self, recorded: RecordedSale) -> None:
        """After a sale's commit (never inside it): watermark, replication, then the receipt."""
        if not recorded.created or recorded.epoch is None or recorded.seq is None:
            return
        sale = recorded.sale
        if self.watermark is not None:
            prefix, _, serial = parse_invoice_number(sale.invoice_no)
            series = series_key(prefix, sale.financial_year)
            self.watermark.advance(recorded.epoch, recorded.stream, recorded.seq, series, serial)
        self.outbox_committed(recorded.epoch, recorded.more)
        if self.receipts is not None:
            self.receipts.sale_committed(recorded)  # never raises: the sale stands

    def return_committed(
        self, epoch: str, positions: Iterable[tuple[str, int]], note_no: str, financial_year: str
    ) -> None:
        """After a return's commit: the credit-note serial into the watermark, then replication."""
        if self.watermark is not None:
            prefix, _, serial = parse_credit_note_number(note_no)
            series = series_key(prefix, financial_year)
            self.watermark.advance_note(epoch, positions, series, serial)
        if self.outbox_listener is not None:
            self.outbox_listener.notify()

    def outbox_committed(self, epoch: str, positions: Iterable[tuple[str, int]] = ()) -> None:
        """After a commit that wrote outbox rows (stream, seq) other than a sale."""
        if self.watermark is not None:
            for stream, seq in positions:
                self.watermark.advance_seq(epoch, stream, seq)
        if self.outbox_listener is not None:
            self.outbox_listener.notify()
