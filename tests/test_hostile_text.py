"""Hostile text: stepper expressions that reach for Python, CLI misuse, labels special in DOT
and HTML, bad drawing/player/save options (the companion of ``tests/test_hostile.py``).

Every expression below must be refused with a ``ValueError`` whose message says what is
not allowed and whose caret line underlines the offending part - quickly, and without any
Python evaluation (``9**9**9`` is IEEE arithmetic in the engine, so it is ``inf`` at once).
"""

from __future__ import annotations

import html.parser
import json
import math
import re
import shutil
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value
from engine.cli import main
from engine.draw import draw_dot
from engine.expr import parse_expression

from test_hostile import TIME_LIMIT, expect

VALUES = {"a": 2.0, "b": -3.0, "x": 0.5}


def underlined(message: str) -> str:
    """The text the caret line (``^^^``) of a parser message points at."""
    lines = message.splitlines()
    for above, below in zip(lines, lines[1:]):
        if set(below.strip()) == {"^"}:
            start = below.index("^")
            return above[start:start + below.count("^")]
    raise AssertionError(f"no caret line in {message!r}")


# (expression, message fragment, text the caret must underline)
ESCAPES = [
    ("__import__('os')", "calls of '__import__' are not allowed", "__import__"),
    ("__import__('os').system('ls')", "unknown method 'system'", "system"),
    ("a.__class__", "attribute access is not allowed", "a.__class__"),
    ("a.__class__.__bases__[0].__subclasses__()", "unknown method", "__subclasses__"),
    ("a.tanh.__globals__", "attribute access is not allowed", "a.tanh.__globals__"),
    ("a.__add__(b)", "unknown method '__add__'", "__add__"),
    ("(a).__dict__", "attribute access is not allowed", "(a).__dict__"),
    ("a.data", "attribute access is not allowed", "a.data"),
    ("lambda: 1", "lambda is not allowed", "lambda: 1"),
    ("(lambda: a)()", "only calls of the engine's functions", "(lambda: a)()"),
    ("[x for x in a]", "a comprehension is not allowed", "[x for x in a]"),
    ("{k: 1 for k in a}", "a comprehension is not allowed", "{k: 1 for k in a}"),
    ("sum(a for a in b)", "a generator expression is not allowed", "a for a in b"),
    ("eval('1')", "calls of 'eval' are not allowed", "eval"),
    ("open('/etc/passwd')", "calls of 'open' are not allowed", "open"),
    ("getattr(a, 'data')", "calls of 'getattr' are not allowed", "getattr"),
    ("print(a)", "calls of 'print' are not allowed", "print"),
    ("__builtins__", "unknown name '__builtins__'", "__builtins__"),
    ("a[0]", "indexing is not allowed", "a[0]"),
    ("a if b else x", "a conditional expression is not allowed", "a if b else x"),
    ("(y := a)", "':=' is not allowed", "y := a"),
    ("a < b", "a comparison is not allowed", "a < b"),
    ("a and b", "and/or is not allowed", "a and b"),
    ("f'{a}'", "an f-string is not allowed", "f'{a}'"),
    ("'rm -rf'", "only int and float numbers are allowed, got str", "'rm -rf'"),
    ("b'x'", "got bytes", "b'x'"),
    ("1j", "got complex", "1j"),
    ("True", "got bool", "True"),
    ("None", "got NoneType", "None"),
    ("[a] * 9**9", "a list is not allowed", "[a]"),
    ("'x' * 9**9", "got str", "'x'"),
    ("a @ b", "only + - * / ** are allowed", "a @ b"),
    ("a // b", "only + - * / ** are allowed", "a // b"),
    ("a % b", "only + - * / ** are allowed", "a % b"),
    ("~a", "only unary minus and plus", "~a"),
    ("not a", "only unary minus and plus", "not a"),
    ("a.exp(**{})", "unpacking are not allowed", "a.exp(**{})"),
    ("(a)(b)", "calls of 'a' are not allowed", "a"),
    ("a.tanh(1)", "tanh() takes no settings", "1"),
    ("a.leaky_relu(b)", "a setting must be a plain number", "b"),
    ("a.gelu(approximate='exp')", "'none' or 'tanh', got 'exp'", "a.gelu(approximate='exp')"),
    ("tanh()", "tanh() needs an input", "tanh()"),
    ("sum()", "sum takes the terms as inputs", "sum()"),
    ("c * a", "unknown name 'c'; known names: a, b, x", "c"),
    ("exp", "it is a function: write exp(x)", "exp"),
    ("a = 1", "syntax error", "="),
    ("import os", "syntax error", "i"),
    ("a; b", "syntax error", ";"),
    ("(" * 150 + "a", "syntax error", "("),
    ("(" * 1999 + "a", "too many nested parentheses", "("),
    ("-" * 1999 + "a", "nested too deeply (the limit is 200 levels)", "-"),
    ("a" + "**a" * 600, "nested too deeply", "a"),
    ("a" + "+a" * 600, "nested too deeply", "a+a"),
    ("a" + ".tanh()" * 250, "nested too deeply", "a.tanh()"),
]
TOO_LONG = ["(" * 10000 + "a" + ")" * 10000, "a" + "+a" * 5000, "-" * 100000 + "a"]


