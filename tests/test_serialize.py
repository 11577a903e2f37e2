"""nn.serialize: JSON save/load round trips, atomic writes, and clear errors for bad files."""

import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn.serialize as serialize
from nn import ACTIVATIONS, MLP, Layer, Neuron, load, save

X = [[0.3, -0.7], [1.5, 0.2], [-2.0, 0.9]]


def outputs(model, rows=X):
    result = []
    for x in rows:
        out = model(x)
        result.append([v.data for v in out] if isinstance(out, list) else out.data)
    return result


@pytest.mark.parametrize("make", [
    lambda: MLP(2, [16, 16, 1], seed=0),
    lambda: MLP(2, [3, 4, 2], activation="gelu_tanh", output_activation="sigmoid", seed=1,
                bias=False, fused=False),
    lambda: MLP(2, [5, 1], activation="leaky_relu", init="he_normal", seed=2),
    lambda: Layer(2, 3, activation="tanh", seed=3),
    lambda: Neuron(2, "softplus", seed=4),
], ids=["micrograd", "no-bias-unfused", "he_normal", "Layer", "Neuron"])
def test_round_trip_gives_identical_outputs_and_settings(tmp_path, make):
    model = make()
    path = save(model, tmp_path / "m.json")
    assert path == tmp_path / "m.json"
    copy = load(path)
    assert type(copy) is type(model)
    assert copy.state_dict() == model.state_dict()
    assert outputs(copy) == outputs(model)
    assert repr(copy) == repr(model)
    assert copy.fused == model.fused


def test_file_is_readable_json_with_format_version_architecture_and_named_parameters(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    save(model, tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    doc = json.loads(text)
    assert doc["format"] == "chainrule.nn" and doc["version"] == 1
    assert doc["architecture"] == {"type": "MLP", "nin": 2, "nouts": [3, 1], "activation": "relu",
                                   "output_activation": "linear", "init": None, "bias": True,
                                   "fused": True}
    assert doc["parameters"] == model.state_dict()
    assert "layers.0.neurons.2.w.1" in doc["parameters"]


def test_overwrite_replaces_and_leaves_no_temporary_files(tmp_path):
    save(MLP(2, [3, 1], seed=0), tmp_path / "m.json")
    newer = MLP(2, [3, 1], seed=9)
    save(newer, tmp_path / "m.json")
    assert load(tmp_path / "m.json").state_dict() == newer.state_dict()
    assert os.listdir(tmp_path) == ["m.json"]


@pytest.mark.parametrize("broken", ["replace", "fsync", "write"])
def test_crash_mid_save_leaves_previous_file_intact(tmp_path, monkeypatch, broken):
    path = tmp_path / "m.json"
    save(MLP(2, [3, 1], seed=0), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk on fire")

    if broken == "write":
        monkeypatch.setattr(serialize.json, "dumps", lambda *a, **k: "{\"format\": ")
        monkeypatch.setattr(serialize.os, "fsync", crash)
    else:
        monkeypatch.setattr(serialize.os, broken, crash)
    with pytest.raises(OSError, match="disk on fire"):
        save(MLP(2, [3, 1], seed=5), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_flushes_to_disk_before_renaming(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(serialize.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(serialize.os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b)))
    save(Neuron(2, seed=0), tmp_path / "n.json")
    assert calls == ["fsync", "replace"]


def test_models_that_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="custom activation"):
        save(MLP(2, [2, 1], activation=lambda v: v.tanh()), tmp_path / "m.json")
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = math.nan
    with pytest.raises(ValueError, match="'layers.0.neurons.1.w.0' is not finite"):
        save(model, tmp_path / "m.json")
    with pytest.raises(TypeError, match="save knows MLP, Layer and Neuron"):
        save(object(), tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def saved_doc(tmp_path):
    save(MLP(2, [3, 1], seed=0), tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


def write_doc(tmp_path, doc):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_truncated_or_garbage_files(tmp_path):
    text = (save(MLP(2, [3, 1], seed=0), tmp_path / "good.json")).read_text()
    for cut in (0, 1, len(text) // 2, len(text) - 2):
        with pytest.raises(ValueError, match="not valid JSON"):
            load(write_doc(tmp_path, text[:cut]))
    (tmp_path / "bin.json").write_bytes(b"\x80\x81\xff\x00")
    with pytest.raises(ValueError, match="not UTF-8"):
        load(tmp_path / "bin.json")
    with pytest.raises(ValueError, match="not a chainrule model file"):
        load(write_doc(tmp_path, "[1, 2, 3]"))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(format="pytorch"), "not a chainrule model file"),
    (lambda d: d.update(version=2), "format version 2; this chainrule reads version 1"),
    (lambda d: d.pop("version"), "format version None"),
    (lambda d: d.update(parameters=[1, 2]), "'parameters' must be an object"),
    (lambda d: d["parameters"].pop("layers.1.neurons.0.b"), "missing 'layers.1.neurons.0.b'"),
    (lambda d: d["parameters"].update({"layers.2.neurons.0.b": 0.0}), "unexpected 'layers.2.neurons.0.b'"),
    (lambda d: d["parameters"].update({"layers.0.neurons.0.b": "x"}), "must be a number"),
    (lambda d: d["architecture"].update(nouts=[3, 2]), "missing 'layers.1.neurons.1.w.0'"),
    (lambda d: d["architecture"].update(type="CNN"), "unknown architecture type 'CNN'"),
    (lambda d: d["architecture"].update(nin=-1), "invalid MLP architecture: nin must be a positive int"),
    (lambda d: d["architecture"].update(activation="swish"), "invalid MLP architecture: unknown activation"),
    (lambda d: d["architecture"].update(init="glorot"), "unknown init 'glorot'"),
    (lambda d: d["architecture"].pop("fused"), "must have exactly the keys"),
    (lambda d: d.update(architecture=None), "'architecture' must be an object"),
])
def test_mismatched_or_wrong_files_raise_value_error(tmp_path, edit, message):
    doc = saved_doc(tmp_path)
    edit(doc)
    with pytest.raises(ValueError, match=message):
        load(write_doc(tmp_path, doc))


def test_non_finite_numbers_in_the_file_are_refused(tmp_path):
    text = (save(MLP(2, [3, 1], seed=0), tmp_path / "good.json")).read_text()
    name = '"layers.0.neurons.0.b": '
    start = text.index(name) + len(name)
    end = text.index(",", start)
    for bad in ("NaN", "Infinity", "-Infinity", "1e999"):
        with pytest.raises(ValueError, match="non-finite|not finite"):
            load(write_doc(tmp_path, text[:start] + bad + text[end:]))


@settings(max_examples=25)
@given(nin=st.integers(1, 3), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       activation=st.sampled_from(sorted(ACTIVATIONS)), bias=st.booleans(), fused=st.booleans(),
       seed=st.integers(0, 1000))
def test_any_named_architecture_round_trips(tmp_path_factory, nin, nouts, activation, bias, fused, seed):
    model = MLP(nin, nouts, activation=activation, bias=bias, fused=fused, seed=seed)
    path = save(model, tmp_path_factory.mktemp("rt") / "m.json")
    copy = load(path)
    assert copy.state_dict() == model.state_dict()
    x = [0.25 * (i + 1) for i in range(nin)]
    assert outputs(copy, [x]) == outputs(model, [x])
