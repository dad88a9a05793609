"""Posting rules: a business document in, a balanced journal entry out.

Pure functions, no I/O. An amount is signed integer paise: a debit is
positive, a credit negative, so an entry balances when its amounts sum to
zero and a trial balance is one ``SUM`` per account. Nothing is ever
"absorbed": an entry that does not balance to the paisa is refused
(``LEDGER_UNBALANCED``), and the sale's own round-off is a line of its own.

The rules (``setledger.chart`` names the accounts):

- sale: Dr cash of the store (cash tendered less change), Dr UPI and card
  clearing; Cr sales at each rate (taxable value), Cr output tax per head
  (CGST, SGST or UTGST, IGST, cess); the round-off on whichever side it
  falls;
- return (credit note): the same lines, mirrored: Dr sales returns, Dr
  output tax (the reversal of the tax), Cr what was refunded;
- payment received: Dr bank, Cr receivables or a clearing account (a UPI
  or card settlement landing in the bank);
- shift cash over/short: counted minus expected, to cash over (income) or
  cash short (expense);
- cost of sale (when cost prices exist): Dr COGS, Cr inventory;
- stock at cost (``setledger.valuation`` values it): goods received, Dr
  inventory, Cr goods received not invoiced (the supplier's bill clears
  it); goods returned by a customer, Dr inventory, Cr COGS at the cost
  they went out at; a stock adjustment, inventory against stock
  adjustments (either way); the settlement of oversold units, COGS
  against inventory (either way);
- reversal: every line of an entry negated, referring to it;
- debit note (issued at the hub): Dr receivables, Cr sales and output tax
  per head at each rate, as a sale of the difference would credit them;
- year close: every income and expense balance of the financial year
  moved to retained earnings, per store (the statements leave close
  entries out of the P&L, so a closed year still shows its profit).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from setledger import chart, errors
from setledger.money import Paise


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Paise
    """Debit positive, credit negative; never zero."""
    store_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EntryDraft:
    """A journal entry before it has a place in the chain."""

    source_type: str
    """``sale``, ``return``, ``payment``, ``shift``, ``cost``, ``reversal``, ``manual``."""
    source_id: uuid.UUID
    """The business document (unique per org and type: posting twice is a no-op)."""
    entry_date: date
    narration: str
    postings: tuple[Posting, ...]
    store_id: uuid.UUID | None = None
    reverses: uuid.UUID | None = None


@dataclass(frozen=True)
class TaxedAmounts:
    """A rate's (or a line's) taxable value and tax per head, in paise."""

    rate_bp: int
    taxable: Paise
    cgst: Paise = 0
    sgst: Paise = 0
    igst: Paise = 0
    cess: Paise = 0


@dataclass(frozen=True)
class SaleDocument:
    sale_id: uuid.UUID
    business_date: date
    invoice_no: str
    store_id: uuid.UUID
    store_code: str
    lines: tuple[TaxedAmounts, ...]
    round_off: Paise
    tenders: tuple[tuple[str, Paise], ...]
    """(kind, amount) with kind ``cash``, ``upi`` or ``card``."""
    change: Paise = 0
    union_territory: bool = False
    """Seller in a UT without a legislature: the SGST half is UTGST."""


@dataclass(frozen=True)
class ReturnDocument:
    """A credit note: what is given back, as the lines and refunds of a sale."""

    return_id: uuid.UUID
    business_date: date
    note_no: str
    store_id: uuid.UUID
    store_code: str
    lines: tuple[TaxedAmounts, ...]
    round_off: Paise
    refunds: tuple[tuple[str, Paise], ...]
    union_territory: bool = False


@dataclass(frozen=True)
class PaymentDocument:
    payment_id: uuid.UUID
    received_on: date
    amount: Paise
    settles: str = chart.RECEIVABLES
    """What the money clears: receivables, UPI clearing or card clearing."""
    reference: str = ""
    store_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ShiftCount:
    shift_id: uuid.UUID
    business_date: date
    store_id: uuid.UUID
    store_code: str
    expected_cash: Paise
    counted_cash: Paise


SETTLEABLE = frozenset({chart.RECEIVABLES, chart.UPI_CLEARING, chart.CARD_CLEARING})


def _tender_account(kind: str, store_code: str) -> str:
    if kind == "cash":
        return chart.cash_account(store_code)
    if kind == "upi":
        return chart.UPI_CLEARING
    if kind == "card":
        return chart.CARD_CLEARING
    raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=f"tender:{kind}")


def _merge(amounts: Iterable[tuple[str, Paise]], store_id: uuid.UUID | None) -> tuple[Posting, ...]:
    """One posting per account (in first-seen order), zero sums dropped."""
    sums: dict[str, int] = defaultdict(int)
    for account, amount in amounts:
        sums[account] += amount
    return tuple(Posting(a, amount, store_id) for a, amount in sums.items() if amount != 0)


def _revenue_side(
    lines: Sequence[TaxedAmounts], round_off: Paise, ut: bool, *, returned: bool
) -> list[tuple[str, Paise]]:
    """Credits of a sale (negative amounts); a return's debits when ``returned``."""
    state_head = chart.OUTPUT_UTGST if ut else chart.OUTPUT_SGST
    sign = 1 if returned else -1
    out: list[tuple[str, Paise]] = []
    heads = (
        (chart.OUTPUT_CGST, "cgst"),
        (state_head, "sgst"),
        (chart.OUTPUT_IGST, "igst"),
        (chart.OUTPUT_CESS, "cess"),
    )
    for line in lines:
        rate = line.rate_bp
        sales = (
            chart.rated_account(chart.SALES_RETURNS, rate)
            if returned
            else chart.sales_account(rate)
        )
        out.append((sales, sign * line.taxable))
        out.extend(
            (chart.rated_account(head, rate), sign * getattr(line, attribute))
            for head, attribute in heads
        )
    out.append((chart.ROUND_OFF, sign * round_off))
    return out


