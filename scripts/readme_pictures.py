"""Regenerate the README's pictures: run every walkthrough, keep one picture of each.

``make pictures`` (or ``.venv/bin/python -m scripts.readme_pictures [--quick]``)
runs each walkthrough at full settings into a temporary folder and copies the
picture the README shows into ``docs/img/<walkthrough>.<ext>``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"

# walkthrough -> the file (in its output folder) the README shows
PICTURES = {
    "perceptron": "perceptron_and_or.png",
    "one_neuron": "graph.svg",
    "activations": "activations.png",
    "forward_pass": "layer_as_matrices.png",
    "hidden_units": "relu_pieces.png",
    "backprop_mlp": "decision_boundary.png",
    "initialisation": "hidden_units.png",
    "losses": "decision_regions.png",
    "optimizers": "loss_curves.png",
    "digits": "confusion_matrix.png",
    "tracing": "timings.png",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick settings (for a smoke test)")
    parser.add_argument("--only", nargs="*", default=None, help="just these walkthroughs")
    args = parser.parse_args(argv)
    IMAGES.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MPLBACKEND="Agg")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, picture in PICTURES.items():
            if args.only and name not in args.only:
                continue
            out = Path(tmp) / name
            cmd = [sys.executable, "-m", "demos", name, "--out", str(out)]
            if args.quick:
                cmd.append("--quick")
            start = time.perf_counter()
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            source = out / picture
            if done.returncode or not source.exists():
                failures += 1
                print(f"{name:<16} FAILED ({seconds:.1f} s): {done.stderr.strip()[-400:]}")
                continue
            target = IMAGES / f"{name}{source.suffix}"
            shutil.copyfile(source, target)
            print(f"{name:<16} {seconds:5.1f} s  -> {target.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
