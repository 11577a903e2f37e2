"""demos/tracing: runs headless in quick mode, shows the replay code, and makes its points."""

import contextlib
import io

import pytest

pytest.importorskip("matplotlib")

from demos import tracing  # noqa: E402


def test_quick_run_teaches_what_it_claims(tmp_path):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = tracing.main(["--quick", "--out", str(tmp_path)])
    text = printed.getvalue()
    assert "def replay(I, P, G):" in text and "+= 1.0" in text  # the generated code is shown
    assert result["worst"] == 0.0  # eager and traced training agree exactly
    assert "TraceError" in result["branch"]
    assert set(result["ms"]) == {"chainrule eager", "chainrule traced"}
    assert result["picture"].exists() and result["picture"].stat().st_size > 1000


def test_relu_trace_serves_both_sides_of_the_kink():
    assert tracing.relu_switches() == [(-1.0, 0.0, 0.0), (0.5, 1.0, 2.0)]


def test_reads_as_a_notebook_with_prose_and_code():
    jupytext = pytest.importorskip("jupytext")
    cells = jupytext.read(tracing.__file__).cells
    kinds = {c.cell_type for c in cells}
    assert kinds == {"markdown", "code"}
    assert tracing.ORDER == 11 and tracing.SUMMARY