@pytest.mark.parametrize("text, fragment, pointed", ESCAPES,
                         ids=[e[0][:40] for e in ESCAPES])
def test_stepper_expressions_that_reach_for_python_are_refused_with_a_pointer(text, fragment,
                                                                              pointed):
    error = expect(lambda: parse_expression(text, VALUES), ValueError, re.escape(fragment))
    assert pointed in underlined(str(error)), str(error)


@pytest.mark.parametrize("text", TOO_LONG, ids=["(*10000", "+a*5000", "-*100000"])
def test_huge_expressions_are_refused_by_length_before_parsing(text):
    expect(lambda: parse_expression(text, VALUES), ValueError,
           f"{len(text)} characters long; the limit is 2000")


@pytest.mark.parametrize("text, expected", [
    ("9**9**9", math.inf), ("9**9**9**9", math.inf), ("10**400", math.inf),
    ("2**10000", math.inf), ("a**9**9**9", math.inf), ("a**-9**9**9", 0.0),
    ("1e400 - 1e400", None), ("0/0", None), ("a/0", math.inf), ("(-8)**(1/3)", None),
])
def test_huge_arithmetic_is_ieee_in_the_engine_and_instant(text, expected):
    start = time.perf_counter()
    out = parse_expression(text, VALUES)
    assert time.perf_counter() - start < TIME_LIMIT
    assert isinstance(out, Value)
    if expected is None:
        assert math.isnan(out.data)
    else:
        assert out.data == expected


@pytest.mark.parametrize("values, exc, fragment", [
    ({"a": "2"}, TypeError, "value of 'a' must be a real number.*str"),
    ({"a": None}, TypeError, "value of 'a'.*NoneType"),
    ({"a": 1j}, TypeError, "value of 'a'.*complex"),
    ({"1a": 2}, ValueError, "Python identifiers, got '1a'"),
    ({"if": 2}, ValueError, "Python identifiers, got 'if'"),
    ({3: 2}, ValueError, "Python identifiers, got 3"),
    (None, TypeError, "values must be a dict"),
    ([("a", 1)], TypeError, "values must be a dict"),
])
def test_bad_values_for_the_expression(values, exc, fragment):
    expect(lambda: parse_expression("a", values), exc, fragment)


def test_expression_that_is_not_a_string():
    expect(lambda: parse_expression(b"a", VALUES), TypeError, "expression must be a str")
    expect(lambda: parse_expression("   ", VALUES), ValueError, "expression is empty")
    assert parse_expression("a", {"a": 10 ** 400}).data == math.inf


# --- the chainrule command --------------------------------------------------------------

