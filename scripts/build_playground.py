"""Build the playground into out/playground/: page, Pyodide, viz.js and this project's code.

Run ``python -m scripts.build_playground`` (``make playground-build``). npm
installs the pinned ``pyodide`` and ``@viz-js/viz`` from playground/package-lock.json
into playground/node_modules; everything the page loads is then copied beside
it, so the folder works from any static server with no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "playground"
PYODIDE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip", "pyodide-lock.json", "package.json")
PAGE_FILES = ("index.html", "style.css", "app.js", "lab.js", "trainer.js")


def npm_install() -> Path:
    """Install the pinned npm packages (once) and return node_modules."""
    modules = SOURCE / "node_modules"
    if not (modules / "pyodide" / "pyodide.asm.wasm").exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("build_playground: npm not found (install it: scripts/setup-system --browser)")
        command = "ci" if (SOURCE / "package-lock.json").exists() else "install"
        subprocess.run([npm, command, "--no-audit", "--no-fund"], cwd=SOURCE, check=True)
    return modules


def python_zip(target: Path) -> None:
    """engine/, nn/, the page's Python helper and the pure-Python graphviz package in one zip."""
    import graphviz
    trees = [(ROOT / "engine", "engine"), (ROOT / "nn", "nn"),
             (Path(graphviz.__file__).parent, "graphviz")]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for folder, name in trees:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    z.write(path, f"{name}/{path.relative_to(folder)}")
        z.write(SOURCE / "py" / "playground_api.py", "playground_api.py")


def build(out: Path) -> Path:
    """Build the whole site into ``out`` and return it."""
    modules = npm_install()
    if out.exists():
        shutil.rmtree(out)
    (out / "pyodide").mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, out / "pyodide" / name)
    shutil.copy2(modules / "@viz-js" / "viz" / "lib" / "viz-standalone.js", out / "viz-standalone.js")
    for name in PAGE_FILES:
        shutil.copy2(SOURCE / name, out / name)
    python_zip(out / "chainrule.zip")
    return out


def size_mb(folder: Path) -> float:
    """Total size of ``folder`` in MB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "out" / "playground"))
    out = build(Path(parser.parse_args(argv).out))
    print(f"built {os.path.relpath(out)} ({size_mb(out):.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
