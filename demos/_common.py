"""What every walkthrough shares: its command line, its output folder, its narration."""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence


@dataclass
class Options:
    """Settings every walkthrough understands."""

    out: Path
    quick: bool


def options(name: str, argv: Optional[Sequence[str]] = None) -> Options:
    """Parse ``--out DIR`` (default ``out/<name>``) and ``--quick``; create the folder."""
    parser = argparse.ArgumentParser(prog=f"python -m demos.{name}")
    parser.add_argument("--out", type=Path, default=Path("out") / name,
                        help=f"folder for the pictures (default: out/{name})")
    parser.add_argument("--quick", action="store_true",
                        help="smaller settings, for tests")
    args = parser.parse_args(notebook_argv() if argv is None else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return Options(out=args.out, quick=args.quick)


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where ``sys.argv`` belongs to the kernel, not to us."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def notebook_argv() -> Optional[list]:
    """Arguments for a walkthrough run as a notebook: ``$CHAINRULE_DEMO_ARGS``, else none.

    Outside a notebook this is ``None``, so argparse reads the real command line.
    """
    if not in_notebook():
        return None
    return shlex.split(os.environ.get("CHAINRULE_DEMO_ARGS", ""))


def graph_tool(package: str, name: str):
    """A Graphviz drawing function (``engine.draw_dot``, ``nn.draw_network``), or None.

    None when the Graphviz ``dot`` program is missing or this version has no such
    function; looks in ``<package>.draw`` too, for a version that does not export it.
    """
    if shutil.which("dot") is None:
        return None
    found = getattr(importlib.import_module(package), name, None)
    if found is None:
        try:
            found = getattr(importlib.import_module(f"{package}.draw"), name, None)
        except ImportError:
            return None
    return found


def write_svg(graph, path: Path, *, quiet: bool = False) -> Path:
    """Render a graphviz ``Digraph`` straight to an SVG file (no DOT file left behind)."""
    path = Path(path)
    path.write_bytes(graph.pipe(format="svg"))
    return path if quiet else wrote(path)


def linspace(lo: float, hi: float, points: int) -> list:
    """``points`` evenly spaced numbers from ``lo`` to ``hi`` (both included)."""
    if points < 2:
        raise ValueError(f"linspace needs at least 2 points, got {points}")
    return [lo + (hi - lo) * i / (points - 1) for i in range(points)]


def matvec(rows: list, v: list) -> list:
    """The matrix-vector product ``W v`` for a matrix given as a list of rows."""
    return [sum(w * x for w, x in zip(row, v)) for row in rows]


def one_hot(t: int, k: int) -> list:
    """``k`` numbers, all 0 except a 1 at position ``t`` (a class label as a target vector)."""
    if not 0 <= t < k:
        raise ValueError(f"class {t} is outside 0..{k - 1}")
    return [1.0 if j == t else 0.0 for j in range(k)]


def say(text: str) -> None:
    """Print a paragraph of the narrative, wrapped for the terminal."""
    width = min(88, max(40, _terminal_width()))
    for paragraph in textwrap.dedent(text).strip().split("\n\n"):
        print(textwrap.fill(" ".join(paragraph.split()), width))
        print()


def wrote(path: Path) -> Path:
    """Report a file the walkthrough wrote, and return it (and show pictures inside a notebook)."""
    print(f"  wrote {path}")
    if in_notebook() and Path(path).suffix in (".png", ".svg"):
        from IPython.display import SVG, Image, display
        display(Image(filename=str(path)) if Path(path).suffix == ".png" else SVG(filename=str(path)))
    return path


def save_figure(fig, path: Path, *, title: Optional[str] = None, layout=True, **savefig) -> Path:
    """Title ``fig`` (bold), lay it out, write it to ``path`` at 120 dpi, close it and report it.

    ``layout`` is True for ``tight_layout()``, a ``rect`` tuple for a tight layout
    leaving room (e.g. for a legend below), or False when the figure lays itself out.
    """
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    if layout is True:
        fig.tight_layout()
    elif layout:
        fig.tight_layout(rect=layout)
    fig.savefig(path, dpi=120, **savefig)
    pyplot().close(fig)
    return wrote(path)


def pyplot():
    """matplotlib's pyplot, headless unless a display is configured."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the extras
        raise SystemExit("this walkthrough draws with matplotlib: "
                         "pip install 'chainrule[plot]' (make demo does it for you)") from exc
    return plt


def progress(iterable, *, total: Optional[int] = None, desc: str = ""):
    """``iterable`` with a tqdm progress bar on a terminal; unchanged when not a TTY or without tqdm."""
    if not sys.stderr.isatty():
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - depends on the extras
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 88