CLI = [
    (["frob"], 2, "invalid choice: 'frob'"),
    (["step", "a", "a=1", "--bogus"], 2, "unrecognized arguments: --bogus"),
    (["step", "__import__('os').system('echo pwned')", "--all"], 2, "unknown method 'system'"),
    (["step", "a.__class__", "a=1", "--all"], 2, "attribute access is not allowed"),
    (["step", "(" * 10000 + "a", "--all"], 2, "the limit is 2000"),
    (["step", "--all", "--", "-" * 1999 + "a", "a=1"], 2, "nested too deeply"),
    (["step", "a*b", "a=x", "b=1", "--all"], 2, "bad number in 'a=x': expected NAME=NUMBER"),
    (["step", "a*b", "a=1", "--all"], 2, "no value for b: give b=NUMBER"),
    (["step", "a*2", "a=1", "zz=2", "--all"], 2, "unknown name zz .*: the expression uses only a"),
    (["step", "a", "a=1", "a=2", "--all"], 2, "'a' is given twice"),
    (["step", "a", "if=1", "--all"], 2, "bad value 'if=1'|identifiers"),
    (["step", "a", "=1", "--all"], 2, "bad value '=1'"),
    (["step", "a", "a=", "--all"], 2, "bad number in 'a='"),
    (["step", "a", "a=1j", "--all"], 2, "bad number in 'a=1j'"),
    (["step", "a*2", "a=1", "--all", "--svg", "/nonexistent/dir/g.svg"], 1, "could not write"),
    (["step", "a*2", "a=1", "--all", "--html", "/nonexistent/dir/p.html"], 1, "could not write"),
]


@pytest.mark.parametrize("argv, status, fragment", CLI, ids=[" ".join(c[0])[:40] for c in CLI])
def test_cli_misuse_exits_with_a_message_not_a_traceback(argv, status, fragment, capfd):
    start = time.perf_counter()
    assert main(argv) == status
    assert time.perf_counter() - start < 5 * TIME_LIMIT  # --svg may run dot once
    out, err = capfd.readouterr()  # file descriptors: a shell command would print here
    assert re.search(fragment, err), err
    assert "Traceback" not in out + err
    assert "pwned" not in out.splitlines() + err.splitlines()


@pytest.mark.parametrize("text", ["1if a else b", "0x1for", "'\\d'", "1_if"])
def test_python_warnings_about_the_text_never_leak_out(text, capfd, recwarn):
    # ast.parse warns (SyntaxWarning: invalid decimal literal, invalid escape sequence) on
    # the way to the real answer: the stepper's own error, with nothing else on stderr.
    with pytest.raises(ValueError):
        parse_expression(text, VALUES)
    assert main(["step", text, "a=1", "b=2", "--all"]) == 2
    err = capfd.readouterr().err
    assert "Warning" not in err and err.startswith("chainrule step: error:"), err
    assert not [w for w in recwarn if issubclass(w.category, (SyntaxWarning, DeprecationWarning))]


@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "1e999"])
def test_cli_accepts_ieee_specials_and_steps_through_them(number, capsys):
    assert main(["step", "a*2", f"a={number}", "--all"]) == 0
    out = capsys.readouterr().out
    assert "a.grad = 2" in out


# --- labels that are special in DOT and HTML ----------------------------------------------

HOSTILE_LABELS = ['<b>', '"q"', "a&b", "&amp;", "{x|y}", "\\N", "\\G", "x\ny", "</td>", "]]>",
                  "-->", "'", "\x00\x01", "\ud800", "<script>alert(1)</script>",
                  'a"; rankdir=TB; "', "\\", "end\\", "€∂σ", "\r\n", "\t", "{0}", "{out}",
                  "</script><script>alert(2)</script>", "<!--", "javascript:x", 'onload="x"']
_OUR_TAGS = re.compile(r"</?(table|tr|td|font|b|i|br|vr)\b[^<>]*/?>")


def hostile_graph():
    leaves = [Value(float(i), label=text) for i, text in enumerate(HOSTILE_LABELS)]
    root = engine.sum([leaf * leaf for leaf in leaves]).tanh()
    root.label = "<root>&\"'"
    root.backward()
    return root


