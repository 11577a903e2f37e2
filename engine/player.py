"""An HTML backprop player: one self-contained page that steps through a graph.

:func:`save_player` lays the graph out once with Graphviz (through
:func:`engine.draw_dot`), runs the engine's own :func:`~engine.backward_steps`
and writes everything - the SVG, the numbers and text of every step as JSON,
the CSS and the JavaScript - into a single HTML file. The page needs no server
and no network: open it from disk, then step with the buttons or the keys
(→ / ← step, Space plays, Home / End jump, B jumps to the backward pass).

The forward pass reveals each computed node in topological order (leaves are
known from the start); the backward pass seeds the root's grad with 1 and then
shows one :class:`~engine.Step` at a time: the node, its upstream gradient and,
for every input, ``local × upstream = contribution`` and the input's new grad.
The JavaScript only displays; every number comes from Python.

Sizes: a 400-value network gives a 1.5 MB page that steps in a few ms of
script per step; past ``engine.draw``'s node budget (1000 values) the page
has no picture but still steps through the numbers (about 0.7 KB per value).

>>> from engine import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> y = (a * b).tanh(); y.label = "y"
>>> data = player_data(y)
>>> [n["name"] for n in data["nodes"]], len(data["steps"])
(['a', 'b', 'n2', 'y'], 2)
>>> data["steps"][0]["rows"][0]["formula"]
'1 - y²'
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from .backprop import backward_steps, topological_order
from .levels import layer_units, network_units
from .naming import NodeNames, fmt, node_kind
from .provenance import natural_key, origin

if TYPE_CHECKING:
    from .value import Value

ASSETS = Path(__file__).resolve().parent / "assets"
SCRIPTS = ("viewport.js", "network.js", "player.js", "quiz.js")
PACK_ABOVE = 1_000_000
"""Data larger than this many characters is gzipped into the page (a 5,000-value graph: 19 -> 4 MB)."""
"""The page's scripts, in order (a new feature adds its file here)."""
MAX_NODES = 20_000
"""Largest graph the player takes (a page of about 18 MB); bigger ones are refused."""

_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                "\u2028": "\\u2028", "\u2029": "\\u2029"}

# Colours of the node kinds, matching the drawing (engine.draw.STYLE) when it exists.
_KIND_COLOURS = {"leaf": ["#dbeafe", "#2563eb"], "const": ["#f3f4f6", "#9ca3af"],
                 "inner": ["#ffffff", "#64748b"], "root": ["#fef3c7", "#d97706"],
                 "op": ["#ede9fe", "#7c3aed"]}


def forward_numbers(v: "Value") -> str:
    """How ``v`` was computed, with its inputs' numbers in place of their names.

    Negative numbers get parentheses, so the text reads right.

    >>> from engine import Value
    >>> forward_numbers(Value(2.0) * Value(-3.0))
    '2 * (-3)'
    """
    if not v.inputs or v.op is None:  # a leaf (a node with inputs always has its op)
        return fmt(v.data)
    numbers = []
    for x in v.inputs:
        text = fmt(x.data)
        numbers.append(f"({text})" if text.startswith("-") else text)
    return v.op.describe_forward(numbers, v.attr)


def player_data(root: "Value", *, title: Optional[str] = None, quiz: bool = False) -> dict:
    """Everything the page shows, computed by the engine, as JSON-ready data.

    Runs one backward pass over ``root`` the way ``root.backward()`` would
    (leaf grads accumulate onto what they held before), but records each
    step as if every grad started at 0, which is what the page shows.
    """
    _check_root(root)
    order = topological_order(root)
    if len(order) > MAX_NODES:  # refuse before running the steps: ~900 bytes of page per node
        raise ValueError(f"this graph has {len(order)} values, more than MAX_NODES={MAX_NODES} "
                         f"(engine/player.py): the page would be about {len(order) // 1100} MB. "
                         "Step through a sub-expression instead (one neuron's output, one "
                         "sample's loss)")
    with named_root(root, order):
        data = _player_data(root, order, title)
        data["quiz"] = quiz_data(root, order, start=quiz)
    return data


