"""e-invoice INV-01 v1.1: build the JSON, check it as the IRP would, compute the IRN.

- :func:`build_einvoice` renders an :class:`setledger.invoice.Invoice`
  (B2B, SEZ or export only: R19) as the schema's JSON (amounts as
  two-place ``Decimal``; :func:`to_json` writes them as JSON numbers).
- :func:`validate_einvoice` returns every problem, each naming the
  invoice number and the JSON path; :func:`check_einvoice` raises
  ``EINVOICE_INVALID`` with all of them in ``details.problems``.
- :func:`irn` is SHA-256 of ``SellerGstin + FY + DocTyp + DocNo`` with no
  separators (R3; reproduces the five IRP-signed samples). Only for
  duplicate detection: the IRP issues the real IRN.
"""

from setledger.einvoice.build import build_einvoice, to_json
from setledger.einvoice.irn import irn, irn_of
from setledger.einvoice.validate import EInvoiceProblem, check_einvoice, validate_einvoice

__all__ = [
    "EInvoiceProblem",
    "build_einvoice",
    "check_einvoice",
    "irn",
    "irn_of",
    "to_json",
    "validate_einvoice",
]
