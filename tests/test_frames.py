"""engine/frames.py: step pictures on one layout and one canvas, and the animation."""

import re
import shutil

import pytest

from engine import Value
from engine.frames import save_animation, step_frames

pytestmark = [pytest.mark.needs_dot,
              pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")]


def neuron():
    x1, x2 = Value(1.5, label="x1"), Value(-0.5, label="x2")
    w1, w2, b = Value(0.8, label="w1"), Value(-1.2, label="w2"), Value(-0.9, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def boxes(svg: str) -> dict:
    """DOT id -> the first outline drawn in its group (where and how big the node is)."""
    out = {}
    for m in re.finditer(r'<g id="([^"]+)" class="node">(.*?)</g>\n</g>|<g id="([^"]+)" class="node">(.*?)</g>',
                         svg, re.S):
        name, body = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        shape = re.search(r'(?:points|d|cx)="([^"]+)"', body)
        out[name] = shape.group(1) if shape else ""
    return out


def fills(svg: str) -> dict:
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<g id="(n\d+)" class="node">.*?fill="(#[0-9a-f]{6})"', svg, re.S)}


def test_frames_share_one_layout_and_canvas_and_only_colours_change():
    o = neuron()
    frames = step_frames(o, title="one neuron")
    assert len(frames) == 5
    svgs = [f.pipe(format="svg").decode() for f in frames]
    sizes = {re.search(r'<svg width="(\w+)" height="(\w+)"', s).groups() for s in svgs}
    assert len(sizes) == 1
    layouts = [boxes(s) for s in svgs]
    assert all(layout == layouts[0] for layout in layouts[1:])  # every node where it was
    assert {"n0", "n9", "n9op", "caption"} <= set(layouts[0]) and all('id="legend"' in s for s in svgs)
    colours = [fills(s) for s in svgs]
    assert colours[0] != colours[1]  # ... and the highlight moves
    assert "step 1 of 5" in svgs[0] and "step 5 of 5" in svgs[4]
    assert o.inputs[0].grad == pytest.approx(1 - o.data ** 2)  # one backward pass was run


def test_frames_reuse_the_steps_of_a_pass_already_run():
    o = neuron()
    steps = list(o.backward_steps())
    leaves = [v.grad for v in steps[-1].inputs]
    frames = step_frames(o, steps=steps)
    assert len(frames) == 5 and [v.grad for v in steps[-1].inputs] == leaves  # no second pass


def test_animation_has_one_frame_per_step_of_one_size(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    path = save_animation(step_frames(neuron()), tmp_path / "backward.gif", dpi=40)
    im = PIL.open(path)
    assert im.n_frames == 5 and im.format == "GIF"
    with pytest.raises(ValueError, match="at least one frame"):
        save_animation([], tmp_path / "none.gif")


def test_the_one_neuron_walkthrough_writes_stable_steps_and_an_animation(tmp_path, capsys):
    pytest.importorskip("PIL.Image")
    from demos.one_neuron import START, build_neuron, step_backward
    o = build_neuron(**START)["o"]
    written = step_backward(o, tmp_path, draw=True)
    assert [p.name for p in written] == [f"step_{k:02d}.svg" for k in range(1, 6)] + ["backward.gif"]
    sizes = {re.search(r'<svg width="(\w+)" height="(\w+)"', p.read_text()).groups() for p in written[:5]}
    assert len(sizes) == 1
