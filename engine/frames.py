"""Pictures of the backward pass that share one layout: flip through them and only colours change.

:func:`step_frames` lays the graph out once with ``dot`` (every node as large
as its largest label over all the steps), then pins every node there and
draws each step with ``neato -n2``, which keeps given positions. The caption
(the step's arithmetic) sits in a box of one size above the graph, and the
legend lists every colour from the first frame on, so the canvas never
changes. :func:`save_animation` writes the frames as an animated GIF (needs
Pillow, in the ``plot`` extra).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import List, Optional, Union

from .backprop import backward_steps
from .draw import FONT, STYLE, draw_dot, legend_table
from .graphviz_io import GraphDrawing, plain_text

__all__ = ["step_frames", "save_animation", "PinnedDrawing"]

CAPTION_FONT = 11
CHAR_WIDTH = 6.1  # points per character of 11 pt Helvetica, a little generous
LINE_HEIGHT = 15  # points


class PinnedDrawing(GraphDrawing):
    """A drawing whose nodes carry fixed positions: rendered by ``neato -n2``, never re-laid out."""

    def pipe(self, format: Optional[str] = None, renderer: Optional[str] = None,
             formatter: Optional[str] = None, neato_no_op=None, quiet: bool = False, *,
             engine: Optional[str] = None, encoding: Optional[str] = None):
        """Render with the pinned positions, like ``graphviz.Digraph.pipe``."""
        return super().pipe(format, renderer, formatter, 2, quiet, engine="neato",
                            encoding=encoding)


def _layout(g: GraphDrawing) -> dict:
    """``dot``'s layout of ``g`` as JSON (nodes with ``pos``, ``width``, ``height``; ``bb``)."""
    return json.loads(GraphDrawing.pipe(g, format="json").decode("utf-8"))


def _nodes(layout: dict) -> dict:
    return {o["name"]: o for o in layout.get("objects", []) if "pos" in o}


def step_frames(root, *, steps: Optional[list] = None, title: Optional[str] = None,
                precision: Optional[int] = None, rankdir: str = "LR") -> List[PinnedDrawing]:
    """One drawing per backward step of ``root``, all on one layout and one canvas.

    ``steps`` are the :class:`~engine.Step` objects of a backward pass already
    run (``list(root.backward_steps())``); without them this runs one (as
    ``root.backward()`` would, leaf grads accumulating). Each frame is
    ``draw_dot(root, highlight=step)`` with its nodes pinned, so the boxes
    stay put and only their colours, grads and the caption change.

    >>> from engine import Value
    >>> x = Value(0.5, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> frames = step_frames(y)
    >>> len(frames), 'pos="' in frames[0].source
    (2, True)
    """
    if steps is None:
        steps = list(backward_steps(root))
    drawings = [draw_dot(root, highlight=s, precision=precision, rankdir=rankdir, legend=False)
                for s in steps]
    if not drawings:
        return []
    # Size every node for its largest label over all the frames, then lay out once.
    sizes: dict = {}
    for d in drawings:
        for name, o in _nodes(_layout(_without_caption(d))).items():
            w, h = sizes.get(name, (0.0, 0.0))
            sizes[name] = (max(w, float(o["width"])), max(h, float(o["height"])))
    reference = _without_caption(drawings[-1])
    _fix_sizes(reference, sizes)
    layout = _layout(reference)
    where = {name: o["pos"] for name, o in _nodes(layout).items()}
    routes = {e["id"]: e["pos"] for e in layout.get("edges", []) if "id" in e and "pos" in e}
    x0, y0, x1, y1 = (float(t) for t in layout["bb"].split(","))
    captions = [_caption(title, s) for s in steps]
    lines = max(len(c) for c in captions)
    width = max(x1 - x0, CHAR_WIDTH * max(len(line) for c in captions for line in c))
    height = LINE_HEIGHT * lines + 8
    legend_entries = [(STYLE[k][0], STYLE[k][1], STYLE[k][3]) for k in STYLE]
    frames = []
    for d, caption in zip(drawings, captions):
        f = PinnedDrawing(d.name)
        f.body = [_route(line, routes) for line in d.body]
        f.attr(label="", fontname=FONT)
        _fix_sizes(f, sizes, where)
        text = "".join(plain_text(line, 400) + "\\l" for line in caption)
        f.body.append(f'\tcaption [label="{text}" shape=plaintext fontsize={CAPTION_FONT} '
                      f'fixedsize=true width={width / 72:.3f} height={height / 72:.3f} '
                      f'pos="{x0 + width / 2:.1f},{y1 + 12 + height / 2:.1f}!" id=caption]\n')
        f.node("legend", legend_table(legend_entries), id="legend", shape="plain",
               pos=f"{x0 + 90:.1f},{y1 + height + 90:.1f}!")
        frames.append(f)
    return frames


def _without_caption(d: GraphDrawing) -> GraphDrawing:
    g = GraphDrawing(d.name)
    g.body = list(d.body)
    g.attr(label="")
    return g


_EDGE_ID = re.compile(r"^(\t\S+ -> \S+ \[)(.*\bid=(\S+?)[\s\]])")


def _route(line: str, routes: dict) -> str:
    """An edge statement with the route ``dot`` gave it in the shared layout."""
    m = _EDGE_ID.match(line)
    if m is None or m.group(3).strip('"') not in routes:
        return line
    return f'{m.group(1)}pos="{routes[m.group(3).strip(chr(34))]}" {line[len(m.group(1)):]}'


def _fix_sizes(g: GraphDrawing, sizes: dict, where: Optional[dict] = None) -> None:
    """Every node at least as large as its largest label (a minimum size), pinned if ``where``."""
    for name, (w, h) in sizes.items():
        pin = f' pos="{where[name]}!"' if where and name in where else ""
        g.body.append(f'\t{name} [width={w:.3f} height={h:.3f}{pin}]\n')


def _caption(title: Optional[str], step) -> List[str]:
    return ([title] if title else []) + str(step).splitlines()


def save_animation(frames: List[GraphDrawing], path: Union[str, Path], *,
                   seconds_per_frame: float = 1.5, dpi: int = 96) -> Path:
    """Write ``frames`` (from :func:`step_frames`) as an animated GIF that loops."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("save_animation needs Pillow: pip install 'chainrule[plot]'") from e
    if not frames:
        raise ValueError("save_animation needs at least one frame")
    images = []
    for f in frames:
        g = PinnedDrawing(f.name)
        g.body = list(f.body)
        g.attr(dpi=str(dpi))
        images.append(Image.open(io.BytesIO(g.pipe(format="png"))).convert("RGB"))
    size = images[0].size
    images = [im if im.size == size else im.resize(size) for im in images]
    out = Path(path)
    images[0].save(out, save_all=True, append_images=images[1:], loop=0,
                   duration=int(seconds_per_frame * 1000), optimize=True)
    return out
