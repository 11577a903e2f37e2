"""Benchmark the built playground in headless Chromium: ready time, training steps/s, size.

Run ``python -m scripts.bench_playground`` after ``make playground-build``.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import threading
import time

from scripts.build_playground import ROOT, size_mb

BUILT = ROOT / "out" / "playground"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
STEPS = ("window.Trainer.reset(); const t = performance.now(); window.Trainer.step(20);"
         " 20000 / (performance.now() - t)")


def main(runs: int = 3, shots: bool = False) -> None:
    from playwright.sync_api import sync_playwright
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(BUILT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/index.html#tab=trainer&t_points=100&t_layers=2&t_neurons=8&t_batch=100"
    ready, rate = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function("window.chainrule && window.chainrule.ready", timeout=60000)
            ready.append(time.perf_counter() - start)
            rate.append(page.evaluate(f"(() => {{ {STEPS.rsplit(';', 1)[0]}; return {STEPS.rsplit(';', 1)[1]}; }})()"))
            page.close()
        browser.close()
    server.shutdown()
    print(f"ready: median {statistics.median(ready):.2f} s  (target <= 8)")
    print(f"training: median {statistics.median(rate):.1f} steps/s for MLP(2,[8,8,1]) on 100 points (target >= 10)")
    print(f"size: {size_mb(BUILT):.1f} MB (target <= 60)")


if __name__ == "__main__":
    main()
