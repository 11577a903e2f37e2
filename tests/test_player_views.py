"""engine/player.py in Chromium: layout at three sizes, keys, pan and zoom, the network view."""

from pathlib import Path

import pytest

from engine import Value, save_player, topological_order
from nn import MLP

from browsers import chromium_with_dot
from test_player import neuron

SIZES = [(800, 900), (1024, 700), (1400, 900)]


def mlp_loss():
    """The loss of MLP(2, [16, 16, 1]) for one example: a graph built by modules (407 values)."""
    model = MLP(2, [16, 16, 1], seed=0)
    return (model([0.5, -1.0]) - 1.0) ** 2


@pytest.fixture(scope="module")
def browser():
    yield from chromium_with_dot()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    return {"neuron": save_player(neuron(), folder / "neuron.html"),
            "mlp": save_player(mlp_loss(), folder / "mlp.html")}


def open_page(browser, path, size=(1400, 900)):
    """The page at ``size``, with every request that is not the file itself recorded and refused."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    problems, requests = [], []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    uri = Path(path).resolve().as_uri()

    def route(r):
        if r.request.url.split("#")[0] == uri:
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.goto(uri)
    page.wait_for_function("() => window.chainrule !== undefined")
    return page, problems, requests


def position(page):
    return page.evaluate("chainrule.position")


def picture_box(page):
    return page.evaluate("""() => { const g = [...document.querySelectorAll('div.graph')]
        .find(e => !e.hidden); const r = g.getBoundingClientRect();
        return {id: g.id, width: r.width, height: r.height, share: r.height / innerHeight}; }""")


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("which", ["neuron", "mlp"])
def test_layout_fits_with_every_step_column_visible(browser, pages, which, size, tmp_path):
    page, problems, requests = open_page(browser, pages[which], size)
    for view in page.evaluate("chainrule.views"):
        page.evaluate(f"chainrule.setView({view!r})")
        page.evaluate("chainrule.goTo(chainrule.seed + 1)")  # a backward step: four columns
        layout = page.evaluate("""() => {
          const side = document.querySelector('.side').getBoundingClientRect();
          const wrap = document.querySelector('.rows-wrap');
          const cells = [...document.querySelectorAll('#rows th, #rows td')].map(c => c.getBoundingClientRect());
          return {overflow: document.documentElement.scrollWidth - innerWidth,
                  bodyOverflow: document.body.scrollWidth - innerWidth,
                  tableOverflow: wrap.scrollWidth - wrap.clientWidth,
                  columns: document.querySelectorAll('#rows th').length,
                  outside: cells.filter(r => r.right > side.right + 1 || r.left < side.left - 1).length}; }""")
        assert layout["columns"] == 4
        assert layout["overflow"] <= 0 and layout["bodyOverflow"] <= 0, layout
        assert layout["tableOverflow"] <= 1 and layout["outside"] == 0, layout
        box = picture_box(page)
        assert box["share"] >= 0.5, box
    page.screenshot(path=str(tmp_path / f"{which}-{size[0]}x{size[1]}.png"))
    assert problems == [] and requests == []


CONTROLS = ["#first", "#prev", "#next", "#last", "#play", "#to-backward", "#zoom-in", "#zoom-out",
            "#zoom-fit", "#follow", "#speed", "#edge-mode", "#detail"]


@pytest.mark.browser
def test_keys_keep_working_after_clicking_any_control(browser, pages):
    page, problems, requests = open_page(browser, pages["mlp"], (1024, 700))
    controls = CONTROLS + [f"#view-{v}" for v in page.evaluate("chainrule.views")]
    for control in controls:
        page.evaluate("chainrule.setView('network')")
        page.evaluate("chainrule.goTo(3)")
        locator = page.locator(control)
        if control == "#edge-mode":
            locator.select_option("grad")
        else:
            locator.click()
        page.keyboard.press("Home")
        assert position(page) == 0, f"Home after clicking {control}"
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        after = position(page)
        assert after > 0, f"ArrowRight after clicking {control}"
        page.wait_for_timeout(300)
        assert position(page) == after, f"play kept running after ArrowRight ({control})"
    assert problems == [] and requests == []


def picture_shot(page):
    box = picture_box(page)
    return page.locator(f"#{box['id']}").screenshot()


@pytest.mark.browser
@pytest.mark.parametrize("which", ["neuron", "mlp"])
def test_drag_pans_and_the_wheel_zooms(browser, pages, which):
    page, problems, requests = open_page(browser, pages[which], (1024, 700))
    for view in page.evaluate("chainrule.views"):
        page.evaluate(f"chainrule.setView({view!r})")
        page.locator("#zoom-in").click()
        page.locator("#zoom-in").click()
        page.locator("#zoom-in").click()
        box = page.evaluate(f"""() => {{ const g = document.getElementById('{picture_box(page)["id"]}');
            const r = g.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }}""")
        before = picture_shot(page)
        page.mouse.move(*box)
        page.mouse.down()
        page.mouse.move(box[0] - 120, box[1] - 80, steps=6)
        page.mouse.up()
        dragged = picture_shot(page)
        assert dragged != before, f"dragging did not move the {view} picture"
        width = page.evaluate(f"document.querySelector('#{picture_box(page)['id']} svg').getAttribute('width')")
        page.mouse.move(*box)
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(100)
        zoomed = page.evaluate(f"document.querySelector('#{picture_box(page)['id']} svg').getAttribute('width')")
        assert float(zoomed[:-2]) > float(width[:-2])
        assert picture_shot(page) != dragged
        page.locator("#zoom-fit").click()  # fit: the whole picture inside the box
        fits = page.evaluate(f"""() => {{ const g = document.getElementById('{picture_box(page)["id"]}');
            const s = g.querySelector('svg'); return [s.getBoundingClientRect().width <= g.clientWidth + 1,
            s.getBoundingClientRect().height <= g.clientHeight + 1]; }}""")
        assert fits == [True, True]
    assert problems == [] and requests == []


@pytest.mark.browser
def test_network_view_plays_neuron_by_neuron_and_drills_down(browser, pages, tmp_path):
    page, problems, requests = open_page(browser, pages["mlp"])
    assert page.title() == "Backprop through loss"
    assert page.evaluate("chainrule.view") == "network"
    assert page.evaluate("chainrule.views") == ["network", "layer", "scalar"]
    names = page.eval_on_selector_all("#net g.unit text.name", "ts => ts.map(t => t.textContent)")
    assert names[:4] == ["x1", "x2", "L0.N0", "L0.N1"] and "L1.N15" in names and "loss" in names
    page.keyboard.press("b")
    seen = []
    for _ in range(6):  # each press finishes one unit: the loss terms, then L2.N0, L1.N15, L1.N14 ...
        page.keyboard.press("ArrowRight")
        seen.append(page.text_content("#net g.unit.cr-cur text.name"))
    assert seen == ["loss", "L2.N0.a - 1", "L2.N0", "L1.N15", "L1.N14", "L1.N13"], seen
    assert page.text_content("#phase").startswith("L1.N13 · backward pass")
    widths = page.eval_on_selector_all("#net path.edge:not(.plain)", "ps => ps.map(p => p.getAttribute('stroke-width'))")
    assert len(widths) == 2 * 16 + 16 * 16 + 16 and len(set(widths)) > 10  # width follows |w|
    page.select_option("#edge-mode", "grad")
    colours = page.eval_on_selector_all("#net path.edge:not(.plain)", "ps => ps.map(p => p.getAttribute('class'))")
    assert any("gpos" in c or "gneg" in c for c in colours)
    page.screenshot(path=str(tmp_path / "network.png"))
    page.click("#net g.unit:has(text.name:text-is('L1.N3'))")  # drill down into one neuron
    assert page.evaluate("chainrule.view") == "scalar"
    assert page.text_content("#headline").startswith("L1.N3.")
    assert "backward pass" in page.text_content("#phase")
    page.evaluate("chainrule.setView('network')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("d")  # the current neuron's scalar detail, one key (or click) away
    assert page.evaluate("chainrule.view") == "scalar"
    assert page.text_content("#headline").startswith("L1.N")
    page.evaluate("chainrule.setView('layer')")
    layers = page.eval_on_selector_all("#net g.unit text.name", "ts => ts.map(t => t.textContent)")
    assert {"L0", "L1", "L2"} <= set(layers)
    assert problems == [] and requests == []


@pytest.mark.browser
def test_clicks_jump_within_the_pass_under_way(browser, pages):
    page, problems, requests = open_page(browser, pages["neuron"])
    data = page.evaluate("chainrule.data")
    forward, seed = len(data["forward"]), page.evaluate("chainrule.seed")
    index = {n["name"]: k for k, n in enumerate(data["nodes"])}
    page.keyboard.press("End")
    page.click(f"#graph g.node:has(title:text-is('n{index['n']}'))")  # a computed node ...
    assert position(page) > seed and page.text_content("#headline").startswith("n = ")
    page.click(f"#graph g.node:has(title:text-is('n{index['w1']}'))")  # ... and a leaf
    assert position(page) > seed
    assert any(r["input"] == index["w1"] for r in data["steps"][position(page) - seed - 1]["rows"])
    page.keyboard.press("Home")
    page.click(f"#graph g.node:has(title:text-is('n{index['w1']}'))")  # forward: the step reading it
    assert 0 < position(page) <= forward
    leaves = page.eval_on_selector_all("#node-rows .nrow .name", "ns => ns.map(n => n.textContent)")
    assert leaves[:5] == ["b", "w1", "w2", "x1", "x2"]  # leaves first, in reading order
    assert problems == [] and requests == []


@pytest.mark.browser
def test_nan_and_inf_grads_are_a_warning_not_good_news(browser, tmp_path):
    x = Value(0.0, label="x")
    y = x ** 0.5
    y.label = "y"  # d/dx sqrt(x) at 0 is inf
    page, problems, requests = open_page(browser, save_player(y, tmp_path / "inf.html"))
    page.keyboard.press("End")
    k = next(i for i, v in enumerate(topological_order(y)) if v is x)
    cell = page.locator(f'#node-rows .nrow[data-node="n{k}"] .grad')
    assert cell.text_content() == "inf"
    good = page.evaluate("getComputedStyle(document.querySelector('#rows td.after')).color")
    assert "bad" in page.get_attribute("#rows td.after", "class")
    assert good != "rgb(22, 163, 74)"  # the 'good' green of a finished grad
    assert page.evaluate("document.querySelector('#graph g.node:has(title) text.cr-bad') !== null")
    assert problems == [] and requests == []


@pytest.mark.browser
def test_scripting_handle(browser, pages):
    page, problems, requests = open_page(browser, pages["neuron"])
    assert page.evaluate("chainrule.views") == ["scalar"]
    total = page.evaluate("chainrule.total")
    assert page.evaluate("chainrule.goTo(4)") == 4 and position(page) == 4
    assert page.evaluate(f"chainrule.goTo({total + 10})") == total
    with pytest.raises(Exception, match="no view network"):
        page.evaluate("chainrule.setView('network')")
    assert page.evaluate("""() => { let heard = []; chainrule.onChange(p => heard.push(p));
        chainrule.goTo(2); chainrule.step(1); return heard; }""") == [2, 3]
    assert requests == []


@pytest.mark.browser
def test_a_packed_page_unpacks_offline_and_steps(browser, tmp_path, monkeypatch):
    import engine.player
    monkeypatch.setattr(engine.player, "PACK_ABOVE", 1000)  # pack even this small graph
    loss = mlp_loss()
    path = save_player(loss, tmp_path / "packed.html")
    text = path.read_text(encoding="utf-8")
    assert 'data-encoding="gzip+base64"' in text and '"exactGrad"' not in text
    page, problems, requests = open_page(browser, path)
    page.keyboard.press("End")
    order = topological_order(loss)
    exact = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#node-rows .nrow')]
        .map(r => [r.dataset.node, r.querySelector('.grad').dataset.exact]))""")
    assert all(float(exact[f"n{k}"]) == v.grad for k, v in enumerate(order) if v.requires_grad)
    assert problems == [] and requests == []
