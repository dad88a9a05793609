"""``make bench``: run every benchmark module in turn.

Each benchmark prints JSON lines ``{"bench", "value", "unit", "goal", ...}``.
Goals are what the issue asks for; the figures are reported, not asserted.
"""

from __future__ import annotations

import sys

from bench import (
    box_sale_path,
    catalog_import,
    hub_ingest,
    invoice_pdf,
    label_sheets,
    ledger,
    pos_ui,
    replication_drain,
    stock_moves,
    stock_on_hand,
    stock_valuation,
)

BENCHMARKS = [
    box_sale_path.main,
    replication_drain.main,
    hub_ingest.main,
    label_sheets.main,
    catalog_import.main,
    ledger.main,
    invoice_pdf.main,
    pos_ui.main,
    stock_valuation.main,
    stock_on_hand.main,
    stock_moves.main,
]


def main() -> int:
    for run in BENCHMARKS:
        run()
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
