"""``python -m demos`` lists the walkthroughs and exercises; ``python -m demos NAME [--out DIR] [--quick]`` runs one.

An exercise (``demos/exercises/``) runs as ``python -m demos NAME`` too (``ex3`` is short for ``ex3_one_step``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import demos
from demos import exercises


def walkthroughs() -> dict:
    """Every walkthrough module by name, in teaching order, with its one-line summary."""
    found = []
    for info in pkgutil.iter_modules([str(Path(demos.__file__).parent)]):
        if info.name.startswith("_") or info.ispkg:  # demos.exercises is listed on its own
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
        print("\nExercises (run one with: python -m demos NAME, or open demos/exercises/NAME.py as a notebook)\n")
        for name, summary in exercises.exercises().items():
            print(f"  {name:<24} {summary}")
        return 0
    name, rest = argv[0], argv[1:]
    if name in table:
        importlib.import_module(f"demos.{name}").main(rest)
        return 0
    exercise = exercises.find(name)
    if exercise is not None:
        if rest:
            print(f"exercise {exercise} takes no options, got {' '.join(rest)}", file=sys.stderr)
            return 2
        exercises.run(exercise)
        return 0
    print(f"unknown walkthrough {name!r}; choose one of: {', '.join(table)}; "
          f"or an exercise: {', '.join(exercises.exercises())}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
