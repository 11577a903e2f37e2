"""``make bench-player``: the player and the network views at scale, and what provenance costs.

Run ``.venv/bin/python -m scripts.bench_player`` (about a minute; ``--quick``
for fewer rounds). It reports medians of:

- ``save_player`` of a loss over MLP(2, [16, 16, 1]) with about 5,000 Values
  (targets: at most 3 s and a page of at most 5 MB);
- the first paint of that page in headless Chromium (target: at most 2 s),
  skipped without Playwright and /usr/bin/chromium;
- forward + backward of MLP(2, [16, 16, 1]) on one example, with the
  provenance labels nn writes (``L0.N3.z`` / ``L0.N3.a``) and without them
  (the same loop with the two label stores left out), rounds interleaved.

Figures are a benchmark, not a test: they vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Optional

from engine import Value, dot, save_player, topological_order
from nn import MLP
from nn.module import _lift_inputs

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


def big_loss(examples: int = 67) -> Value:
    """Squared error of MLP(2, [16, 16, 1]) summed over ``examples`` points: ~75 Values each."""
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    xs = [[0.03 * i - 1.0, 0.8 - 0.025 * i] for i in range(examples)]
    loss = Value(0.0, label="zero")
    for i, x in enumerate(xs):
        loss = loss + (model(x) - (1.0 if i % 2 else -1.0)) ** 2
    loss.label = "loss"
    return loss


def time_save(loss: Value, folder: Path, rounds: int) -> dict:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        path = save_player(loss, folder / "big.html")
        times.append(time.perf_counter() - start)
    return {"values": len(topological_order(loss)), "save_s": statistics.median(times),
            "page_mb": path.stat().st_size / 1e6, "path": path}


def first_paint(path: Path, rounds: int) -> Optional[dict]:
    """Milliseconds from navigation to the player's first painted frame, and to first paint."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not os.path.exists(CHROMIUM):
        return None
    ready, paints = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        for _ in range(rounds):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(path.resolve().as_uri(), wait_until="commit")
            page.wait_for_function("() => window.chainrule !== undefined", timeout=60_000)
            ready.append(page.evaluate(
                "new Promise(r => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))"))
            fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
            if fcp:
                paints.append(fcp)
            page.close()
        browser.close()
    return {"ready_ms": statistics.median(ready),
            "first_contentful_paint_ms": statistics.median(paints) if paints else None}


def _plain_forward(model: MLP, x: list) -> Value:
    """MLP(2, [16, 16, 1])'s forward pass as it was before provenance: no label stores."""
    xs = _lift_inputs(x, model.nin, "MLP")
    for layer in model.layers:
        act = layer._act
        xs = [dot(n.w, xs, n.b) if act is None else act(dot(n.w, xs, n.b)) for n in layer.neurons]
    return xs[0]


def provenance_cost(rounds: int) -> dict:
    model = MLP(2, [16, 16, 1], seed=0)
    X = [[0.5, -1.0], [0.1, 0.3], [-0.7, 0.2], [1.0, 1.0]]
    assert _plain_forward(model, X[0]).data == model(X[0]).data  # the same numbers either way
    runs = {"with labels": lambda x: model(x), "without": lambda x: _plain_forward(model, x)}
    times: dict = {name: [] for name in runs}
    gc.disable()
    try:
        for r in range(rounds):
            for name in (list(runs) if r % 2 else list(runs)[::-1]):
                start = time.perf_counter()
                for _ in range(10):
                    for x in X:
                        runs[name](x).backward()
                times[name].append((time.perf_counter() - start) / (10 * len(X)))
    finally:
        gc.enable()
    out = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    ratios = [a / b for a, b in zip(times["with labels"], times["without"])]
    out["ratio"] = statistics.median(ratios)
    return out


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 5
    cost = provenance_cost(40 if args.quick else 200)
    print(f"provenance: forward+backward of MLP(2, [16, 16, 1]): {cost['with labels']:.1f} us with "
          f"labels, {cost['without']:.1f} us without (median ratio {cost['ratio']:.3f})")
    with tempfile.TemporaryDirectory() as folder:
        save = time_save(big_loss(), Path(folder), rounds)
        print(f"save_player: {save['values']} values in {save['save_s']:.2f} s (target <= 3 s), "
              f"page {save['page_mb']:.2f} MB (target <= 5 MB)")
        paint = first_paint(save["path"], rounds)
        if paint is None:
            print("first paint: skipped (needs Playwright and /usr/bin/chromium)")
        else:
            fcp = paint["first_contentful_paint_ms"]
            print(f"first paint in headless Chromium: player ready and painted after "
                  f"{paint['ready_ms']:.0f} ms (target <= 2000 ms)"
                  + (f", first contentful paint {fcp:.0f} ms" if fcp else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
