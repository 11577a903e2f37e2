"""What the walkthrough tests share: run a walkthrough once per test module, in quick mode."""

from __future__ import annotations

import contextlib
import importlib
import io
from pathlib import Path

import pytest


class Run:
    """One quick run of a walkthrough: its result, its folder and what it printed."""

    def __init__(self, name: str, out: Path) -> None:
        module = importlib.import_module(f"demos.{name}")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            self.result = module.main(["--quick", "--out", str(out)])
        self.out = out
        self.text = printed.getvalue()


def run_once(name: str):
    """A module-scoped fixture running walkthrough ``name`` once for all its tests."""
    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory):
        return Run(name, tmp_path_factory.mktemp(name))
    return fixture
