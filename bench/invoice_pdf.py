"""Invoice PDF render: a 10-line invoice to PDF bytes, A4 and 80 mm.

Each render has its own invoice number, so its UPI QR is encoded afresh
(the QR cache does not flatter the figure); text widths stay cached, as
they would in a running box. Rendering is in-process, no file written.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from bench.report import emit, percentile

GOAL_MS = 100.0
RENDERS = int(os.environ.get("SETLEDGER_BENCH_INVOICES", "200"))
VPA = "sampletraders@okbank"


def main() -> None:
    from documents import InvoicePdfOptions, PaperSize, render_invoice_pdf
    from setledger.invoice import invoice_from_sale
    from tests.kernel.invoice_cases import buyer, sale, seller

    items = [
        (f"Cotton Kurta Size {size} Indigo Block Print", "6211", 49_900 + 1_000 * i, 1200)
        for i, size in enumerate(("S", "M", "L", "XL", "XXL", "S", "M", "L", "XL", "XXL"))
    ]
    invoice = invoice_from_sale(sale(items, pos="29"), seller(), buyer("29"))
    for size in PaperSize:
        options = InvoicePdfOptions(size=size, upi_vpa=VPA)
        samples: list[float] = []
        pdf = b""
        for n in range(RENDERS):
            numbered = replace(invoice, number=f"B1/2627/{n:06d}")
            started = time.perf_counter()
            pdf = render_invoice_pdf(numbered, options)
            samples.append((time.perf_counter() - started) * 1000)
        emit(
            "invoice_pdf.p95",
            percentile(samples, 95),
            "ms",
            GOAL_MS,
            size=size.value,
            lines=len(invoice.lines),
            renders=RENDERS,
            p50_ms=round(percentile(samples, 50), 3),
            pdf_kb=round(len(pdf) / 1024, 1),
        )


if __name__ == "__main__":
    main()