def post_sale(sale: SaleDocument) -> EntryDraft:
    received: list[tuple[str, Paise]] = [
        (_tender_account(kind, sale.store_code), amount) for kind, amount in sale.tenders
    ]
    received.append((chart.cash_account(sale.store_code), -sale.change))
    draft = EntryDraft(
        source_type="sale",
        source_id=sale.sale_id,
        entry_date=sale.business_date,
        narration=f"Sale {sale.invoice_no}",
        postings=_merge(
            [
                *received,
                *_revenue_side(sale.lines, sale.round_off, sale.union_territory, returned=False),
            ],
            sale.store_id,
        ),
        store_id=sale.store_id,
    )
    return check_balanced(draft)


def post_return(note: ReturnDocument) -> EntryDraft:
    refunded = [(_tender_account(kind, note.store_code), -amount) for kind, amount in note.refunds]
    draft = EntryDraft(
        source_type="return",
        source_id=note.return_id,
        entry_date=note.business_date,
        narration=f"Credit note {note.note_no}",
        postings=_merge(
            [
                *_revenue_side(note.lines, note.round_off, note.union_territory, returned=True),
                *refunded,
            ],
            note.store_id,
        ),
        store_id=note.store_id,
    )
    return check_balanced(draft)


def post_payment(payment: PaymentDocument) -> EntryDraft:
    if payment.settles not in SETTLEABLE:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=payment.settles)
    reference = f" ({payment.reference})" if payment.reference else ""
    draft = EntryDraft(
        source_type="payment",
        source_id=payment.payment_id,
        entry_date=payment.received_on,
        narration=f"Payment received{reference}",
        postings=_merge(
            [(chart.BANK, payment.amount), (payment.settles, -payment.amount)], payment.store_id
        ),
        store_id=payment.store_id,
    )
    return check_balanced(draft)


def post_shift_count(count: ShiftCount) -> EntryDraft | None:
    """Cash over or short at the close of a shift; None when the count is exact."""
    difference = count.counted_cash - count.expected_cash
    if difference == 0:
        return None
    other = chart.CASH_OVER if difference > 0 else chart.CASH_SHORT
    draft = EntryDraft(
        source_type="shift",
        source_id=count.shift_id,
        entry_date=count.business_date,
        narration=f"Cash {'over' if difference > 0 else 'short'} at shift close",
        postings=_merge(
            [(chart.cash_account(count.store_code), difference), (other, -difference)],
            count.store_id,
        ),
        store_id=count.store_id,
    )
    return check_balanced(draft)


def post_cost_of_sale(
    sale_id: uuid.UUID, on: date, cost: Paise, store_id: uuid.UUID | None = None
) -> EntryDraft | None:
    """Stock valuation of a sale, for orgs that keep cost prices."""
    if cost == 0:
        return None
    draft = EntryDraft(
        source_type="cost",
        source_id=sale_id,
        entry_date=on,
        narration="Cost of goods sold",
        postings=_merge([(chart.COGS, cost), (chart.INVENTORY, -cost)], store_id),
        store_id=store_id,
    )
    return check_balanced(draft)


