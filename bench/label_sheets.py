"""Labels to an A4 PDF (3 x 8 sheet), end to end: items in, PDF file out.

Every label is a distinct product (a QR encoded for each, the worst case;
copies share their QR form). Each size runs in a fresh process so its
peak RSS is its own; the PDF is streamed to a file page by page, so the
10,000-label job's memory should stay near the 1,000-label job's.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.report import emit

GOALS = {1000: 5.0, 10000: 45.0}
SIZES = [int(s) for s in os.environ.get("SETLEDGER_BENCH_LABELS", "1000,10000").split(",")]
TEMPLATE = "a4-3x8"


def run_one(count: int) -> None:
    from labels import LabelFormat, LabelItem, LabelJob, render_chunks
    from setledger.product_qr import product_qr_payload

    started = time.perf_counter()
    items = tuple(
        LabelItem(
            name=f"Aashirvaad Whole Wheat Atta 5 kg #{i}",
            sku=f"ATTA-{i:06d}",
            price=29_900 + i,
            mrp=32_000 + i,
            qr_payload=product_qr_payload("ORG-1234abcd", uuid.uuid4()),
            batch=f"B{i % 100:02d}" if i % 3 == 0 else None,
        )
        for i in range(count)
    )
    size = 0
    with tempfile.TemporaryDirectory() as folder, (Path(folder) / "labels.pdf").open("wb") as out:
        for chunk in render_chunks(LabelJob(TEMPLATE, items), LabelFormat.PDF):
            out.write(chunk)
            size += len(chunk)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit(
        f"labels_pdf_{count}",
        elapsed,
        "s",
        GOALS.get(count),
        labels=count,
        template=TEMPLATE,
        pages=-(-count // 24),
        pdf_mb=round(size / 1e6, 2),
        peak_rss_mb=round(peak_mb, 1),
    )


def main() -> None:
    for count in SIZES:
        subprocess.run(
            [sys.executable, "-m", "bench.label_sheets", str(count)], check=True, timeout=600
        )
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one(int(sys.argv[1]))
    else:
        main()