def quiz_data(root: "Value", order: list, *, start: bool = False) -> Optional[dict]:
    """The page's quiz (see :mod:`engine.quiz`): every question with its answer, the worked
    sum and each catalogued mistake's number; None for a graph too big to quiz."""
    from .mistakes import MISTAKES
    from .quiz import Quiz
    index = {v: k for k, v in enumerate(order)}
    try:
        quiz = Quiz(root, order=order)
    except ValueError:  # too many gradients, or a nan / infinite one: no quiz for this page
        if start:
            raise
        return None
    questions = [dict(q.to_json(), node=index[q.node]) for q in quiz.questions]
    return {"start": bool(start), "questions": questions, "relTol": quiz.rel_tol, "absTol": quiz.abs_tol,
            "mistakes": {k: [m.summary, m.hint] for k, m in MISTAKES.items()}}


def _check_root(root: object) -> None:
    if not hasattr(root, "inputs") or not hasattr(root, "grad"):
        raise TypeError(f"the player needs a Value as root, got {type(root).__name__}")


@contextmanager
def named_root(root: "Value", order: list):
    """Lend an unlabelled root a name for a while: ``loss`` in a network's graph, else ``output``.

    Without one, every sentence of the page would say "n406".
    """
    if root.label:
        yield
        return
    root.label = "loss" if root.inputs and any(origin(v) for v in order) else "output"
    try:
        yield
    finally:
        root.label = ""


def _player_data(root: "Value", order: list, title: Optional[str]) -> dict:
    index = {v: k for k, v in enumerate(order)}
    names = NodeNames(order)
    units = network_units(order, names)
    earlier = {v: v.grad for v in order if not v.inputs}
    for v in earlier:
        v.grad = 0.0
    try:
        steps = [_step_data(step, index) for step in backward_steps(root)]
        finals = [v.grad for v in order]
        root_name = names(root)
        nodes = _nodes_data(order, index, names, root, finals)
    finally:
        for v, grad in earlier.items():
            v.grad += grad
    leaves = sorted((k for k, v in enumerate(order) if not v.inputs),
                    key=lambda k: natural_key(nodes[k]["name"]) if nodes[k]["named"] else (2,))
    data = {
        "title": title if title is not None else f"Backprop through {root_name}",
        "root": len(order) - 1,
        "rootName": root_name,
        "nodes": nodes,
        "forward": [k for k, v in enumerate(order) if v.inputs],
        "steps": steps,
        "colours": _colours(),
        "tableOrder": leaves + [k for k, v in enumerate(order) if v.inputs],
        "views": ["scalar"],
    }
    if units is not None:
        from .draw_levels import name_inputs
        name_inputs(units, order)
        for u in units:  # an unlabelled value made outside the modules: say how it was made
            if u.kind == "value" and not nodes[u.out]["named"] and "formula" in nodes[u.out]:
                u.name = nodes[u.out]["formula"]
        data["levels"] = {"neuron": _units_data(units), "layer": _units_data(layer_units(units))}
        data["views"] = ["network", "layer", "scalar"]
    return data


def _nodes_data(order: list, index: dict, names, root, finals: list) -> list:
    """One dict per value: its name, kind, numbers and, for a computed one, how it was made."""
    nodes = []
    for k, v in enumerate(order):
        node = {"id": f"n{k}", "name": names(v), "named": bool(v.label), "kind": node_kind(v, root),
                "data": fmt(v.data), "exactData": repr(v.data),
                "grad": fmt(finals[k]), "exactGrad": repr(finals[k])}
        if v.inputs:
            input_names = [names(x) for x in v.inputs]
            node["op"] = v.op.label(v.attr)
            node["opName"] = v.op.name
            node["inputs"] = [index[x] for x in v.inputs]
            node["formula"] = v.op.describe_forward(input_names, v.attr)
            node["numbers"] = forward_numbers(v)
        nodes.append(node)
    return nodes


def _units_data(units: list) -> list:
    """The units of one level as plain lists for the page (see :mod:`engine.levels`)."""
    return [{"name": u.name, "kind": u.kind, "out": u.out, "members": u.members,
             "sources": u.sources, "weights": u.weights, "col": u.column, "row": u.row,
             "width": u.width} for u in units]


def _step_data(step, index: dict) -> dict:
    rows = []
    for i, inp in enumerate(step.inputs):
        rows.append({"input": index[inp], "formula": step.formula(i),
                     "local": fmt(step.locals[i]), "contribution": fmt(step.contributions[i]),
                     "after": fmt(step.grads_after[i]), "exactAfter": repr(step.grads_after[i])})
    return {"node": index[step.node], "upstream": fmt(step.upstream),
            "exactUpstream": repr(step.upstream), "rows": rows, "lines": step.lines()}


