"""Kiosk POS UI: bundle size, time to interactive, scan -> line visible.

A real box process (as in bench/box_sale_path.py, 10,000 products) serves the
built UI at /pos/; Debian's Chromium under Playwright (headless) loads it.

- pos_ui_bundle_gzip: index.html, sw.js and every file under assets/, each gzipped
  (-9) as a server would send it, summed (goal 200 KB).
- pos_ui_time_to_interactive: navigation start to the sign-in screen showing
  the box's roster with its handlers attached (the staff buttons are drawn by
  the app after GET /auth/staff answers), each load in a fresh browser context
  (cold cache), p95 of 10 (goal 1.5 s).
- pos_ui_scan_to_line: in the page, a scanner's burst (keydown events, then
  Enter) is dispatched and the time until the bill's total shows the new line
  is taken at the next animation frame (so layout and paint are due), over
  200 scans of random barcodes; a bill is paid and a new one started every 20
  scans, as at a counter (goal 100 ms).
"""

from __future__ import annotations

import gzip
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from bench.box_sale_path import CASHIER_PIN, catalog, provision_box, start_box
from bench.report import emit, percentile
from edge.api.pos_ui import DIST
from ops.broker import free_port

PRODUCTS = int(os.environ.get("SETLEDGER_BENCH_POS_PRODUCTS", "10000"))
SCANS = int(os.environ.get("SETLEDGER_BENCH_POS_SCANS", "200"))
LOADS = 10
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

SCAN_JS = """
async (code) => {
  const payable = document.querySelector('[data-testid=payable]');
  const before = payable.textContent;
  const t0 = performance.now();
  for (const key of [...code, 'Enter']) {
    window.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
  }
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no line after 5 s')), 5000);
    const check = () => {
      if (payable.textContent !== before) { clearTimeout(timer); obs.disconnect(); resolve(); }
    };
    const obs = new MutationObserver(check);
    obs.observe(payable, {childList: true, characterData: true, subtree: true});
  });
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}
"""


def bundle_gzip_bytes(dist: Path = DIST) -> tuple[int, int]:
    files = [dist / "index.html", dist / "sw.js", *sorted((dist / "assets").iterdir())]
    raw = sum(f.stat().st_size for f in files)
    return sum(len(gzip.compress(f.read_bytes(), 9)) for f in files), raw


def sign_in(page: Any) -> None:
    page.get_by_test_id("staff").first.click()
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(CASHIER_PIN)
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()


def pay_and_next(page: Any) -> None:
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.keyboard.press("F12")  # empty amount: exact cash
    try:
        page.get_by_test_id("done").wait_for(timeout=10000)
    except Exception:
        page.screenshot(path="/tmp/pos_bench_fail.png")
        raise
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()


def main() -> None:
    if not (DIST / "index.html").is_file():
        raise SystemExit(f"{DIST} is not built: run 'make pos-ui'")
    gz, raw = bundle_gzip_bytes()
    emit("pos_ui_bundle_gzip", gz / 1024, "KiB", 200, raw_kib=round(raw / 1024, 1))

    from playwright.sync_api import sync_playwright

    rng = random.Random(7)
    snapshot, codes = catalog(PRODUCTS, rng)
    with tempfile.TemporaryDirectory(prefix="bench-pos-") as tmp:
        data_dir = Path(tmp)
        provision_box(data_dir, snapshot)
        port = free_port()
        proc = start_box(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=ARGS
                )
                try:
                    loads = []
                    for _ in range(LOADS):
                        context = browser.new_context(base_url=base)
                        page = context.new_page()
                        page.goto("/pos/", wait_until="commit")
                        page.get_by_test_id("staff").first.wait_for()
                        loads.append(page.evaluate("performance.now()"))
                        context.close()
                    emit(
                        "pos_ui_time_to_interactive",
                        percentile(loads, 95),
                        "ms",
                        1500,
                        median=round(sorted(loads)[len(loads) // 2], 1),
                        loads=LOADS,
                        cold_cache=True,
                    )

                    context = browser.new_context(base_url=base)
                    page = context.new_page()
                    page.goto("/pos/")
                    sign_in(page)
                    for _ in range(20):  # warm up the box's caches and the page's code paths
                        page.evaluate(SCAN_JS, rng.choice(codes))
                    pay_and_next(page)
                    samples = []
                    for n in range(SCANS):
                        if n and n % 20 == 0:
                            pay_and_next(page)
                        samples.append(page.evaluate(SCAN_JS, rng.choice(codes)))
                    emit(
                        "pos_ui_scan_to_line",
                        percentile(samples, 95),
                        "ms",
                        100,
                        p50=round(percentile(samples, 50), 1),
                        scans=SCANS,
                        products=PRODUCTS,
                        lines_per_bill=20,
                    )
                    context.close()
                finally:
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
