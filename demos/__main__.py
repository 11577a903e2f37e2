"""``python -m demos`` lists the walkthroughs; ``python -m demos NAME [--out DIR] [--quick]`` runs one."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import demos


def walkthroughs() -> dict:
    """Every walkthrough module by name, in teaching order, with its one-line summary."""
    found = []
    for info in pkgutil.iter_modules([str(Path(demos.__file__).parent)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"demos.{info.name}")
        order = getattr(module, "ORDER", None)
        if order is not None:
            found.append((order, info.name, getattr(module, "SUMMARY", "")))
    return {name: summary for _, name, summary in sorted(found)}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    table = walkthroughs()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("Walkthroughs (run one with: python -m demos NAME [--out DIR] [--quick])\n")
        for name, summary in table.items():
            print(f"  {name:<16} {summary}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in table:
        print(f"unknown walkthrough {name!r}; choose one of: {', '.join(table)}", file=sys.stderr)
        return 2
    importlib.import_module(f"demos.{name}").main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