def _colours() -> dict:
    try:
        from .draw import STYLE
    except ImportError:  # the drawing module is optional for the data
        return {k: list(c) for k, c in _KIND_COLOURS.items()}
    return {k: list(STYLE.get(k, c))[:2] for k, c in _KIND_COLOURS.items()}


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script>`` block: ``<``, ``>``, ``&`` are escaped.

    >>> script_json({"label": "</script><b>&"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_UNSAFE[m.group()], text)


def graph_svg(root: "Value") -> tuple:
    """The graph laid out by ``dot`` as inline SVG text, or ``(None, reason)`` when it cannot be."""
    try:
        import graphviz

        from .draw import draw_dot
    except ImportError as e:  # the graphviz Python package is missing
        return None, f"the graph picture needs the graphviz package ({e})"
    try:
        svg = draw_dot(root, legend=False).pipe(format="svg").decode("utf-8")
    except (ValueError, TimeoutError) as e:  # too big to lay out in reasonable time
        return None, str(e)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as e:
        return None, str(e)
    start = svg.find("<svg")
    if start < 0:
        return None, "dot did not produce an SVG picture"
    svg = svg[start:]
    _refuse_active_svg(svg)
    return svg, ""


class _ActiveContent(HTMLParser):
    """Finds scripts, event handlers and javascript: links among the tags (not the text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "foreignobject", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            link = name in ("href", "xlink:href", "src", "action")  # tooltips may say anything
            if name.startswith("on") or (link and (value or "").strip().lower().startswith("javascript:")):
                self.found.append(f"{tag} {name}=")


def _refuse_active_svg(svg: str) -> None:
    """Defence in depth: the drawing escapes labels, but never embed anything executable."""
    parser = _ActiveContent()
    parser.feed(svg)
    parser.close()
    if parser.found:
        raise ValueError(f"refusing to embed an SVG with active content ({', '.join(parser.found[:3])}); "
                         "check the node labels and engine.draw's escaping")


def render_player(data: dict, svg: Optional[str], note: str = "") -> str:
    """The HTML page for ``data`` (from :func:`player_data`) with the SVG picture."""
    text = script_json(data)
    encoding = ""
    if len(text) > PACK_ABOVE:  # base64 of gzip: the page unpacks it with DecompressionStream
        text = base64.b64encode(gzip.compress(text.encode("utf-8"), 6, mtime=0)).decode("ascii")
        encoding = ' data-encoding="gzip+base64"'
    parts = {
        "ENCODING": encoding,
        "TITLE": html.escape(data["title"]),
        "CSS": (ASSETS / "player.css").read_text(encoding="utf-8"),
        "JS": "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in SCRIPTS),
        "DATA": text,
        "SVG": svg if svg is not None else
        f'<p class="no-graph">No graph picture: {html.escape(note)}</p>',
    }
    template = (ASSETS / "player.html").read_text(encoding="utf-8")
    # One pass over the template only, so inserted text is never scanned for markers.
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda m: parts[m.group(1)], template)


def save_player(root: "Value", path: Union[str, Path], *, title: Optional[str] = None,
                quiz: bool = False) -> Path:
    """Write a self-contained HTML backprop player for ``root`` to ``path``.

    ``quiz=True`` opens the page in quiz mode: every grad is hidden until the
    learner types it (a page of a small graph always has a "quiz me" button).

    Runs one backward pass (as ``root.backward()`` would). Without Graphviz
    the page still steps through the numbers, with a note instead of a picture.

    >>> import tempfile, os
    >>> from engine import Value
    >>> x = Value(0.5, label="x"); y = (x * x).tanh()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = save_player(y, os.path.join(d, "y.html"))
    ...     out.name, "<script" in out.read_text()
    ('y.html', True)
    """
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    if not isinstance(quiz, bool):
        raise TypeError(f"quiz must be True or False, got {quiz!r}")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
    _check_root(root)
    with named_root(root, topological_order(root)):
        data = player_data(root, title=title, quiz=quiz)
        svg, note = graph_svg(root)
    page = render_player(data, svg, note)
    out = Path(path)
    # A label may hold a lone surrogate (valid in a str, not in UTF-8): written as \udXXX.
    out.write_text(page, encoding="utf-8", errors="backslashreplace")
    return out
