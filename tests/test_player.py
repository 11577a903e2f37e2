"""engine/player.py: the self-contained HTML backprop player."""

import html
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from engine import Value, backward_steps, dot, topological_order
from engine.backprop import fmt
from engine.player import player_data, save_player, script_json

from browsers import chromium_with_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def neuron():
    """The classic one-neuron example: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def mlp_loss(seed=0):
    """A 2-16-16-1 tanh network with a squared-error loss: about 400 Values."""
    import random
    rng = random.Random(seed)
    h = [Value(0.5, label="x0"), Value(-1.2, label="x1")]
    sizes = [2, 16, 16, 1]
    for layer, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        out = []
        for j in range(nout):
            ws = [Value(rng.uniform(-1, 1), label=f"L{layer}.N{j}.w{i}") for i in range(nin)]
            s = dot(ws, h, Value(0.1, label=f"L{layer}.N{j}.b"))
            out.append(s.tanh() if layer < len(sizes) - 2 else s)
        h = out
    loss = (h[0] - 1.0) ** 2
    loss.label = "loss"
    return loss


def page_data(page_text):
    match = re.search(r'<script type="application/json" id="player-data">(.*?)</script>', page_text, re.S)  # unpacked
    assert match, "the page has no data block"
    return json.loads(match.group(1))


# --- content checks (no browser) ------------------------------------------------------------


def test_data_holds_the_engines_numbers_and_steps(tmp_path):
    o = neuron()
    page = save_player(o, tmp_path / "o.html").read_text(encoding="utf-8")
    data = page_data(page)
    order = topological_order(o)
    assert [n["exactGrad"] for n in data["nodes"]] == [repr(v.grad) for v in order]
    assert [n["data"] for n in data["nodes"]] == [fmt(v.data) for v in order]
    assert data["forward"] == [k for k, v in enumerate(order) if v.inputs]
    fresh = neuron()
    steps = list(backward_steps(fresh))
    assert len(data["steps"]) == len(steps) == 5
    assert [s["lines"] for s in data["steps"]] == [s.lines() for s in steps]
    assert data["steps"][0]["rows"][0]["formula"] == "1 - o²"


def test_backward_semantics_match_root_backward():
    # Leaf grads accumulate as with backward(); the page shows this pass from 0.
    o = neuron()
    leaves = [v for v in topological_order(o) if v.is_leaf]
    for v in leaves:
        v.grad = 10.0
    data = player_data(o)
    reference = neuron()
    reference.backward()
    expected = [v.grad for v in topological_order(reference) if v.is_leaf]
    assert [v.grad for v in leaves] == [10.0 + g for g in expected]
    shown = [float(n["exactGrad"]) for n in data["nodes"] if n["kind"] in ("leaf", "const")]
    assert shown == expected


def test_page_is_self_contained(tmp_path):
    page = save_player(neuron(), tmp_path / "o.html").read_text(encoding="utf-8")
    assert "<link" not in page and "src=" not in page
    assert not re.search(r"(?:href|src)\s*=\s*[\"']?(?:https?:)?//", page)
    # The only URLs are XML namespace names, which browsers never fetch.
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "default-src 'none'" in page  # the CSP forbids any network access


def test_hostile_labels_and_title_cannot_break_out_of_the_script():
    a = Value(1.0, label='</script><script>alert("a")</script>')
    b = Value(2.0, label="<!-- & \u2028 'q' \"dq\"")
    y = a * b
    y.label = "</SCRIPT >"
    data = player_data(y, title="</script><img src=x onerror=alert(1)>")
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data
    from engine.player import render_player
    page = render_player(data, None, "no dot")
    assert page.count("<script") == 2  # the data block and the player code, nothing injected
    assert "<img" not in page and html.escape("</script><img src=x onerror=alert(1)>") in page


def test_lone_surrogates_in_labels_do_not_stop_the_page(tmp_path):
    a = Value(1.0, label="bad" + chr(0xD800))
    page = save_player(a * 2.0, tmp_path / "s.html", title="t" + chr(0xDC00))
    data = page_data(page.read_text(encoding="utf-8"))  # valid UTF-8
    assert data["nodes"][0]["name"] == a.label


def test_leaf_root_has_no_steps_but_a_seed():
    x = Value(3.0, label="x")
    data = player_data(x)
    assert data["steps"] == [] and data["forward"] == [] and data["nodes"][0]["grad"] == "1"


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="Value"):
        save_player(3.0, tmp_path / "x.html")
    with pytest.raises(TypeError, match="title"):
        save_player(neuron(), tmp_path / "x.html", title=5)
    with pytest.raises(TypeError, match="path"):
        save_player(neuron(), 42)


def needs_drawing():
    pytest.importorskip("engine.draw", reason="engine.draw (draw_dot) is not available")


def test_without_dot_the_page_still_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    page = save_player(neuron(), tmp_path / "o.html").read_text(encoding="utf-8")
    assert "No graph picture" in page and "<svg" not in page
    assert len(page_data(page)["steps"]) == 5


def test_active_svg_content_is_refused_but_text_that_looks_like_it_is_not():
    from engine.player import _refuse_active_svg
    harmless = ('<svg><g><a xlink:title="javascript: x onload=1"><text>&lt;script&gt; onclick=2'
                '</text></a></g></svg>')
    _refuse_active_svg(harmless)
    for bad in ('<svg><script>alert(1)</script></svg>', '<svg><g onload="alert(1)"></g></svg>',
                '<svg><a href="javascript:alert(1)">x</a></svg>',
                '<svg><foreignObject><div></div></foreignObject></svg>'):
        with pytest.raises(ValueError, match="active content"):
            _refuse_active_svg(bad)


@needs_dot
@pytest.mark.needs_dot
def test_labels_that_look_like_markup_are_drawn_as_text(tmp_path):
    needs_drawing()
    a = Value(1.0, label='x onload=alert(1) <script>alert(2)</script> {a|b} "q" &amp;')
    y = (a * 2.0).tanh()
    page = save_player(y, tmp_path / "y.html").read_text(encoding="utf-8")
    assert "<svg" in page and page.count("<script") == 2


@needs_dot
@pytest.mark.needs_dot
def test_svg_has_one_group_per_dot_id(tmp_path):
    needs_drawing()
    o = neuron()
    page = save_player(o, tmp_path / "o.html").read_text(encoding="utf-8")
    titles = set(re.findall(r"<title>(n\d+(?:op)?)</title>", page))
    order = topological_order(o)
    expected = {f"n{k}" for k in range(len(order))} | {f"n{k}op" for k, v in enumerate(order) if v.inputs}
    assert titles == expected
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


# --- the page in a real browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    needs_drawing()
    yield from chromium_with_dot()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.goto(Path(path).resolve().as_uri())
    return page, problems


def shown_grads(page):
    """node id -> (text, exact) for every grad cell of the node table."""
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('#node-rows .nrow')).map(tr => {
          const g = tr.querySelector('.grad');
          return [tr.dataset.node, [g.textContent, g.dataset.exact || null]];
        }))""")