def test_draw_dot_source_keeps_hostile_labels_inside_escaped_html_labels():
    source = draw_dot(hostile_graph(), legend=False).source
    for body in re.findall(r"label=<(.*)>(?: |\]|,)", source):
        text = _OUR_TAGS.sub("", body)
        assert "<" not in text and ">" not in text, body
        assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#39;)", text), body
    tooltips = re.findall(r'tooltip=("(?:[^"\\]|\\.)*")', source)
    assert len(tooltips) >= len(HOSTILE_LABELS)
    for quoted in tooltips:
        assert quoted.endswith('"') and "\n" not in quoted  # one well-formed DOT string each
    assert "\x00" not in source and "\ud800" not in source


@pytest.mark.needs_dot
def test_draw_dot_with_hostile_labels_renders_to_well_formed_svg():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    import xml.dom.minidom
    svg = draw_dot(hostile_graph()).pipe(format="svg")
    document = xml.dom.minidom.parseString(svg)
    texts = " ".join(t.firstChild.data for t in document.getElementsByTagName("text")
                     if t.firstChild is not None)
    assert "<script>alert(1)</script>" in texts  # shown as text, not markup
    assert not document.getElementsByTagName("script")


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts, self.data, self.title = [], {}, []
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.starts.append(tag)
        self._in = dict(attrs).get("id") if tag == "script" else tag
        if tag == "title":
            self.title.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "player-data":
            self.data["json"] = self.data.get("json", "") + data
        elif self._in == "title":
            self.title[-1] += data


def test_player_html_stays_well_formed_with_hostile_labels_and_title(tmp_path):
    title = "</title><script>alert(3)</script>"
    page = engine.save_player(hostile_graph(), tmp_path / "p.html", title=title)
    text = page.read_text(encoding="utf-8")
    parsed = _Tags()
    parsed.feed(text)
    assert parsed.starts.count("script") == 2  # the data block and the player code, no more
    assert parsed.title[0] == title  # the page's own <title>: escaped, so it reads back exactly
    data = json.loads(parsed.data["json"])
    names = {node["name"] for node in data["nodes"]}
    assert set(HOSTILE_LABELS) - {"\ud800"} <= names
    assert "\\ud800" in names or "\ud800" in names


# --- drawing, player and file options ------------------------------------------------------

a = Value(1.0, label="a")
OPTIONS = [
    ("draw None", lambda: draw_dot(None), TypeError, "draw_dot needs a Value"),
    ("draw int", lambda: draw_dot(3), TypeError, "draw_dot needs a Value, got int"),
    ("draw rankdir", lambda: draw_dot(a, rankdir="XY"), ValueError, "rankdir must be one of"),
    ("draw max_nodes 0", lambda: draw_dot(a, max_nodes=0), ValueError, "max_nodes must be"),
    ("draw max_nodes float", lambda: draw_dot(a, max_nodes=1.5), ValueError, "max_nodes must be"),
    ("draw precision 0", lambda: draw_dot(a, precision=0), ValueError, "precision must be"),
    ("draw highlight str", lambda: draw_dot(a, highlight="x"), TypeError, "highlight must be a Step"),
    ("draw foreign step", lambda: draw_dot(a, highlight=next((a * 2).backward_steps())),
     ValueError, "belongs to another graph"),
    ("draw too big", lambda: draw_dot(engine.sum([a] * 5) + 1, max_nodes=2), ValueError,
     "more than max_nodes=2.*sub-expression"),
    ("player root", lambda: engine.save_player(3, "x.html"), TypeError, "needs a Value as root"),
    ("player path", lambda: engine.save_player(a, None), TypeError, "path must be a str or Path"),
    ("player title", lambda: engine.save_player(a, "x.html", title=3), TypeError, "title must"),
    ("player dir", lambda: engine.save_player(a, "/nonexistent/dir/p.html"), OSError,
     "No such file"),
    ("save int", lambda: nn.save(3, "m.json"), TypeError, "save knows MLP, Layer and Neuron"),
    ("save custom activation", lambda: nn.save(nn.MLP(2, [2, 1], activation=lambda v: v.tanh()),
                                               "m.json"), ValueError, "custom activation"),
    ("save missing dir", lambda: nn.save(nn.MLP(2, [1]), "/nonexistent/dir/m.json"), OSError,
     "No such file"),
    ("load missing", lambda: nn.load("/nonexistent/m.json"), OSError, "No such file"),
    ("load None", lambda: nn.load(None), TypeError, "NoneType"),
    ("draw_network None", lambda: nn.draw_network(None), TypeError,
     "needs an MLP, a Layer, a Neuron or a Perceptron, got NoneType"),
    ("draw_network too big", lambda: nn.draw_network(nn.MLP(2, [200, 200, 1], seed=0)), ValueError,
     "more than max_weights=3000.*Draw a smaller model"),
    ("to_torch None", lambda: _torch() and nn.to_torch(None), TypeError, "know MLP, Layer and Neuron"),
    ("to_torch custom", lambda: _torch() and nn.to_torch(nn.MLP(2, [2, 1], activation=lambda v: v)),
     ValueError, "needs named activations"),
    ("from_torch shape", lambda: nn.from_torch(nn.MLP(2, [3, 1]), nn.to_torch(nn.MLP(2, [4, 1]))),
     ValueError, r"weight shape \(4, 2\), expected \(3, 2\)"),
    ("from_torch int", lambda: _torch() and nn.from_torch(nn.MLP(2, [3, 1]), 3), TypeError,
     "needs a torch.nn.Module"),
    ("from_torch nan", lambda: nn.from_torch(nn.MLP(2, [3, 1]), _nan_module()), ValueError,
     "is not finite"),
]


