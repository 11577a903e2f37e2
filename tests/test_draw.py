"""engine.draw: DOT text checked without the binary; real SVG renders where `dot` exists."""

import re
import shutil

import graphviz
import pytest

import engine
from engine import Value, define_op, remove_op, topological_order
from engine.draw import (DEFAULT_MAX_NODES, STYLE, GraphDrawing, GraphvizNotFound, draw_dot,
                         dot_available, html_text, plain_text)

needs_dot = pytest.mark.needs_dot
skip_without_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")

HOSTILE = '{a|b}<c> "q" \\N \\ & é\n<b>x</b>\x07 ]]> \'s'


def neuron():
    """The classic one-neuron example: L = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b; n.label = "n"
    out = n.tanh(); out.label = "o"
    return out


def nodes(source):
    """DOT node statements: id -> attribute text."""
    found = {}
    for line in source.splitlines():
        m = re.match(r"\s*(\w+) \[(.*)\]$", line)
        if m and m.group(1) not in ("node", "edge", "graph"):
            found[m.group(1)] = m.group(2)
    return found


def edges(source):
    """DOT edge statements in order: (tail, head, attribute text)."""
    return [(m.group(1), m.group(2), m.group(3) or "")
            for m in re.finditer(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", source, re.M)]


def test_one_box_per_value_one_node_per_op_and_edges_follow_inputs():
    root = neuron()
    order = topological_order(root)
    source = draw_dot(root, legend=False).source
    ops = [k for k, v in enumerate(order) if v.inputs]
    assert set(nodes(source)) == {f"n{k}" for k in range(len(order))} | {f"n{k}op" for k in ops}
    expected = []
    for k in ops:
        expected += [(f"n{order.index(u)}", f"n{k}op") for u in order[k].inputs]
        expected.append((f"n{k}op", f"n{k}"))
    assert [(t, h) for t, h, _ in edges(source)] == expected


def test_value_box_shows_label_data_and_grad_and_op_symbol_comes_from_rule_table():
    root = neuron()
    root.backward()
    source = draw_dot(root).source
    order = topological_order(root)
    w1 = next(k for k, v in enumerate(order) if v.label == "w1")
    assert "<b>w1</b>" in nodes(source)[f"n{w1}"]
    assert "-3</td>" in nodes(source)[f"n{w1}"]
    assert f"<b>{engine.backprop.fmt(order[w1].grad)}</b>" in nodes(source)[f"n{w1}"]
    tanh = len(order) - 1
    assert f"label=<{engine.RULES['tanh'].symbol}>" in nodes(source)[f"n{tanh}op"]


def test_op_settings_and_learner_ops_are_drawn_with_their_symbols():
    cube = define_op("cube_draw_test", forward=lambda x: x ** 3, local=lambda x, o: (3 * x * x,),
                     symbol="x³")
    try:
        x = Value(1.5, label="x")
        y = cube(x ** 2 + x.leaky_relu(0.2))
        source = draw_dot(y).source
    finally:
        remove_op("cube_draw_test")
    assert "label=<** 2>" in source
    assert "label=<LeakyReLU(0.2)>" in source
    assert "label=<x³>" in source


def test_a_times_a_draws_two_edges():
    a = Value(3.0, label="a")
    source = draw_dot(a * a).source
    assert [(t, h) for t, h, _ in edges(source)] == [("n0", "n1op"), ("n0", "n1op"), ("n1op", "n1")]


def operand_numbers(source, op_id):
    """Edge label number -> tail node, for the edges into ``op_id``."""
    return {re.search(r">(\d)<", attrs).group(1): tail
            for tail, head, attrs in edges(source) if head == op_id}


def test_operands_of_non_commutative_ops_are_numbered_in_order():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    assert operand_numbers(draw_dot(a - b).source, "n2op") == {"0": "n0", "1": "n1"}
    assert operand_numbers(draw_dot(a / b).source, "n2op") == {"0": "n0", "1": "n1"}
    # e - a: the order is a, b, e, so operand 0 (e) comes after operand 1 (a)
    e = a + b
    assert operand_numbers(draw_dot(e - a).source, "n3op") == {"0": "n2", "1": "n0"}
    assert operand_numbers(draw_dot(a ** e).source, "n3op") == {"0": "n0", "1": "n2"}


def test_commutative_ops_carry_no_operand_numbers():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    for expr in (a + b, a * b, engine.sum([a, b, a])):
        assert all("label" not in attrs for _, _, attrs in edges(draw_dot(expr).source))


def test_kinds_are_told_apart_and_constants_show_no_grad():
    x = Value(2.0, label="x")
    y = (x * 3 + 1).relu(); y.label = "y"
    source = draw_dot(y).source
    found = nodes(source)
    order = topological_order(y)
    for k, v in enumerate(order):
        kind = "root" if v is y else "inner" if v.inputs else "leaf" if v.requires_grad else "const"
        assert f'bgcolor="{STYLE[kind][0]}"' in found[f"n{k}"], (k, kind)
        assert ("grad</font>" in found[f"n{k}"]) == (kind != "const")
    legend = found["legend"]
    for kind in ("leaf", "const", "inner", "root", "op"):
        assert STYLE[kind][0] in legend
    assert STYLE["current"][0] not in legend
    assert "legend" not in nodes(draw_dot(y, legend=False).source)


def test_show_grad_false_and_precision():
    x = Value(1 / 3, label="x")
    y = x * 2; y.backward()
    assert "grad</font>" not in draw_dot(y, show_grad=False, legend=False).source
    assert "0.333333" in draw_dot(y).source
    short = draw_dot(y, precision=2).source
    assert "0.33</td>" in short and "0.333" not in short


def test_unlabelled_nodes_use_the_step_text_names():
    x = Value(2.0, label="x")
    y = (x * x).exp()
    source = draw_dot(y).source
    assert "<i>" in nodes(source)["n1"] and ">n1</font>" in nodes(source)["n1"]
    step = next(y.backward_steps())
    assert step.name(y) == "n2" and ">n2</font>" in nodes(draw_dot(y).source)["n2"]


def test_dot_source_is_deterministic_across_separately_built_graphs():
    first, second = draw_dot(neuron()).source, draw_dot(neuron()).source
    assert first == second
    assert "0x" not in first  # no id()-style addresses


def test_hostile_labels_are_escaped_in_html_labels_and_tooltips():
    a = Value(1.0, label=HOSTILE)
    y = a * 2; y.label = HOSTILE
    source = draw_dot(y).source
    labels = re.findall(r"label=(<.*?>) id=", source)
    assert len(labels) == 4  # a, the constant, y, the op
    assert all("<c>" not in label and "<b>x</b>" not in label for label in labels)
    assert "&lt;c&gt;" in labels[0] and "&quot;q&quot;" in labels[0] and "&amp;" in labels[0]
    tooltip = re.search(r'n0 .*tooltip="(.*)"\]$', source, re.M).group(1)
    assert tooltip.startswith('{a|b}<c> \\"q\\" \\\\N')  # quotes and backslashes escaped
    assert "\\\\N" in source and "\x07" not in source and "\\x07" in source


def test_lone_surrogates_and_control_characters_still_encode():
    y = Value(1.0, label="\udc80x\x00") * 2
    source = draw_dot(y).source
    source.encode("utf-8")  # raises on a lone surrogate
    assert "\\\\udc80x\\\\x00" in source


def test_html_text_and_plain_text_helpers():
    assert html_text("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;"
    assert html_text("a\nb") == 'a<br align="left"/>b'
    assert html_text("x" * 100, limit=10) == "x" * 9 + "…"
    assert plain_text("\\G") == "\\\\G"
    assert plain_text("a\nb") == "a\\nb"


def test_highlight_marks_the_step_node_its_inputs_and_contributions():
    root = neuron()
    steps = list(root.backward_steps())
    step = steps[1]  # n = (x1*w1 + x2*w2) + b
    order = topological_order(root)
    k = order.index(step.node)
    source = draw_dot(root, highlight=step).source
    found = nodes(source)
    assert f'color="{STYLE["current"][1]}"' in found[f"n{k}"]
    assert STYLE["current"][0] in found[f"n{k}op"]
    for inp in step.inputs:
        assert f'bgcolor="{STYLE["input"][0]}"' in found[f"n{order.index(inp)}"]
    into_op = [attrs for _, head, attrs in edges(source) if head == f"n{k}op"]
    for attrs, contribution in zip(into_op, step.contributions):
        assert f"grad += {engine.backprop.fmt(contribution)}" in attrs
    assert html_text(step.lines()[0], limit=4000) in source  # the step's text is the title
    others = [attrs for _, head, attrs in edges(source) if head != f"n{k}op"]
    assert not any("grad +=" in attrs for attrs in others)


def test_highlight_shows_the_grads_of_that_step_even_when_drawn_later():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = a * b + a; y.label = "y"
    steps = list(y.backward_steps())  # after all steps a.grad = b + 1 = -2
    k_a, k_b, k_ab = (topological_order(y).index(v) for v in (a, b, y.inputs[0]))
    first = nodes(draw_dot(y, highlight=steps[0]).source)
    assert "<b>1</b>" in first[f"n{k_a}"] and "so far" in first[f"n{k_a}"]  # after + only
    assert "<b>…</b>" in first[f"n{k_b}"] and "pending" in first[f"n{k_b}"]  # * comes later
    assert "<b>1</b>" in first[f"n{k_ab}"] and "so far" not in first[f"n{k_ab}"]
    second = nodes(draw_dot(y, highlight=steps[1]).source)
    assert "<b>-2</b>" in second[f"n{k_a}"] and "so far" not in second[f"n{k_a}"]
    assert "<b>2</b>" in second[f"n{k_b}"]
    assert "pending" not in draw_dot(y).source  # only a step has pending grads


def test_a_times_a_highlight_labels_both_edges():
    a = Value(3.0, label="a")
    y = a * a
    step = next(y.backward_steps())
    labelled = [attrs for _, head, attrs in edges(draw_dot(y, highlight=step).source)
                if head == "n1op"]
    assert len(labelled) == 2 and all("grad += 3" in attrs for attrs in labelled)


def test_highlight_rejects_foreign_steps_and_wrong_types():
    step = next(neuron().backward_steps())
    with pytest.raises(ValueError, match="another graph"):
        draw_dot(Value(1.0) * 2, highlight=step)
    with pytest.raises(TypeError, match="Step"):
        draw_dot(neuron(), highlight=3)


def test_bad_options_are_refused_clearly():
    y = neuron()
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(y, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(y, max_nodes=0)
    with pytest.raises(ValueError, match="precision"):
        draw_dot(y, precision=0)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw_dot(y, max_nodes=10.0)
    with pytest.raises(ValueError, match="precision must be None or an int"):
        draw_dot(y, precision=True)
    with pytest.raises(TypeError, match="Value"):
        draw_dot(3.0)
    with pytest.raises(TypeError, match="title"):
        draw_dot(y, title=3)
    assert "rankdir=TB" in draw_dot(y, rankdir="TB").source


def test_title_comes_before_the_step_text():
    y = neuron()
    step = next(y.backward_steps())
    source = draw_dot(y, title="one <neuron>", highlight=step).source
    label = re.search(r" label=<(.*)> labeljust", source).group(1)
    assert label.startswith('one &lt;neuron&gt;<br align="left"/>step 1 of ')


def test_node_budget_refuses_big_graphs_with_their_size_and_advice():
    x = Value(0.5, label="x")
    y = engine.sum([x * float(i) for i in range(60)])
    size = len(topological_order(y))
    with pytest.raises(ValueError) as info:
        draw_dot(y, max_nodes=size - 1)
    message = str(info.value)
    assert f"{size} values" in message and "sub-expression" in message and "max_nodes" in message
    assert draw_dot(y, max_nodes=size).source


def test_long_edge_budget_refuses_small_but_slow_graphs():
    # A value reused all along a long chain: 351 values took dot 10 s of CPU here.
    x = Value(0.3, label="x")
    y = x
    for i in range(100):
        y = (y * 0.9 + x).tanh() if i % 2 else y * y + 1
    assert len(topological_order(y)) < DEFAULT_MAX_NODES
    with pytest.raises(ValueError, match="long edges"):
        draw_dot(y)
    assert draw_dot(y, max_nodes=2000).source  # a larger budget is the caller's choice


def test_missing_dot_gives_one_clear_error_and_jupyter_text(monkeypatch, tmp_path):
    g = draw_dot(neuron())
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not dot_available()
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz") as info:
        g.pipe(format="svg")
    assert isinstance(info.value, graphviz.ExecutableNotFound)
    with pytest.raises(GraphvizNotFound, match="make demo"):
        g.render(tmp_path / "graph", format="svg")
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and g.source in bundle["text/plain"]
    assert "Graphviz" in bundle["text/plain"]


def test_dot_available_matches_path():
    assert dot_available() == (shutil.which("dot") is not None)
    assert isinstance(draw_dot(neuron()), GraphDrawing)
    assert isinstance(draw_dot(neuron()), graphviz.Digraph)


@needs_dot
@skip_without_dot
def test_real_svg_has_the_documented_ids_and_escaped_text():
    a = Value(1.0, label=HOSTILE)
    y = (a - 2.0) * a; y.label = "y"
    step = next(y.backward_steps())
    svg = draw_dot(y, highlight=step).pipe(format="svg", encoding="utf-8")
    order = topological_order(y)
    for k, v in enumerate(order):
        assert f'id="n{k}"' in svg
        if v.inputs:
            assert f'id="n{k}op"' in svg and f'id="n{k}op_out"' in svg
    assert "&lt;c&gt;" in svg and "\\N" in svg and "{a|b}" in svg
    assert "grad += " in svg


@needs_dot
@skip_without_dot
def test_jupyter_shows_svg_when_dot_exists_and_pipe_times_out_cleanly():
    g = draw_dot(neuron())
    assert g._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="unknown output format"):
        g.pipe(format="bogus")
    g.timeout = 1e-6
    with pytest.raises(TimeoutError, match="timeout = None"):
        g.pipe(format="svg")
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "did not finish" in bundle["text/plain"]


@needs_dot
@skip_without_dot
def test_every_rankdir_and_option_renders():
    root = neuron()
    steps = list(root.backward_steps())
    for rankdir in ("LR", "TB", "RL", "BT"):
        svg = draw_dot(root, rankdir=rankdir, highlight=steps[-1], show_grad=False,
                       precision=3).pipe(format="svg")
        assert svg.startswith(b"<?xml")


def test_big_graphs_place_edge_labels_after_layout():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    small = draw_dot(a - b).source
    assert "n0 -> n2op [label=" in small
    big = engine.sum([a - float(i) for i in range(100)])  # a, 100 constants, 100 subs, the sum
    assert len(topological_order(big)) > engine.draw.LAYOUT_LABELS_UP_TO
    source = draw_dot(big).source
    assert "xlabel=" in source and " [label=<<font" not in source


@needs_dot
@skip_without_dot
def test_render_writes_the_picture_file(tmp_path):
    path = draw_dot(neuron()).render(tmp_path / "neuron", format="svg")
    assert path.endswith("neuron.svg") and "<svg" in (tmp_path / "neuron.svg").read_text()


@needs_dot
@skip_without_dot
def test_any_label_renders():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(st.text(max_size=30), st.text(alphabet="{}|<>\"'\\&;#[]\n\t \x00\x7f", max_size=30))
    def check(free, special):
        a = Value(1.0, label=free)
        y = a - Value(2.0, label=special); y.label = special + free
        svg = draw_dot(y, title=free).pipe(format="svg", encoding="utf-8")
        assert svg.count('class="node"') == 5  # a, b, y, the op, the legend

    check()


def test_source_is_identical_across_processes_and_hash_seeds():
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys; sys.path.insert(0, 'tests'); from test_draw import neuron; "
              "from engine.draw import draw_dot; r = neuron(); s = list(r.backward_steps()); "
              "print(draw_dot(r, highlight=s[2]).source)")
    root = Path(__file__).resolve().parent.parent
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                              text=True, check=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(outputs) == 1 and "n0 -> n2op" in outputs.pop()


def test_a_lone_leaf_is_drawn_as_the_root():
    source = draw_dot(Value(3.0, label="x")).source
    assert " -> " not in source and f'bgcolor="{STYLE["root"][0]}"' in nodes(source)["n0"]
