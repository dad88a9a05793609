"""GSTR-1 and GSTR-3B of one GSTIN and month from the hub's sales (a read service).

A return is filed per GSTIN: by default the org's, or the GSTIN of a store
registered on its own. Every sale of the month issued under that GSTIN is
rebuilt into its invoice (:mod:`hub.gst.invoices`) and the kernel builds
the return, so the hub adds no arithmetic of its own. Invoice numbers carry
the box prefix and the financial year, so Table 13 (``doc_issue``) lists
one series per box per financial year.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from hub.db.debit_notes import DebitNote
from hub.db.models import Org
from hub.gst import debit_notes
from hub.gst.invoices import b2cl_originals, credit_notes_for_period, invoices_for_period
from setledger import errors
from setledger.gstin import normalise
from setledger.gstr1 import ReturnPeriod, build_gstr1, section_totals
from setledger.gstr3b import build_gstr3b
from setledger.invoice import Invoice

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
"""``YYYY-MM`` as the API takes it; the returns say ``MMYYYY``."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        year, month = text.split("-")
        return cls(int(year), int(month))

    @property
    def fp(self) -> str:
        return ReturnPeriod(self.month, self.year).fp

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def filing_documents(
    session: Session,
    org_id: uuid.UUID,
    month: Month,
    *,
    gstin: str | None = None,
    store_id: uuid.UUID | None = None,
) -> tuple[str, list[Invoice]]:
    """The filing GSTIN and its invoices, credit and debit notes of the month."""
    org = session.get(Org, org_id)
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    filer = gstin or org.gstin
    if not filer:
        raise errors.REQUEST_INVALID.error(
            count=1,
            fields=[
                {
                    "field": "query.gstin",
                    "problem": "the organisation has no GSTIN: fill in its tax profile "
                    "or name the GSTIN to file for",
                }
            ],
        )
    filer = normalise(filer)
    documents = invoices_for_period(
        session, org_id, month.first_day, month.last_day, store_id=store_id
    ) + credit_notes_for_period(session, org_id, month.first_day, month.last_day, store_id=store_id)
    documents += debit_notes.debit_notes_for_period(
        session, org_id, month.first_day, month.last_day, store_id=store_id
    )
    return filer, [doc for doc in documents if normalise(doc.seller.gstin or "") == filer]


def gstr1(
    session: Session,
    org_id: uuid.UUID,
    month: Month,
    *,
    gstin: str | None = None,
    store_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The GSTR-1 JSON as the offline tool takes it (amounts as ``Decimal`` rupees).

    Credit notes of returns are filed with the invoices: cdnr for registered
    buyers, cdnur for notes on B2CL invoices and exports, netted into b2cs
    otherwise (the kernel's rules)."""
    with session.begin():
        filer, documents = filing_documents(session, org_id, month, gstin=gstin, store_id=store_id)
        b2cl = b2cl_originals(session, org_id, month.first_day, month.last_day, store_id=store_id)
        b2cl |= b2cl_originals(
            session, org_id, month.first_day, month.last_day, store_id=store_id, notes=DebitNote
        )
    return build_gstr1(filer, month.fp, documents, b2cl_originals=b2cl)


def gstr1_totals(gstr1_json: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each section's document (or row) count and amounts in paise."""
    return {name: total.__dict__.copy() for name, total in section_totals(gstr1_json).items()}


def gstr3b(
    session: Session,
    org_id: uuid.UUID,
    month: Month,
    *,
    gstin: str | None = None,
    store_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """GSTR-3B outward supplies (3.1 a-c, 3.2) from the same documents as GSTR-1."""
    with session.begin():
        filer, documents = filing_documents(session, org_id, month, gstin=gstin, store_id=store_id)
    return build_gstr3b(filer, month.fp, documents)
