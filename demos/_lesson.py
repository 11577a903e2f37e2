"""A walkthrough as a list of steps, so that each notebook cell does one thing and shows it.

Each walkthrough makes one ``Lesson`` and decorates its steps with ``@lesson.step``.
A step is a function of one argument, the ``Run`` that carries the options and what
earlier steps found. What the decorator does depends on how the file is used:

- opened as a notebook, or run directly (``python -m demos.perceptron``), the step
  runs as soon as it is defined, so its output lands under its own cell;
- imported (``python -m demos perceptron``, the tests), it is only recorded, and
  ``lesson.main(argv)`` runs every step in order and returns ``run.result``.

Redefining a step in a notebook (editing the cell and running it again) replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from demos._common import Options, options

Step = Callable[["Run"], None]


@dataclass
class Run:
    """One run of a walkthrough: its options, the files it wrote, and what it found."""

    opts: Options
    files: list = field(default_factory=list)
    result: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    @property
    def out(self) -> Path:
        """The folder the pictures go to."""
        return self.opts.out

    @property
    def quick(self) -> bool:
        """True for the small settings the tests use."""
        return self.opts.quick

    def keep(self, *paths) -> None:
        """Record pictures this run wrote (None entries, for skipped pictures, are dropped)."""
        for path in paths:
            if isinstance(path, (list, tuple)):
                self.keep(*path)
            elif path is not None:
                self.files.append(Path(path))

    def list_pictures(self) -> list:
        """Print every picture this run wrote, the last thing each walkthrough does."""
        if self.files:
            print("Pictures:\n" + "\n".join(f"  {f}" for f in self.files))
        else:
            print("Pictures: none (Graphviz or matplotlib is missing)")
        self.result.setdefault("files", list(self.files))
        return list(self.files)


class Lesson:
    """The ordered steps of one walkthrough."""

    def __init__(self, name: str) -> None:
        if not name.isidentifier():
            raise ValueError(f"a lesson's name must be its module name, got {name!r}")
        self.name = name
        self.steps: dict = {}
        self.live: Optional[Run] = None

    def step(self, fn: Step) -> Step:
        """Record ``fn`` as the next step; run it now if its file is being run directly."""
        if not callable(fn):
            raise TypeError(f"@lesson.step decorates a function of one Run, got {type(fn).__name__}")
        self.steps.pop(fn.__name__, None)
        self.steps[fn.__name__] = fn
        if getattr(fn, "__module__", None) == "__main__":
            if self.live is None:
                self.live = self.begin(None)
            fn(self.live)
        return fn

    def begin(self, argv: Optional[Sequence[str]]) -> Run:
        """A fresh run, with options from ``argv`` (or the command line / notebook)."""
        return Run(options(self.name, argv))

    def main(self, argv: Optional[Sequence[str]] = None) -> Any:
        """Run every step in order; returns what the steps put in ``run.result``."""
        run = self.begin(argv)
        for fn in list(self.steps.values()):
            fn(run)
        return run.result
