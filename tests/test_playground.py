"""The playground page in headless Chromium: engine and nn run in Pyodide, offline."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "out" / "playground"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site():
    """The built folder served on 127.0.0.1 (built once if npm is there)."""
    sync = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium")
    if not (BUILT / "chainrule.zip").exists():
        if shutil.which("npm") is None:
            pytest.skip("no npm to build the playground")
        from scripts.build_playground import build
        build(BUILT)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(BUILT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser, f"http://127.0.0.1:{server.server_port}/index.html"
        browser.close()
    server.shutdown()


def open_page(site, fragment="", size=(1400, 900)):
    browser, url = site
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    outside = []

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()
    page.route("**/*", guard)
    page.goto(url + fragment)
    page.wait_for_function("window.chainrule && window.chainrule.ready === true", timeout=60000)
    return page, outside


def test_expression_grads_match_cpython(site):
    from engine.expr import parse_expression
    page, outside = open_page(site)
    page.fill("#expr", "(a*b + c).tanh() * a")
    page.click("#run-expr")
    page.click("#step-all")
    grads = page.evaluate("window.Lab.result.grads")
    root = parse_expression("(a*b + c).tanh() * a", {"a": 2, "b": -3, "c": 10})
    root.backward()
    expected = {v.label: v.grad for v in [root] + list(_leaves(root))}
    for name in "abc":
        assert grads[name] == pytest.approx(expected[name], rel=1e-12)
    assert "step" in page.inner_text("#step-text")
    assert outside == []


def _leaves(root):
    from engine.backprop import topological_order
    return [v for v in topological_order(root) if not v.inputs]


def test_bad_expression_shows_parser_message(site):
    page, _ = open_page(site)
    page.fill("#expr", "a + ")
    page.click("#run-expr")
    text = page.inner_text("#expr-error")
    assert "^" in text


def test_run_returns_repr(site):
    page, _ = open_page(site)
    assert page.evaluate("window.chainrule.run('(Value(2.0) * 3).data')") == "6.0"


def test_train_moons_and_add_point(site):
    page, outside = open_page(site, "#tab=trainer")
    r = page.evaluate("window.Trainer.step(50)")
    assert r["acc"] > 0.9
    before = len(page.evaluate("JSON.parse(window.Trainer.trainer.view(4)).X"))
    page.click("#boundary", position={"x": 50, "y": 50})
    assert len(page.evaluate("JSON.parse(window.Trainer.trainer.view(4)).X")) == before + 1
    assert outside == []


def test_absurd_settings_refused(site):
    page, _ = open_page(site, "#tab=trainer")
    page.fill("#t-layers", "500")
    page.dispatch_event("#t-layers", "change")
    assert "out of bounds" in page.inner_text("#t-error")


def test_url_round_trip(site):
    page, _ = open_page(site, "#tab=lab&expr=x*x&v_x=3")
    assert page.input_value("#expr") == "x*x"
    assert page.evaluate("window.Lab.result.grads.x") == pytest.approx(6.0)
    url = page.url
    page2, _ = open_page(site, "#" + url.split("#", 1)[1])
    assert page2.evaluate("window.Lab.result.grads.x") == pytest.approx(6.0)


@pytest.mark.parametrize("size", [(800, 700), (1024, 700)])
@pytest.mark.parametrize("tab", ["lab", "trainer"])
def test_small_windows_have_no_horizontal_overflow(site, tab, size):
    page, _ = open_page(site, f"#tab={tab}&expr=x*y%2Bx", size=size)
    page.wait_for_timeout(300)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{tab} at {size}: page is {widths[0]} px wide in a {widths[1]} px window"
    page.close()
