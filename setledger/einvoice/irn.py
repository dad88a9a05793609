"""The IRN a document will get, computed ahead for duplicate detection (R3)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from setledger.fiscal import financial_year


def irn(seller_gstin: str, financial_year_label: str, doc_type: str, doc_no: str) -> str:
    """SHA-256 of ``SellerGstin + "YYYY-YY" + DocTyp + DocNo``, no separators.

    DocNo keeps its case: that reproduces all five IRP-signed samples
    (``g2qxhY``). The IRP refuses a second document with the same IRN.
    """
    text = f"{seller_gstin}{financial_year_label}{doc_type}{doc_no}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def irn_of(doc: Mapping[str, Any]) -> str:
    """The IRN of an e-invoice JSON document (its FY is taken from ``DocDtls.Dt``)."""
    day = datetime.strptime(doc["DocDtls"]["Dt"], "%d/%m/%Y").date()
    return irn(
        doc["SellerDtls"]["Gstin"],
        financial_year(day).label,
        doc["DocDtls"]["Typ"],
        doc["DocDtls"]["No"],
    )
