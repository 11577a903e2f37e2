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
    assert "<rect" in handle.updates[-1]


def test_live_outside_notebook_uses_progress_bar(monkeypatch):
    monkeypatch.setattr(live, "in_notebook", lambda: False)
    calls = []
    import nn.train as train
    real = train._progress_bar
    monkeypatch.setattr(train, "_progress_bar", lambda p, e: calls.append((p, e)) or real(False, e))
    nn.fit(nn.MLP(2, [1]), [[0.0, 1.0], [1.0, 0.0]], [0, 1], epochs=2, live=True)
    assert calls == [(None, 2)]