def svg_grad(page, node_id):
    return page.evaluate("""id => { const g = Array.from(document.querySelectorAll('#graph g.node'))
        .find(g => g.querySelector('title').textContent === id);
      const t = Array.from(g.querySelectorAll('text')); const i = t.findIndex(x => x.textContent.trim() === 'grad');
      return t.slice(i + 1).map(x => x.textContent.trim()).filter(Boolean)[0]; }""", node_id)


@pytest.mark.browser
def test_clicking_through_every_step_shows_the_engines_grads(browser, tmp_path):
    o = neuron()
    path = save_player(o, tmp_path / "neuron.html", title="one neuron")
    order = topological_order(o)
    index = {v: k for k, v in enumerate(order)}
    reference = neuron()
    ref_order = topological_order(reference)
    steps = list(backward_steps(reference))
    page, problems = open_page(browser, path)
    assert page.title() == "one neuron"
    forward = sum(1 for v in order if v.inputs)
    last = page.evaluate("chainrulePlayer.last")
    assert last == forward + 1 + len(steps)
    for i in range(forward + 1):  # the forward pass, then the seed of the backward pass
        page.click("#next")
        if i == 0:  # the first op, x1*w1, stores its local derivatives w1 and x1
            cells = page.eval_on_selector_all("#rows td", "tds => tds.map(td => td.textContent)")
            assert cells == ["x1", "w1", "-3", "w1", "x1", "2"]
    assert shown_grads(page)[f"n{len(order) - 1}"][0] == "1"
    for step in steps:
        page.click("#next")
        grads = shown_grads(page)
        for inp, after in zip(step.inputs, step.grads_after):
            k = ref_order.index(inp)
            assert grads[f"n{k}"] == [fmt(after), repr(after)]
        assert page.text_content("#headline").startswith(step.name(step.node))
        assert f"step {step.index} of {step.total}" in page.text_content("#lines")
    assert page.is_disabled("#next")
    grads = shown_grads(page)
    for v in order:
        text, exact = grads[f"n{index[v]}"]
        if v.requires_grad:
            assert float(exact) == v.grad and text == fmt(v.grad)
            assert svg_grad(page, f"n{index[v]}") == fmt(v.grad)
    page.screenshot(path=str(tmp_path / "neuron.png"), full_page=True)
    assert (tmp_path / "neuron.png").stat().st_size > 10_000
    page.keyboard.press("Home")
    assert page.evaluate("chainrulePlayer.position()") == 0
    assert set(text for text, _ in shown_grads(page).values()) <= {"0", ""}
    page.keyboard.press("End")
    assert shown_grads(page) == grads
    n_index = next(k for k, v in enumerate(order) if v.label == "n")
    page.click(f'#node-rows .nrow[data-node="n{n_index}"]')  # jumps to n's backward step
    assert page.text_content("#headline").startswith("n = ")
    assert page.text_content("#phase") == f"backward pass · step 2 of {len(steps)}"
    position = page.evaluate("chainrulePlayer.position()")
    assert page.url.endswith(f"#{position}")
    page.keyboard.press("b")  # B jumps to the start of the backward pass
    assert page.evaluate("chainrulePlayer.position()") == forward + 1
    page.keyboard.press("Home")
    page.keyboard.press("Space")  # play ...
    page.wait_for_function("() => chainrulePlayer.position() >= 2", timeout=5000)
    page.keyboard.press("Space")  # ... and pause
    paused = page.evaluate("chainrulePlayer.position()")
    page.wait_for_timeout(600)
    assert page.evaluate("chainrulePlayer.position()") == paused
    page.goto(path.resolve().as_uri() + "#3")  # a link to a position opens there
    assert page.evaluate("chainrulePlayer.position()") == 3
    assert page.text_content("#phase") == f"forward pass · step 3 of {forward}"
    assert problems == []


