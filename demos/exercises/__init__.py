"""Exercises: build the pieces of backprop yourself, one idea at a time, with a checker that says what slipped.

Each ``exN_*.py`` file is a notebook-ready percent script: prose cells explain
the idea, one code cell holds a stub for you to finish, and a last cell calls
a checker from :mod:`demos.exercises._check`. The checker runs your code on
several random cases and prints either "right", the name of the mistake it
recognises (with expected and got on a concrete case, and a hint), or "wrong"
when no known mistake explains your numbers.

Run one with ``python -m demos NAME`` (or ``python -m demos.exercises.NAME``),
or open it as a notebook: ``jupytext --to notebook demos/exercises/NAME.py``.
"""

from __future__ import annotations

import ast
import runpy
from pathlib import Path
from typing import Dict, Optional

HERE = Path(__file__).resolve().parent


def _constants(path: Path) -> dict:
    """The STAGE and SUMMARY assignments of an exercise file, read without running it."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ("STAGE", "SUMMARY")):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def exercises() -> Dict[str, str]:
    """Every exercise by module name, in order, with its one-line summary.

    The files are parsed, not imported: importing one runs its check cell.
    """
    found = []
    for path in HERE.glob("ex*.py"):
        values = _constants(path)
        if "STAGE" in values:
            found.append((values["STAGE"], path.stem, values.get("SUMMARY", "")))
    return {name: summary for _, name, summary in sorted(found)}


def find(name: str) -> Optional[str]:
    """The exercise called ``name``, or the only one whose name starts with ``name_`` (``ex3``)."""
    table = exercises()
    if name in table:
        return name
    matches = [n for n in table if n.startswith(f"{name}_")]
    return matches[0] if len(matches) == 1 else None


def run(name: str) -> None:
    """Run exercise ``name`` as a script: its stub (or your code) and its check."""
    runpy.run_module(f"demos.exercises.{name}", run_name="__main__", alter_sys=True)
