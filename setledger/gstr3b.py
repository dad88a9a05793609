"""GSTR-3B outward supplies (Table 3.1 a-c and 3.2) from invoice documents.

Pure, like :mod:`setledger.gstr1`, and built from the same documents so
the two returns agree. Credit notes subtract, debit notes add; amounts
are rate-wise from each document's tax breakup.

- 3.1(a) ``osup_det``: taxable outward supplies to domestic buyers
  (B2B and B2C) at a rate above zero.
- 3.1(b) ``osup_zero``: zero-rated supplies, i.e. exports and SEZ.
- 3.1(c) ``osup_nil_exmp``: domestic rows at 0% (nil-rated; the invoice
  does not tell nil-rated from exempt, both go here).
- 3.2 ``inter_sup.unreg_details``: inter-state supplies to unregistered
  buyers, by place of supply (part of 3.1(a)).

The key names are GSTN's offline-tool JSON as commonly used; they are not
in the shared reference (RULES.md open questions), so treat them as
unverified until checked against a portal download.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from setledger.gst import SupplyKind
from setledger.gstin import normalise
from setledger.gstr1 import ReturnPeriod, check_document
from setledger.invoice import DocType, Invoice, SupplyType
from setledger.money import Paise, rupees_decimal

_ZERO_RATED = frozenset(
    {
        SupplyType.SEZ_WITH_PAYMENT,
        SupplyType.SEZ_WITHOUT_PAYMENT,
        SupplyType.EXPORT_WITH_PAYMENT,
        SupplyType.EXPORT_WITHOUT_PAYMENT,
    }
)


@dataclass
class Heads:
    """Taxable value and each tax head, in paise."""

    txval: Paise = 0
    iamt: Paise = 0
    camt: Paise = 0
    samt: Paise = 0
    csamt: Paise = 0

    def add(
        self, sign: int, txval: Paise, iamt: Paise, camt: Paise, samt: Paise, cs: Paise
    ) -> None:
        self.txval += sign * txval
        self.iamt += sign * iamt
        self.camt += sign * camt
        self.samt += sign * samt
        self.csamt += sign * cs


@dataclass
class OutwardSupplies:
    """GSTR-3B 3.1 and 3.2 for one period, in paise."""

    taxable: Heads = field(default_factory=Heads)
    zero_rated: Heads = field(default_factory=Heads)
    nil_exempt: Heads = field(default_factory=Heads)
    unregistered_inter_state: dict[str, Heads] = field(default_factory=lambda: defaultdict(Heads))


def outward_supplies(documents: Sequence[Invoice]) -> OutwardSupplies:
    """Sum the documents into the 3.1/3.2 buckets (no period check)."""
    out = OutwardSupplies()
    for doc in documents:
        sign = -1 if doc.doc_type is DocType.CREDIT_NOTE else 1
        for row in doc.by_rate:
            amounts = (row.taxable, row.igst, row.cgst, row.sgst, row.cess)
            if doc.supply_type in _ZERO_RATED:
                out.zero_rated.add(sign, *amounts)
            elif row.rate_bp == 0:
                out.nil_exempt.add(sign, *amounts)
            else:
                out.taxable.add(sign, *amounts)
                if doc.supply_type is SupplyType.B2C and doc.supply_kind is SupplyKind.INTER:
                    out.unregistered_inter_state[doc.place_of_supply].add(sign, *amounts)
    return out


def _render(heads: Heads, keys: Sequence[str]) -> dict[str, Any]:
    return {key: rupees_decimal(getattr(heads, key)) for key in keys}


ALL_HEADS = ("txval", "iamt", "camt", "samt", "csamt")


def build_gstr3b(gstin: str, fp: str, documents: Sequence[Invoice]) -> dict[str, Any]:
    """The outward-supply part of GSTR-3B for ``gstin`` and period ``fp`` (MMYYYY)."""
    gstin = normalise(gstin)
    period = ReturnPeriod.parse(fp)
    for doc in documents:
        check_document(doc, gstin, period)
    out = outward_supplies(documents)
    return {
        "gstin": gstin,
        "ret_period": period.fp,
        "sup_details": {
            "osup_det": _render(out.taxable, ALL_HEADS),
            "osup_zero": _render(out.zero_rated, ("txval", "iamt", "csamt")),
            "osup_nil_exmp": _render(out.nil_exempt, ("txval",)),
        },
        "inter_sup": {
            "unreg_details": [
                {"pos": pos, **_render(heads, ("txval", "iamt"))}
                for pos, heads in sorted(out.unregistered_inter_state.items())
            ]
        },
    }
