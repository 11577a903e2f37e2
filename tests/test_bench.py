"""Smoke test for scripts/bench.py: it runs in --quick mode and refuses a wrong engine."""

import pytest

pytest.importorskip("micrograd")

from scripts import bench  # noqa: E402


def test_quick_benchmark_runs_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "performance.md"
    assert bench.main(["--quick", "--no-torch", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for row in ("| micrograd |", "| chainrule eager |", "| chainrule traced |"):
        assert row in text
    assert "make bench" in text and "Bytes per op node" in text
    assert "| chainrule traced |" in capsys.readouterr().out


class _Engine:
    def __init__(self, name, losses):
        self.name, self.losses = name, losses

    def step(self, k):
        return self.losses[k]


def test_a_loss_that_leaves_micrograd_fails_the_benchmark():
    engines = [_Engine("micrograd", [1.0, 0.5]), _Engine("fast but wrong", [1.0, 0.5 + 1e-6])]
    with pytest.raises(bench.Mismatch, match="step 1: fast but wrong"):
        bench.timed_rounds(engines, 2, collector=True, reference=None)


def test_summary_medians_and_paired_ratios():
    rows = bench.summary({"micrograd": [1.0, 2.0, 3.0], "x": [0.5, 0.5, 1.0]})
    assert rows["micrograd"] == {"ms": 2000.0, "x": 1.0}
    assert rows["x"]["ms"] == 500.0 and rows["x"]["x"] == 3.0