@pytest.mark.browser
def test_page_without_a_picture_still_steps(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot: the page has the numbers only
    o = neuron()
    path = save_player(o, tmp_path / "plain.html")
    monkeypatch.undo()
    page, problems = open_page(browser, path)
    assert page.locator(".no-graph").count() == 1
    page.keyboard.press("End")
    order = topological_order(o)
    grads = shown_grads(page)
    assert [float(grads[f"n{k}"][1]) for k in range(len(order))] == [v.grad for v in order]
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#phase") == "backward pass · step 4 of 5"
    assert problems == []


@pytest.mark.browser
def test_grad_written_in_one_text_element_is_updated_too(browser, tmp_path):
    # The player finds numbers after a "grad" caption or inside "grad: 0.5"-style text.
    from engine.player import render_player
    o = neuron()
    data = player_data(o)
    groups = "".join(
        f'<g class="node"><title>{n["id"]}</title><text>{n["name"]}</text>'
        f'<text>data: {n["data"]}</text><text>grad: 0</text></g>' for n in data["nodes"])
    svg = f'<svg viewBox="0 0 400 300" xmlns="http://www.w3.org/2000/svg">{groups}</svg>'
    path = tmp_path / "handmade.html"
    path.write_text(render_player(data, svg), encoding="utf-8")
    page, problems = open_page(browser, path)
    texts = "() => Array.from(document.querySelectorAll('#graph text')).map(t => t.textContent)"
    assert "data: ?" in page.evaluate(texts)  # not computed yet
    page.keyboard.press("End")
    shown = page.evaluate(texts)
    for n in data["nodes"]:
        assert f"grad: {n['grad']}" in shown and f"data: {n['data']}" in shown
    assert problems == []


@pytest.mark.browser
def test_hostile_labels_render_as_text(browser, tmp_path):
    a = Value(1.0, label='</script><script>alert("a")</script>')
    y = (a * 2.0).tanh()
    y.label = "<b>bold</b> & 'q'"
    path = save_player(y, tmp_path / "x.html", title="<img src=x onerror=alert(1)>")
    page, problems = open_page(browser, path)
    page.keyboard.press("End")
    assert page.title() == "<img src=x onerror=alert(1)>"
    assert page.locator("#node-rows .nrow").nth(0).locator(".name").text_content() == a.label
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert problems == []


@pytest.mark.browser
def test_a_few_hundred_nodes_stay_responsive(browser, tmp_path):
    loss = mlp_loss()
    start = time.perf_counter()
    path = save_player(loss, tmp_path / "mlp.html")
    written = time.perf_counter() - start
    order = topological_order(loss)
    assert len(order) > 300
    page, problems = open_page(browser, path)
    last = page.evaluate("chainrulePlayer.last")
    per_step = page.evaluate("""() => { const P = chainrulePlayer, t = performance.now();
        for (let i = 1; i <= P.last; i++) P.goto(i); return (performance.now() - t) / P.last; }""")
    page.keyboard.press("Home")
    start = time.perf_counter()
    page.keyboard.press("End")
    grads = shown_grads(page)
    jump = time.perf_counter() - start
    for k, v in enumerate(order):
        if v.requires_grad:
            assert float(grads[f"n{k}"][1]) == v.grad
    print(f"\n{len(order)} values, {last} positions: save_player {written:.2f} s, "
          f"{per_step:.1f} ms per step (script), Home->End {jump * 1000:.0f} ms")
    assert per_step < 250 and jump < 5
    page.screenshot(path=str(tmp_path / "mlp.png"))
    assert problems == []
