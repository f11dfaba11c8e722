"""Latency of the page of ``referral-lint serve``: from a keystroke's check to its underlines drawn.

Starts the server in a thread (as ``referral-lint serve`` does: warmed up), opens the page
in Debian's Chromium with Playwright, pastes the 150-word draft of bench_lsp.py and then
types into it, one key at a time (a letter, or a backspace to take it out again),
waiting for the underlines of each version before the next key.

Each figure is measured in the browser, with ``performance.now()``, by the page itself:
from the moment the check is sent (after the debounce, which is excluded) to the first
frame after the underlines and the list are redrawn. So it is the API round trip
(request, lint, JSON, response) plus the page's own work. The page records these in
``window.referralLintTimings``.

    .venv/bin/python bench/bench_web.py               # 60 keystrokes
    .venv/bin/python bench/bench_web.py --keys 200    # steadier percentiles

Prints p50 and p95 (ms). Target: p95 < 100 ms. Always exits 0: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lsp import DRAFT_150, percentile  # noqa: E402  (the same draft as the editor's bench)

TARGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60, help="keystrokes to measure (default 60)")
    parser.add_argument("--chromium", default=os.environ.get("REFERRAL_LINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from referral_lint.web.server import running_in_thread

    started = time.perf_counter()
    with running_in_thread(isolated=True) as url, sync_playwright() as playwright:
        print(f"server ready in {time.perf_counter() - started:.1f} s (pipeline loaded and warmed)")
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"], headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(url)
        draft = page.locator("#draft")
        draft.fill(DRAFT_150)
        page.wait_for_function("() => window.referralLintTimings.length >= 1")
        draft.focus()
        page.keyboard.press("End")
        warm_up = 5
        for key in range(args.keys + warm_up):
            seen = page.evaluate("() => window.referralLintTimings.length")
            page.keyboard.press("Backspace" if key % 2 else "x")
            page.wait_for_function("n => window.referralLintTimings.length > n", arg=seen)
        timings = page.evaluate("() => window.referralLintTimings")[1 + warm_up :]
        browser.close()

    words = len(DRAFT_150.split())
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"{words}-word draft, {len(timings)} keystrokes: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms")
    print(f"target p95 < {TARGET_MS:.0f} ms: {'met' if p95 < TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