def _stock_entry(
    source_type: str,
    source_id: uuid.UUID,
    on: date,
    narration: str,
    inventory: Paise,
    other: str,
    store_id: uuid.UUID | None,
    settlement: Paise = 0,
) -> EntryDraft | None:
    """``inventory`` paise into stock (negative: out of it) against ``other``; and
    the ``settlement`` of oversold units the inflow covered, Dr COGS, Cr inventory."""
    amounts = [
        (chart.INVENTORY, inventory),
        (other, -inventory),
        (chart.COGS, settlement),
        (chart.INVENTORY, -settlement),
    ]
    postings = _merge(amounts, store_id)
    if not postings:
        return None
    draft = EntryDraft(
        source_type=source_type,
        source_id=source_id,
        entry_date=on,
        narration=narration,
        postings=postings,
        store_id=store_id,
    )
    return check_balanced(draft)


def post_goods_received(
    receipt_id: uuid.UUID,
    on: date,
    value: Paise,
    reference: str = "",
    store_id: uuid.UUID | None = None,
    settlement: Paise = 0,
) -> EntryDraft | None:
    """Goods in from a supplier at cost: Dr inventory, Cr goods received not invoiced
    (negative ``value``: goods sent back before the bill, the same lines reversed)."""
    label = f" ({reference})" if reference else ""
    return _stock_entry(
        "receipt",
        receipt_id,
        on,
        f"Goods received{label}",
        value,
        chart.GOODS_RECEIVED_NOT_INVOICED,
        store_id,
        settlement,
    )


def post_goods_returned(
    move_id: uuid.UUID,
    on: date,
    value: Paise,
    cleared: Paise,
    store_id: uuid.UUID | None = None,
    settlement: Paise = 0,
) -> EntryDraft | None:
    """Goods sent back to the supplier: Cr inventory at the stock's cost (``value``, the
    move's change to the stock, negative), Dr goods received not invoiced at the
    purchase order's cost (``cleared``), the difference to COGS (either sign)."""
    amounts = [
        (chart.INVENTORY, value),
        (chart.GOODS_RECEIVED_NOT_INVOICED, cleared),
        (chart.COGS, -value - cleared + settlement),
        (chart.INVENTORY, -settlement),
    ]
    postings = _merge(amounts, store_id)
    if not postings:
        return None
    draft = EntryDraft(
        source_type="goods_returned",
        source_id=move_id,
        entry_date=on,
        narration="Goods returned to the supplier",
        postings=postings,
        store_id=store_id,
    )
    return check_balanced(draft)


def post_cost_of_return(
    return_id: uuid.UUID,
    on: date,
    cost: Paise,
    store_id: uuid.UUID | None = None,
    settlement: Paise = 0,
) -> EntryDraft | None:
    """Returned goods back into stock at the cost they went out at: Dr inventory, Cr COGS."""
    return _stock_entry(
        "cost_return",
        return_id,
        on,
        "Returned goods back to stock at cost",
        cost,
        chart.COGS,
        store_id,
        settlement,
    )


def post_stock_adjustment(
    adjustment_id: uuid.UUID,
    on: date,
    value: Paise,
    reason: str = "",
    store_id: uuid.UUID | None = None,
    settlement: Paise = 0,
) -> EntryDraft | None:
    """Stock found (``value`` > 0: Dr inventory) or lost (Cr inventory), against stock adjustments."""
    label = f": {reason}" if reason else ""
    return _stock_entry(
        "adjustment",
        adjustment_id,
        on,
        f"Stock adjustment{label}",
        value,
        chart.STOCK_ADJUSTMENTS,
        store_id,
        settlement,
    )


def post_cost_settlement(
    source_id: uuid.UUID,
    on: date,
    amount: Paise,
    store_id: uuid.UUID | None = None,
    *,
    source_type: str = "cost_settlement",
    narration: str = "Oversold stock settled at its cost",
) -> EntryDraft | None:
    """``amount`` more (or, negative, less) COGS than was charged, against inventory:
    oversold units costed at what covered them, or a revaluation of the stock."""
    return _stock_entry(source_type, source_id, on, narration, -amount, chart.COGS, store_id)


