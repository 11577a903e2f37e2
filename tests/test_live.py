"""nn.fit(live=True): display handle updated in place in a notebook, progress bar elsewhere."""

from __future__ import annotations

import sys
import types

import nn
from nn import live


class FakeHTML:
    def __init__(self, data):
        self.data = data


class FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj.data)


def test_live_in_notebook_updates_one_handle(monkeypatch):
    handle = FakeHandle()
    shown = []

    def display(obj, display_id=None):
        shown.append(display_id)
        return handle
    display_mod = types.SimpleNamespace(HTML=FakeHTML, display=display)
    monkeypatch.setitem(sys.modules, "IPython.display", display_mod)
    monkeypatch.setattr(live, "in_notebook", lambda: True)
    from nn.data import make_moons
    X, y = make_moons(20, seed=0)
    model = nn.MLP(2, [4, 1])
    history = nn.fit(model, X, y, epochs=3, live=True)
    assert shown == [True]
    assert len(handle.updates) == 3
    assert f"loss {history.loss[-1]:.4f}" in handle.updates[-1]
    assert "<rect" in handle.updates[-1] and 'class="network"' in handle.updates[-1]


def test_live_outside_notebook_uses_progress_bar(monkeypatch):
    monkeypatch.setattr(live, "in_notebook", lambda: False)
    calls = []
    import nn.train as train
    real = train._progress_bar
    monkeypatch.setattr(train, "_progress_bar", lambda p, e: calls.append((p, e)) or real(False, e))
    nn.fit(nn.MLP(2, [1]), [[0.0, 1.0], [1.0, 0.0]], [0, 1], epochs=2, live=True)
    assert calls == [(None, 2)]


def test_live_network_draws_every_weight_with_its_sign_and_size():
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].w[0].data = 5.0      # the biggest weight: the widest edge
    model.layers[0].neurons[0].w[1].data = -0.5
    svg = live._network(model)
    assert svg.count("<line") == 2 * 3 + 3 * 1 and svg.count("<circle") == 2 + 3 + 1
    widths = [float(w) for w in __import__("re").findall(r'stroke-width="([0-9.]+)"', svg)]
    assert widths[0] == max(widths) == 3.8
    assert 'stroke="#c0392b"' in svg.split("<line")[1] and 'stroke="#2471a3"' in svg.split("<line")[2]
    assert live._network(nn.MLP(2, [100, 1], seed=0)) == ""   # too big to draw this small