def _torch():
    return pytest.importorskip("torch")


def _nan_module():
    torch = _torch()
    module = nn.to_torch(nn.MLP(2, [3, 1], seed=0))
    with torch.no_grad():
        module[0].weight[0, 0] = float("nan")
    return module


@pytest.mark.parametrize("call, exc, fragment", [pytest.param(*c[1:], id=c[0]) for c in OPTIONS])
def test_drawing_player_and_file_options_are_checked(call, exc, fragment, tmp_path, monkeypatch,
                                                     request):
    if "torch" in request.node.name:
        _torch()  # import it before the clock starts (the first import takes seconds)
    monkeypatch.chdir(tmp_path)
    expect(call, exc, fragment)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_saving_a_model_with_nan_weights_is_refused_and_writes_nothing(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[1].neurons[0].b.data = math.nan
    expect(lambda: nn.save(model, tmp_path / "m.json"), ValueError,
           "'layers.1.neurons.0.b' is not finite.*JSON has no inf or nan")
    assert not list(tmp_path.iterdir())


@pytest.mark.needs_dot
@settings(max_examples=25, deadline=None)
@given(labels=st.lists(st.text(max_size=16), min_size=3, max_size=6), title=st.text(max_size=20))
def test_any_labels_render_to_well_formed_svg_and_player(tmp_path_factory, labels, title):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    import xml.dom.minidom
    leaves = [Value(float(i), label=text) for i, text in enumerate(labels)]
    root = engine.sum([leaf * leaf for leaf in leaves])
    xml.dom.minidom.parseString(draw_dot(root).pipe(format="svg"))
    page = engine.save_player(root, tmp_path_factory.mktemp("p") / "p.html", title=title)
    parsed = _Tags()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.starts.count("script") == 2
    names = [node["name"] for node in json.loads(parsed.data["json"])["nodes"]]
    assert len(names) == len(engine.topological_order(root))


@pytest.mark.parametrize("argv, fragment", [
    (["step", "__import__('os').system('echo pwned')"], "unknown method 'system'"),
    (["step", "(" * 300 + "a" + ")" * 300, "a=1"], "syntax error: too many nested parentheses"),
    (["step", "a" + "+a" * 1000, "a=1"], "the limit is 2000"),
])
def test_python_dash_m_engine_refuses_in_a_real_process(argv, fragment):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "engine", *argv], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert "pwned" not in result.stdout.splitlines()
