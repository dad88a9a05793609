"""GSTR-1 for one GSTIN and one return period, from invoice documents.

Pure: takes :class:`setledger.invoice.Invoice` documents (invoices, credit
and debit notes) and returns the government JSON as a dict of str, int,
``Decimal`` and lists; :func:`setledger.einvoice.to_json` writes it with
amounts as exact two-place numbers, never floats. Sections and keys follow
RULES.md R16-R18 and ``reference/gst/gstr1/gstr1_gov_json_keys.json``.

Invariants:

- Every document belongs to the filing GSTIN and is dated inside the
  period; otherwise the return is refused (nothing is silently dropped).
- Section by document: B2B/SEZ invoices -> ``b2b`` (``inv_typ`` R, SEWP,
  SEWOP); exports -> ``exp``; B2C invoices -> ``b2cl`` or ``b2cs`` by the
  limit in force on the invoice date (R16, :mod:`setledger.gst_thresholds`).
  Notes to registered buyers -> ``cdnr``; notes on exports and on B2CL
  invoices -> ``cdnur``; other B2C notes are netted into ``b2cs``.
- Items are rate-wise (the invoice's tax breakup), numbered from 1.
- The HSN summary is one list or split into ``hsn_b2b``/``hsn_b2c`` by the
  layout in force for the period (R18); credit notes subtract.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from setledger import errors
from setledger.gst import RateSummary, SupplyKind
from setledger.gst_thresholds import b2c_section, hsn_summary_split
from setledger.gstin import normalise
from setledger.invoice import DocType, Invoice, SupplyType, is_sac
from setledger.money import MILLI_PER_UNIT, PAISE_PER_RUPEE, Paise, rupees_decimal

_PERIOD_RE = re.compile(r"^(0[1-9]|1[0-2])([0-9]{4})$")
_SERIAL_RE = re.compile(r"^(.*?)([0-9]+)$")

B2B_INVOICE_TYPE: Mapping[SupplyType, str] = {
    SupplyType.B2B: "R",
    SupplyType.SEZ_WITH_PAYMENT: "SEWP",
    SupplyType.SEZ_WITHOUT_PAYMENT: "SEWOP",
}
EXPORT_TYPE: Mapping[SupplyType, str] = {
    SupplyType.EXPORT_WITH_PAYMENT: "WPAY",
    SupplyType.EXPORT_WITHOUT_PAYMENT: "WOPAY",
}
DOC_ISSUE_NATURE: Mapping[DocType, int] = {
    DocType.INVOICE: 1,
    DocType.DEBIT_NOTE: 4,
    DocType.CREDIT_NOTE: 5,
}
"""GSTR-1 Table 13 document natures: outward invoices, debit notes, credit notes."""

_DOMESTIC = frozenset({SupplyType.B2B, SupplyType.B2C})
HEADS = ("txval", "iamt", "camt", "samt", "csamt")
SERVICE_UQC = "NA"


@dataclass(frozen=True)
class ReturnPeriod:
    month: int
    year: int

    @classmethod
    def parse(cls, fp: str) -> ReturnPeriod:
        match = _PERIOD_RE.match(fp)
        if match is None:
            raise ValueError(f"return period {fp!r} is not MMYYYY")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def fp(self) -> str:
        return f"{self.month:02d}{self.year:04d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)


def gov_date(day: date) -> str:
    """GSTR-1 dates are DD-MM-YYYY (R17)."""
    return day.strftime("%d-%m-%Y")


def rate_number(rate_bp: int) -> Decimal:
    """18% -> 18, 0.25% -> 0.25 (exact, no float)."""
    return Decimal(rate_bp) / 100


def _money(paise: Paise) -> Decimal:
    return rupees_decimal(paise)


def _is_note(doc: Invoice) -> bool:
    return doc.doc_type is not DocType.INVOICE


def _sign(doc: Invoice) -> int:
    return -1 if doc.doc_type is DocType.CREDIT_NOTE else 1


def _registered(doc: Invoice) -> bool:
    return doc.supply_type in B2B_INVOICE_TYPE


def _section(doc: Invoice, b2cl_invoices: Collection[str]) -> str:
    """The GSTR-1 section a document is reported in."""
    if _registered(doc):
        return "cdnr" if _is_note(doc) else "b2b"
    if doc.supply_type in EXPORT_TYPE:
        return "cdnur" if _is_note(doc) else "exp"
    if _is_note(doc):
        original = doc.original
        return "cdnur" if original is not None and original.number in b2cl_invoices else "b2cs"
    inter = doc.supply_kind is SupplyKind.INTER
    return b2c_section(inter_state=inter, invoice_value=doc.payable, day=doc.date)


def _nil_rated(doc: Invoice, row: RateSummary) -> bool:
    """A 0% row of a domestic supply: reported in Table 8 (``nil``), not with the taxed rows."""
    return row.rate_bp == 0 and doc.supply_type in _DOMESTIC


def _taxed_rows(doc: Invoice) -> list[RateSummary]:
    return [row for row in doc.by_rate if not _nil_rated(doc, row)]


def _items(doc: Invoice, heads: Sequence[str] = HEADS) -> list[dict[str, Any]]:
    items = []
    for num, row in enumerate(_taxed_rows(doc), 1):
        amounts = {
            "txval": row.taxable,
            "iamt": row.igst,
            "camt": row.cgst,
            "samt": row.sgst,
            "csamt": row.cess,
        }
        detail: dict[str, Any] = {"rt": rate_number(row.rate_bp)}
        detail.update((head, _money(amounts[head])) for head in heads)
        items.append({"num": num, "itm_det": detail})
    return items


def _ctin(doc: Invoice) -> str:
    gstin = doc.buyer.gstin if doc.buyer is not None else None
    if not gstin:
        raise errors.INVOICE_INCONSISTENT.error(
            invoice_no=doc.number, reason="a registered buyer's document carries no GSTIN"
        )
    return normalise(gstin)


def _b2b_invoice(doc: Invoice) -> dict[str, Any]:
    return {
        "inum": doc.number,
        "idt": gov_date(doc.date),
        "val": _money(doc.payable),
        "pos": doc.place_of_supply,
        "rchrg": "N",
        "inv_typ": B2B_INVOICE_TYPE[doc.supply_type],
        "itms": _items(doc),
    }


def _b2cl_invoice(doc: Invoice) -> dict[str, Any]:
    return {
        "inum": doc.number,
        "idt": gov_date(doc.date),
        "val": _money(doc.payable),
        "itms": _items(doc, ("txval", "iamt", "csamt")),
    }


def _export_invoice(doc: Invoice) -> dict[str, Any]:
    items = [
        {
            "txval": _money(row.taxable),
            "rt": rate_number(row.rate_bp),
            "iamt": _money(row.igst),
            "csamt": _money(row.cess),
        }
        for row in doc.by_rate
    ]
    return {
        "inum": doc.number,
        "idt": gov_date(doc.date),
        "val": _money(doc.payable),
        "itms": items,
    }


def _note_head(doc: Invoice) -> dict[str, Any]:
    return {
        "ntty": "C" if doc.doc_type is DocType.CREDIT_NOTE else "D",
        "nt_num": doc.number,
        "nt_dt": gov_date(doc.date),
    }


def _cdnr_note(doc: Invoice) -> dict[str, Any]:
    return {
        **_note_head(doc),
        "pos": doc.place_of_supply,
        "rchrg": "N",
        "inv_typ": B2B_INVOICE_TYPE[doc.supply_type],
        "val": _money(doc.payable),
        "itms": _items(doc),
    }


def _cdnur_note(doc: Invoice) -> dict[str, Any]:
    typ = "B2CL" if doc.supply_type is SupplyType.B2C else doc.supply_type.value
    note: dict[str, Any] = {"typ": typ, **_note_head(doc)}
    if typ == "B2CL":
        note["pos"] = doc.place_of_supply
    note["val"] = _money(doc.payable)
    note["itms"] = _items(doc, ("txval", "iamt", "csamt"))
    return note


def _grouped(
    docs: Iterable[Invoice], key: str, key_of: Any, list_key: str, render: Any
) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        groups[key_of(doc)].append(render(doc))
    return [{key: group, list_key: groups[group]} for group in sorted(groups)]


def _b2cs(docs: Iterable[Invoice]) -> list[dict[str, Any]]:
    totals: dict[tuple[str, int, str], list[Paise]] = defaultdict(lambda: [0] * len(HEADS))
    for doc in docs:
        supply = "INTER" if doc.supply_kind is SupplyKind.INTER else "INTRA"
        for row in _taxed_rows(doc):
            sums = totals[(doc.place_of_supply, row.rate_bp, supply)]
            for i, paise in enumerate((row.taxable, row.igst, row.cgst, row.sgst, row.cess)):
                sums[i] += _sign(doc) * paise
    return [
        {
            "sply_ty": supply,
            "rt": rate_number(rate_bp),
            "typ": "OE",
            "pos": pos,
            **{head: _money(paise) for head, paise in zip(HEADS, sums, strict=True)},
        }
        for (pos, rate_bp, supply), sums in sorted(totals.items())
    ]


def _nil(docs: Iterable[Invoice]) -> dict[str, Any]:
    """Table 8 from the 0% rows of domestic supplies, by inter/intra and B2B/B2C.

    An invoice does not tell nil-rated from exempt or non-GST supplies, so
    every 0% row is ``nil_amt``; credit notes subtract.
    """
    sums: dict[str, Paise] = defaultdict(int)
    for doc in docs:
        for row in doc.by_rate:
            if _nil_rated(doc, row):
                inter = "INTR" if doc.supply_kind is SupplyKind.INTER else "INTRA"
                kind = "B2B" if _registered(doc) else "B2C"
                sums[inter + kind] += _sign(doc) * row.taxable
    rows = [
        {"sply_ty": supply, "expt_amt": _money(0), "nil_amt": _money(paise), "ngsup_amt": _money(0)}
        for supply, paise in sorted(sums.items())
    ]
    return {"inv": rows}


def _hsn_rows(docs: Iterable[Invoice]) -> list[dict[str, Any]]:
    """Rate-wise HSN rows (R18): one per (HSN, unit, rate); credit notes subtract."""
    rows: dict[tuple[str, str, int], list[int]] = {}
    names: dict[tuple[str, str, int], str] = {}
    for doc in docs:
        sign = _sign(doc)
        for line in doc.lines:
            uqc = SERVICE_UQC if is_sac(line.hsn) else line.unit.upper()
            key = (line.hsn or "", uqc, line.rate_bp)
            names.setdefault(key, line.description)
            sums = rows.setdefault(key, [0] * (len(HEADS) + 1))
            amounts = (line.qty, line.taxable, line.igst, line.cgst, line.sgst, line.cess)
            for i, amount in enumerate(amounts):
                sums[i] += sign * amount
    return [
        {
            "num": num,
            "hsn_sc": hsn,
            "desc": names[(hsn, uqc, rate_bp)][:30],
            "uqc": uqc,
            "qty": (Decimal(sums[0]) / MILLI_PER_UNIT).quantize(Decimal("0.001")),
            "rt": rate_number(rate_bp),
            **{head: _money(paise) for head, paise in zip(HEADS, sums[1:], strict=True)},
        }
        for num, ((hsn, uqc, rate_bp), sums) in enumerate(sorted(rows.items()), 1)
    ]


def _doc_issue(docs: Iterable[Invoice], cancelled: Iterable[tuple[DocType, str]]) -> dict[str, Any]:
    """Table 13: number ranges per series (prefix + trailing serial), cancelled count."""
    series: dict[tuple[int, str], dict[str, bool]] = defaultdict(dict)
    for doc_type, number, is_cancelled in [
        *((doc.doc_type, doc.number, False) for doc in docs),
        *((doc_type, number, True) for doc_type, number in cancelled),
    ]:
        prefix = m.group(1) if (m := _SERIAL_RE.match(number)) else number
        series[(DOC_ISSUE_NATURE[doc_type], prefix)][number] = is_cancelled
    by_nature: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (nature, _prefix), numbers in sorted(series.items()):
        ordered = sorted(numbers, key=_serial)
        cancel = sum(numbers.values())
        by_nature[nature].append(
            {
                "num": len(by_nature[nature]) + 1,
                "from": ordered[0],
                "to": ordered[-1],
                "totnum": len(ordered),
                "cancel": cancel,
                "net_issue": len(ordered) - cancel,
            }
        )
    return {
        "doc_det": [{"doc_num": nature, "docs": rows} for nature, rows in sorted(by_nature.items())]
    }


def _serial(number: str) -> tuple[int, str]:
    match = _SERIAL_RE.match(number)
    return (int(match.group(2)) if match else 0, number)


def check_document(doc: Invoice, gstin: str, period: ReturnPeriod) -> None:
    """Refuse a document of another GSTIN or dated outside the period."""
    if not doc.seller.gstin or normalise(doc.seller.gstin) != gstin:
        raise errors.INVOICE_INCONSISTENT.error(
            invoice_no=doc.number, reason=f"issued by {doc.seller.gstin}, not {gstin}"
        )
    if not period.contains(doc.date):
        raise errors.INVOICE_INCONSISTENT.error(
            invoice_no=doc.number, reason=f"dated {doc.date}, outside return period {period.fp}"
        )


def build_gstr1(
    gstin: str,
    fp: str,
    documents: Sequence[Invoice],
    *,
    cancelled: Iterable[tuple[DocType, str]] = (),
    b2cl_originals: Collection[str] = (),
) -> dict[str, Any]:
    """The GSTR-1 government JSON of ``gstin`` for period ``fp`` (MMYYYY).

    ``cancelled``: (type, number) of documents cancelled in the period,
    counted in ``doc_issue`` only. ``b2cl_originals``: numbers of invoices
    of earlier periods that were reported in B2CL, so notes on them go to
    ``cdnur`` (invoices of this period are recognised by themselves).
    """
    gstin = normalise(gstin)
    period = ReturnPeriod.parse(fp)
    for doc in documents:
        check_document(doc, gstin, period)
    b2cl_now = {d.number for d in documents if not _is_note(d) and _section(d, ()) == "b2cl"}
    b2cl_invoices = b2cl_now | set(b2cl_originals)
    by_section: dict[str, list[Invoice]] = defaultdict(list)
    for doc in sorted(documents, key=lambda d: (d.date, d.number)):
        section = _section(doc, b2cl_invoices)
        # A wholly nil-rated document is reported in Table 8 only.
        if section == "b2cs" or _taxed_rows(doc):
            by_section[section].append(doc)

    hsn_docs: Iterable[Invoice] = documents
    hsn: dict[str, Any]
    if hsn_summary_split(period.first_day):
        hsn = {
            "hsn_b2b": _hsn_rows(d for d in hsn_docs if _registered(d)),
            "hsn_b2c": _hsn_rows(d for d in hsn_docs if not _registered(d)),
        }
    else:
        hsn = {"data": _hsn_rows(hsn_docs)}
    return {
        "gstin": gstin,
        "fp": period.fp,
        "b2b": _grouped(by_section["b2b"], "ctin", _ctin, "inv", _b2b_invoice),
        "b2cl": _grouped(
            by_section["b2cl"], "pos", lambda d: d.place_of_supply, "inv", _b2cl_invoice
        ),
        "exp": _grouped(
            by_section["exp"],
            "exp_typ",
            lambda d: EXPORT_TYPE[d.supply_type],
            "inv",
            _export_invoice,
        ),
        "b2cs": _b2cs(by_section["b2cs"]),
        "cdnr": _grouped(by_section["cdnr"], "ctin", _ctin, "nt", _cdnr_note),
        "cdnur": [_cdnur_note(doc) for doc in by_section["cdnur"]],
        "nil": _nil(documents),
        "hsn": hsn,
        "doc_issue": _doc_issue(documents, cancelled),
    }


@dataclass(frozen=True)
class SectionTotal:
    """Documents (or rows for b2cs and hsn) and amounts in paise, as filed."""

    count: int
    txval: Paise
    iamt: Paise
    camt: Paise
    samt: Paise
    csamt: Paise


def _paise(value: Any) -> Paise:
    if value is None:
        return 0
    if not isinstance(value, Decimal):
        raise TypeError(f"amount {value!r} is not a Decimal")
    return int(value * PAISE_PER_RUPEE)


def _total(count: int, amounts: Iterable[Mapping[str, Any]]) -> SectionTotal:
    sums = dict.fromkeys(HEADS, 0)
    for detail in amounts:
        for head in HEADS:
            sums[head] += _paise(detail.get(head))
    return SectionTotal(count, **sums)


def section_totals(gstr1: Mapping[str, Any]) -> dict[str, SectionTotal]:
    """What each section of a built GSTR-1 adds up to (the return's summary)."""

    def documents(section: str, list_key: str) -> list[Mapping[str, Any]]:
        return [doc for group in gstr1[section] for doc in group[list_key]]

    def item_details(docs: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for doc in docs:
            for item in doc["itms"]:
                yield item.get("itm_det", item)

    totals: dict[str, SectionTotal] = {}
    for section, list_key in (("b2b", "inv"), ("b2cl", "inv"), ("exp", "inv"), ("cdnr", "nt")):
        docs = documents(section, list_key)
        totals[section] = _total(len(docs), item_details(docs))
    totals["cdnur"] = _total(len(gstr1["cdnur"]), item_details(gstr1["cdnur"]))
    totals["b2cs"] = _total(len(gstr1["b2cs"]), gstr1["b2cs"])
    nil_rows = gstr1["nil"]["inv"]
    nil_value = sum(_paise(r[k]) for r in nil_rows for k in ("expt_amt", "nil_amt", "ngsup_amt"))
    totals["nil"] = SectionTotal(len(nil_rows), nil_value, 0, 0, 0, 0)
    for table, rows in gstr1["hsn"].items():
        name = "hsn" if table == "data" else table
        totals[name] = _total(len(rows), rows)
    return totals


CSV_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "b2b": (
        "ctin", "inum", "idt", "val", "pos", "rchrg", "inv_typ",
        "rt", "txval", "iamt", "camt", "samt", "csamt",
    ),
    "b2cl": ("pos", "inum", "idt", "val", "rt", "txval", "iamt", "csamt"),
    "exp": ("exp_typ", "inum", "idt", "val", "rt", "txval", "iamt", "csamt"),
    "b2cs": ("sply_ty", "pos", "typ", "rt", "txval", "iamt", "camt", "samt", "csamt"),
    "cdnr": (
        "ctin", "ntty", "nt_num", "nt_dt", "pos", "rchrg", "inv_typ", "val",
        "rt", "txval", "iamt", "camt", "samt", "csamt",
    ),
    "cdnur": ("typ", "ntty", "nt_num", "nt_dt", "pos", "val", "rt", "txval", "iamt", "csamt"),
    "hsn": (
        "table", "num", "hsn_sc", "desc", "uqc", "qty", "rt",
        "txval", "iamt", "camt", "samt", "csamt",
    ),
    "nil": ("sply_ty", "expt_amt", "nil_amt", "ngsup_amt"),
    "doc_issue": ("doc_num", "num", "from", "to", "totnum", "cancel", "net_issue"),
}  # fmt: skip
"""One CSV per section: the JSON keys as columns, one row per rate line
(documents repeat on each of their rate rows). ``table`` in the HSN CSV is
``data``, ``hsn_b2b`` or ``hsn_b2c``."""

_TABLE_KEYS = frozenset({"data", "hsn_b2b", "hsn_b2c"})


def _flatten(node: Any, inherited: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _flatten(child, inherited)
        return
    row = {**inherited}
    row.update((k, v) for k, v in node.items() if not isinstance(v, list | dict))
    row.update(node.get("itm_det", {}))
    nested = [(k, v) for k, v in node.items() if isinstance(v, list | dict) and k != "itm_det"]
    if not nested:
        yield row
    for key, child in nested:
        yield from _flatten(child, {**row, "table": key} if key in _TABLE_KEYS else row)


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else str(value)


class _Text:
    """Collects what :mod:`csv` writes (the kernel imports no ``io``)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)


def section_csv(gstr1: Mapping[str, Any], section: str) -> str:
    """The rows of one section as CSV text (columns: :data:`CSV_COLUMNS`)."""
    columns = CSV_COLUMNS[section]
    out = _Text()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in _flatten(gstr1[section], {}):
        writer.writerow([_cell(row.get(column)) for column in columns])
    return "".join(out.parts)