def reverse(
    entry_id: uuid.UUID, postings: Sequence[Posting], on: date, narration: str
) -> EntryDraft:
    """The entry that undoes another: the only way a posted entry is corrected."""
    draft = EntryDraft(
        source_type="reversal",
        source_id=entry_id,
        entry_date=on,
        narration=narration,
        postings=tuple(Posting(p.account, -p.amount, p.store_id) for p in postings),
        reverses=entry_id,
    )
    return check_balanced(draft)


def check_balanced(draft: EntryDraft) -> EntryDraft:
    """The draft itself if it balances and has lines; refused otherwise."""
    debits = sum(p.amount for p in draft.postings if p.amount > 0)
    credits = -sum(p.amount for p in draft.postings if p.amount < 0)
    if debits != credits or not draft.postings or any(p.amount == 0 for p in draft.postings):
        raise errors.LEDGER_UNBALANCED.error(
            source=f"{draft.source_type} {draft.source_id}", debits=debits, credits=credits
        )
    for posting in draft.postings:
        chart.account(posting.account)  # refuses a code outside the chart
    return draft


@dataclass
class TrialBalance:
    """Balances per account in paise (debit positive), from drafts or the database."""

    balances: dict[str, Paise] = field(default_factory=dict)

    def add(self, postings: Iterable[Posting]) -> None:
        for posting in postings:
            self.balances[posting.account] = self.balances.get(posting.account, 0) + posting.amount

    @property
    def total(self) -> Paise:
        return sum(self.balances.values())

    def of(self, accounts: Iterable[str]) -> Paise:
        return sum(self.balances.get(code, 0) for code in accounts)


def gst_payable(balances: Mapping[str, Paise]) -> Paise:
    """Output tax owed (credit balances of the output heads) less input tax."""
    output = -sum(a for code, a in balances.items() if chart.parent_of(code) in chart.OUTPUT_TAX)
    return output - sum(balances.get(code, 0) for code in chart.INPUT_TAX)


def post_year_close(
    close_id: uuid.UUID,
    year_end: date,
    label: str,
    balances: Iterable[tuple[str, uuid.UUID | None, Paise]],
) -> EntryDraft | None:
    """Close a year: (account, store, balance) of its income and expense accounts
    to retained earnings, store by store; None when there is nothing to close."""
    postings: list[Posting] = []
    earnings: dict[uuid.UUID | None, int] = defaultdict(int)
    for account, store_id, balance in balances:
        if chart.account(account).kind not in (chart.AccountKind.INCOME, chart.AccountKind.EXPENSE):
            raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=account)
        if balance:
            postings.append(Posting(account, -balance, store_id))
            earnings[store_id] += balance
    postings.extend(
        Posting(chart.RETAINED_EARNINGS, amount, store_id)
        for store_id, amount in earnings.items()
        if amount
    )
    if not postings:
        return None
    draft = EntryDraft(
        source_type="close",
        source_id=close_id,
        entry_date=year_end,
        narration=f"Close of financial year {label}: profit to retained earnings",
        postings=tuple(postings),
    )
    return check_balanced(draft)


@dataclass(frozen=True)
class DebitNoteDocument:
    """A debit note issued at the hub: what the buyer owes on top of an invoice
    that under-charged (a price revised upward, a short-billed quantity)."""

    debit_note_id: uuid.UUID
    business_date: date
    note_no: str
    original_invoice_no: str
    store_id: uuid.UUID
    """The original sale's store: the note adds to that store's sales."""
    lines: tuple[TaxedAmounts, ...]
    round_off: Paise = 0
    union_territory: bool = False


def post_debit_note(note: DebitNoteDocument) -> EntryDraft:
    """Dr trade receivables (the buyer owes the difference); Cr sales and output
    tax per head at each rate, as a sale of the difference would credit them."""
    owed = note.round_off + sum(
        line.taxable + line.cgst + line.sgst + line.igst + line.cess for line in note.lines
    )
    draft = EntryDraft(
        source_type="debit_note",
        source_id=note.debit_note_id,
        entry_date=note.business_date,
        narration=f"Debit note {note.note_no} on invoice {note.original_invoice_no}",
        postings=_merge(
            [
                (chart.RECEIVABLES, owed),
                *_revenue_side(note.lines, note.round_off, note.union_territory, returned=False),
            ],
            note.store_id,
        ),
        store_id=note.store_id,
    )
    return check_balanced(draft)
