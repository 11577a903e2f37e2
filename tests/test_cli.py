"""engine/cli.py and engine/__main__.py: the chainrule command."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Value
from engine.backprop import fmt
from engine.cli import main, parse_values

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ["step", "(a*b + c).tanh()", "a=2", "b=-3", "c=10"]


def by_hand():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    out = (a * b + c).tanh()
    out.backward()
    return a, b, c, out


class FakeTerminal(io.StringIO):
    """stdin that claims to be a terminal and answers with the given lines."""

    def isatty(self):
        return True


def run(capsys, argv, stdin=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", stdin if stdin is not None else io.StringIO(""))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_all_prints_forward_pass_every_step_and_the_engines_grads(capsys, monkeypatch):
    code, out, err = run(capsys, EXAMPLE + ["--all"], monkeypatch=monkeypatch)
    a, b, c, root = by_hand()
    assert code == 0 and err == ""
    assert "d   = a * b = 2 * (-3) = -6" in out
    assert f"out = tanh(e) = tanh(4) = {fmt(root.data)}" in out
    assert "backward pass: 3 steps" in out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("step ")] == \
        ["step 1 of 3", "step 2 of 3", "step 3 of 3"]
    for v in (a, b, c):
        assert f"  {v.label}.grad = {fmt(v.grad)}" in out
    assert "[Enter]" not in out


def test_stdin_that_is_not_a_terminal_runs_everything(capsys, monkeypatch):
    code, out, _ = run(capsys, EXAMPLE, stdin=io.StringIO("q\n"), monkeypatch=monkeypatch)
    assert code == 0 and "step 3 of 3" in out and "[Enter]" not in out


def test_a_terminal_gets_one_step_per_enter_and_can_stop(capsys, monkeypatch):
    code, out, _ = run(capsys, EXAMPLE, stdin=FakeTerminal("\nq\n"), monkeypatch=monkeypatch)
    assert code == 0
    assert out.count("[Enter] next") == 2
    assert "step 2 of 3" in out and "step 3 of 3" not in out
    assert "stopped" in out
    a, b, c, _ = by_hand()
    assert f"a.grad = {fmt(a.grad)}" in out  # the rest ran silently


def test_a_terminal_answer_a_prints_the_rest(capsys, monkeypatch):
    code, out, _ = run(capsys, EXAMPLE, stdin=FakeTerminal("a\n"), monkeypatch=monkeypatch)
    assert code == 0 and out.count("[Enter] next") == 1 and "step 3 of 3" in out


def test_end_of_input_on_a_terminal_prints_the_rest(capsys, monkeypatch):
    code, out, _ = run(capsys, EXAMPLE, stdin=FakeTerminal(""), monkeypatch=monkeypatch)
    assert code == 0 and "step 3 of 3" in out and out.count("[Enter] next") == 1


@pytest.mark.parametrize("argv, message", [
    (["step", "a.__class__", "a=1"], "attribute access"),
    (["step", "__import__('os')", ], "not allowed"),
    (["step", "a*b", "a=2"], "no value for b: give b=NUMBER"),
    (["step", "a*b*c", "a=2"], "give b=NUMBER c=NUMBER"),
    (["step", "a*2", "a=2", "b=3"], "unknown name b (b=3): the expression uses only a"),
    (["step", "2*3", "b=3", "c=1"], "unknown names b (b=3), c (c=1): the expression uses no names"),
    (["step", "a*2", "a=2", "ａ=3"], "'a' is given twice"),
    (["step", "a*b", "a=2", "b=x"], "bad number"),
    (["step", "a", "a2"], "NAME=NUMBER"),
    (["step", "a", "1a=2"], "NAME=NUMBER"),
    (["step", "a", "a=1", "a=2"], "twice"),
    (["step", "9**9**9**9 +", "a=1"], "syntax error"),
    (["step"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_a_message(capsys, monkeypatch, argv, message):
    code, out, err = run(capsys, argv, monkeypatch=monkeypatch)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_error_message_points_at_the_problem(capsys, monkeypatch):
    code, _, err = run(capsys, ["step", "a + b[0]", "a=1", "b=2"], monkeypatch=monkeypatch)
    lines = err.splitlines()
    assert code == 2 and "indexing" in lines[0] and "column 5" in lines[0]
    assert lines[2].index("^") == lines[1].index("b[0]")


def test_help_is_helpful(capsys, monkeypatch):
    code, out, _ = run(capsys, ["step", "--help"], monkeypatch=monkeypatch)
    assert code == 0
    for text in ("NAME=NUMBER", "--all", "--svg", "--html", "leaky_relu", "examples:"):
        assert text in out
    code, out, _ = run(capsys, ["--help"], monkeypatch=monkeypatch)
    assert code == 0 and "step" in out and "functions" in out


def test_functions_lists_the_whitelist(capsys, monkeypatch):
    code, out, _ = run(capsys, ["functions"], monkeypatch=monkeypatch)
    assert code == 0
    for name in ("tanh", "relu", "leaky_relu", "gelu", "sigmoid", "sum"):
        assert f"  {name} " in out


def test_parse_values():
    assert parse_values(["x=1e3", "y=-0.5", "z=inf"]) == {"x": 1000.0, "y": -0.5, "z": float("inf")}


def test_writes_html_player(capsys, monkeypatch, tmp_path):
    target = tmp_path / "p.html"
    code, out, _ = run(capsys, EXAMPLE + ["--all", "--html", str(target), "--title", "mine"],
                       monkeypatch=monkeypatch)
    assert code == 0 and f"wrote {target}" in out
    page = target.read_text(encoding="utf-8")
    assert "<title>mine</title>" in page and "player-data" in page
    run(capsys, ["step", "a*b", "a=2", "b=-3", "--html", str(target)], monkeypatch=monkeypatch)
    assert "<title>a*b  with a=2, b=-3</title>" in target.read_text(encoding="utf-8")


@pytest.mark.needs_dot
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_writes_svg_with_grads(capsys, monkeypatch, tmp_path):
    pytest.importorskip("engine.draw")
    target = tmp_path / "g.svg"
    code, out, _ = run(capsys, EXAMPLE + ["--all", "--svg", str(target)], monkeypatch=monkeypatch)
    assert code == 0
    svg = target.read_text(encoding="utf-8")
    a, *_ = by_hand()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert fmt(a.grad).replace("-", "&#45;") in svg


def test_svg_without_dot_is_a_clear_error(capsys, monkeypatch, tmp_path):
    pytest.importorskip("engine.draw")
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(capsys, EXAMPLE + ["--all", "--svg", str(tmp_path / "g.svg")],
                         monkeypatch=monkeypatch)
    assert code == 1 and "dot" in err and "Traceback" not in err
    assert "gradients:" in out


def _module_run(*args, stdin=""):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, env=env)


def test_python_dash_m_engine():
    done = _module_run(*EXAMPLE)
    assert done.returncode == 0, done.stderr
    assert "backward pass: 3 steps" in done.stdout and "c.grad = " in done.stdout
    bad = _module_run("step", "open('/etc/passwd').read()")
    assert bad.returncode == 2 and "unknown method 'read'" in bad.stderr and "Traceback" not in bad.stderr


def test_console_script_when_installed():
    script = Path(sys.executable).with_name("chainrule")
    if not script.exists():
        pytest.skip("the chainrule console script is not installed in this environment")
    done = subprocess.run([str(script), "step", "x**2", "x=3"], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)
    assert done.returncode == 0 and "x.grad = 6" in done.stdout


def test_no_arguments_prints_the_help(capsys, monkeypatch):
    code, out, err = run(capsys, [], monkeypatch=monkeypatch)
    assert code == 0 and err == ""
    assert out.startswith("usage: chainrule") and "step" in out and "examples:" in out


# --- any terminal encoding, any spelling of a name --------------------------------------------


def _run_encoded(encoding, *args):
    """``python -m engine ARGS`` with stdout/stderr in ``encoding``; (status, stdout, stderr) as text."""
    env = dict(os.environ, PYTHONIOENCODING=encoding, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True,
                          timeout=60, env=env, stdin=subprocess.DEVNULL)
    # what was written must be valid in the terminal's encoding
    return done.returncode, done.stdout.decode(encoding), done.stderr.decode(encoding)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_steps_and_functions_write_to_a_narrow_terminal(encoding):
    code, out, err = _run_encoded(encoding, "step", "(a*b).sigmoid()**2 + sum(a, b)", "a=2", "b=3",
                                  "--all")
    assert code == 0 and err == "", err
    assert "upstream dout/dout = 1" in out  # ∂ spelled d
    assert "sigma(d)" in out and "-> " in out  # σ, →
    assert (" × 1 = " if encoding == "latin-1" else " x 1 = ") in out  # latin-1 has ×, ascii not
    code, out, err = _run_encoded(encoding, "functions")
    assert code == 0 and err == "" and "sigma(x)" in out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
@pytest.mark.parametrize("typed, name", [("ａ", "a"), ("ℌ", "H"), ("ﬁ", "fi"), ("𝑥", "x")])
def test_compatibility_spellings_of_a_name_match_on_both_sides(encoding, typed, name):
    for expression, value in [(f"{typed}*2", f"{typed}=3"), (f"{name}*2", f"{typed}=3"),
                              (f"{typed}*2", f"{name}=3")]:
        code, out, err = _run_encoded(encoding, "step", expression, value, "--all")
        assert code == 0 and err == "", (expression, value, err)
        assert f"  {name}.grad = 2" in out and f"with {name}=3" in out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_a_lone_surrogate_gets_the_caret_message(encoding):
    env = dict(os.environ, PYTHONIOENCODING=encoding, PYTHONPATH=str(ROOT))
    # bytes that are not UTF-8 reach Python's argv as lone surrogates (here U+DCFF)
    done = subprocess.run([sys.executable.encode(), b"-m", b"engine", b"step", b"a + \xff", b"a=1"],
                          cwd=ROOT, capture_output=True, timeout=60, env=env)
    err = done.stderr.decode(encoding)
    assert done.returncode == 2 and "Traceback" not in err, err
    lines = err.splitlines()
    assert "U+DCFF, a lone surrogate" in lines[0] and "column 5" in lines[0]
    assert lines[1] == "  a + ?" if encoding != "utf-8" else lines[1] == "  a + \ufffd"
    assert lines[2] == "      ^"


def test_unicode_in_an_error_is_spelled_for_the_terminal():
    code, _, err = _run_encoded("ascii", "step", "日本 + x", "x=1")
    assert code == 2 and "Traceback" not in err
    assert "no value for \\u65e5\\u672c" in err
    code, _, err = _run_encoded("ascii", "frob\u2202")
    assert code == 2 and "invalid choice: 'frobd'" in err


# --- the caret ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, cells", [("日本", 2 + 2), ("e\u0301\u0301", 1), ("ａ", 2), ("x", 1)],
                         ids=["wide", "combining", "fullwidth", "ascii"])
def test_caret_sits_under_the_part_whatever_comes_before_it(capsys, monkeypatch, name, cells):
    prefix = f"{name} + "
    code, _, err = run(capsys, ["step", prefix + "y.foo()", f"{name}=1", "y=2"],
                       monkeypatch=monkeypatch)
    lines = err.splitlines()
    assert code == 2 and "unknown method 'foo'" in lines[0], err
    assert lines[1] == "  " + prefix + "y.foo()"
    assert lines[2] == "  " + " " * (cells + 5) + "^^^"  # under foo, counted in terminal columns


# --- a reader that goes away -------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly():
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT))
    expression = "sum(" + ",".join(["a*b"] * 400) + ")"  # 140 KB of output: more than a pipe holds
    process = subprocess.Popen([sys.executable, "-m", "engine", "step", expression, "a=2", "b=3",
                                "--all"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env)
    first = process.stdout.read(100)  # like `| head`: read a little, then stop listening
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert first.startswith(b"sum(a*b,a*b") and err == ""
