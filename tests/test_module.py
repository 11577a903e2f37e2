"""nn.module: Module bookkeeping, Neuron/Layer/MLP shapes, labels, seeds, state dicts."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Constant, Value, gradcheck
from nn import ACTIVATIONS, MLP, Layer, Module, Neuron


def forward_data(model, x):
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else out.data


# --- shapes and parameter counts -------------------------------------------------------


def test_micrograd_sized_mlp_has_337_parameters():
    model = MLP(2, [16, 16, 1], seed=0)
    # (2*16 + 16) + (16*16 + 16) + (16*1 + 1)
    assert len(model.parameters()) == 48 + 272 + 17 == 337
    assert len(model.named_parameters()) == 337
    assert len({id(p) for p in model.parameters()}) == 337


def test_mlp_returns_one_value_for_one_output_else_a_list():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)


def test_layer_of_one_neuron_returns_its_value_as_micrograd_does():
    layer = Layer(3, 1, seed=0)
    out = layer([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    assert out.data == layer.neurons[0]([1.0, 2.0, 3.0]).data
    wide = Layer(3, 2, seed=0)([1.0, 2.0, 3.0])
    assert isinstance(wide, list) and len(wide) == 2


def test_hidden_width_one_works_and_backpropagates():
    model = MLP(2, [1, 1, 3], activation="tanh", seed=4)
    out = model([0.3, -0.2])
    assert len(out) == 3
    out[0].backward()
    assert any(p.grad != 0.0 for p in model.layers[0].parameters())


def test_bias_false_drops_the_bias_parameters():
    model = MLP(2, [3, 1], bias=False, seed=0)
    assert len(model.parameters()) == 2 * 3 + 3 * 1
    assert all(n.b is None for layer in model.layers for n in layer.neurons)


# --- names and labels ----------------------------------------------------------------


def test_parameter_labels_name_layer_neuron_and_weight():
    model = MLP(2, [4, 1], seed=0)
    assert model.layers[0].neurons[3].w[1].label == "L0.N3.w1"
    assert model.layers[0].neurons[3].b.label == "L0.N3.b"
    assert model.layers[1].neurons[0].w[3].label == "L1.N0.w3"
    assert [w.label for w in Neuron(2, seed=0).w] == ["w0", "w1"]
    assert Layer(2, 3, seed=0).neurons[2].b.label == "N2.b"


def test_named_parameters_are_dotted_and_in_construction_order():
    model = MLP(2, [4, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert "layers.0.neurons.3.w.1" in names
    assert names[-1] == "layers.1.neurons.0.b"
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_named_parameters_prefix():
    names = [n for n, _ in Neuron(1, seed=0).named_parameters(prefix="head")]
    assert names == ["head.w.0", "head.b"]


def test_custom_module_subclass_finds_parameters_and_submodules():
    class Twin(Module):
        def __init__(self):
            self.scale = Value(2.0, label="scale")
            self.body = Layer(2, 2, "tanh", seed=1)
            self.same = self.scale  # a tied parameter is listed once
            self._cache = Value(9.0)  # private attributes are not parameters

        def forward(self, x):
            return [self.scale * v for v in self.body(x)]

    twin = Twin()
    names = [n for n, _ in twin.named_parameters()]
    assert names[0] == "scale" and names[1] == "body.neurons.0.w.0"
    assert len(names) == 1 + 6
    out = twin([1.0, 1.0])
    assert len(out) == 2 and out[0].data == pytest.approx(2.0 * math.tanh(
        sum(w.data for w in twin.body.neurons[0].w) + twin.body.neurons[0].b.data))
    with pytest.raises(NotImplementedError):
        Module()([1.0])


def test_dicts_of_submodules_are_walked_in_insertion_order():
    class Heads(Module):
        def __init__(self):
            self.heads = {"left": Neuron(1, seed=0), "right": Neuron(1, seed=1)}

    assert [n for n, _ in Heads().named_parameters()] == [
        "heads.left.w.0", "heads.left.b", "heads.right.w.0", "heads.right.b"]


# --- reproducibility ---------------------------------------------------------------------


def test_same_seed_gives_identical_weights_and_rng_equals_seed():
    a = MLP(3, [5, 2], seed=7).state_dict()
    b = MLP(3, [5, 2], seed=7).state_dict()
    c = MLP(3, [5, 2], rng=random.Random(7)).state_dict()
    d = MLP(3, [5, 2], seed=random.Random(7)).state_dict()
    assert a == b == c == d
    assert MLP(3, [5, 2], seed=8).state_dict() != a


def test_seed_and_rng_together_or_bad_seed_are_rejected():
    with pytest.raises(ValueError, match="either seed= or rng="):
        MLP(2, [2], seed=1, rng=random.Random(1))
    with pytest.raises(TypeError, match="seed must be an int"):
        Neuron(2, seed="abc")
    with pytest.raises(TypeError, match="rng must be a random.Random"):
        Neuron(2, rng=42)


# --- calling -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Neuron(3, seed=0), Layer(3, 2, seed=0), MLP(3, [2, 1], seed=0)],
                         ids=["Neuron", "Layer", "MLP"])
def test_wrong_input_length_says_expected_and_got(model):
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(TypeError, match="list of 3 numbers"):
        model(1.0)
    with pytest.raises(TypeError, match="input 1 must be a number or a Value"):
        model([1.0, "2", 3.0])


def test_float_inputs_are_lifted_once_and_shared_by_all_first_layer_neurons():
    model = MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    dots = [n.inputs[0] if n.op.name == "relu" else n for n in out.inputs[3:6]]
    xs = {tuple(d.inputs[2:4]) for d in dots}
    assert len(xs) == 1  # the very same two input nodes feed every neuron
    assert all(isinstance(x, Constant) for x in next(iter(xs)))


def test_value_inputs_receive_gradients():
    model = MLP(2, [4, 1], activation="tanh", seed=2)
    x = [Value(0.3, label="x0"), Value(-0.8, label="x1")]
    model(x).backward()

    def f(a, b):
        return model([a, b])

    assert gradcheck(f, [0.3, -0.8])
    assert x[0].grad != 0.0


def test_fused_and_unfused_agree_on_outputs_and_gradients():
    fused = MLP(3, [4, 2], activation="tanh", seed=3)
    plain = MLP(3, [4, 2], activation="tanh", seed=3, fused=False)
    x = [0.2, -0.4, 0.9]
    a, b = fused(x), plain(x)
    for u, v in zip(a, b):
        assert u.data == pytest.approx(v.data, abs=1e-12)
    (a[0] + a[1]).backward()
    (b[0] + b[1]).backward()
    for p, q in zip(fused.parameters(), plain.parameters()):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


def test_fused_neuron_is_one_dot_node_unfused_is_binary_ops():
    fused = Neuron(3, "tanh", seed=0)([1.0, 2.0, 3.0])
    assert fused.op.name == "tanh" and fused.inputs[0].op.name == "dot"
    assert len(fused.inputs[0].inputs) == 3 + 3 + 1
    plain = Neuron(3, "tanh", seed=0, fused=False)([1.0, 2.0, 3.0])
    ops = []
    stack = [plain]
    while stack:
        v = stack.pop()
        if v.op is not None:
            ops.append(v.op.name)
            stack.extend(v.inputs)
    assert sorted(ops) == sorted(["tanh"] + ["mul"] * 3 + ["add"] * 3)


def test_activation_by_name_or_callable_and_linear_adds_no_node():
    assert Neuron(2, "sigmoid", seed=0)([1.0, 1.0]).op.name == "sigmoid"
    assert Neuron(2, "linear", seed=0)([1.0, 1.0]).op.name == "dot"
    cube = Neuron(2, lambda v: v ** 3, seed=0)
    out = cube([1.0, 1.0])
    assert out.op.name == "pow_const" and out.attr == 3.0
    with pytest.raises(ValueError, match="valid names: linear, relu"):
        MLP(2, [2, 1], activation="ReLU")
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        MLP(2, [2, 1], output_activation="softmax")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nin must be a positive int"):
        Neuron(0)
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\]"):
        MLP(2, [3, 0])
    with pytest.raises(ValueError, match="unknown init"):
        Layer(2, 2, init="glorot")
    with pytest.raises(TypeError, match="fused must be True or False"):
        Neuron(2, fused=1)


# --- grads and state ----------------------------------------------------------------------


def test_zero_grad_clears_accumulated_parameter_grads():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip():
    src, dst = MLP(2, [3, 2], seed=1), MLP(2, [3, 2], seed=2)
    state = src.state_dict()
    assert list(state) == [n for n, _ in src.named_parameters()]
    dst.load_state_dict(state)
    assert forward_data(dst, [0.1, 0.7]) == forward_data(src, [0.1, 0.7])


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("layers.1.neurons.0.b"), "missing 'layers.1.neurons.0.b'"),
    (lambda s: s.update({"layers.9.w": 1.0}), "unexpected 'layers.9.w'"),
    (lambda s: s.update({"layers.0.neurons.1.w.0": math.nan}), "'layers.0.neurons.1.w.0' is not finite"),
    (lambda s: s.update({"layers.1.neurons.0.w.2": -math.inf}), "'layers.1.neurons.0.w.2' is not finite"),
])
def test_bad_state_dict_names_the_entry_and_changes_nothing(change, message):
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    state = MLP(2, [3, 1], seed=5).state_dict()
    change(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_type_errors_and_non_strict():
    model = MLP(2, [2, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(TypeError, match="must be a number"):
        model.load_state_dict({**before, "layers.0.neurons.0.b": "0.5"})
    with pytest.raises(TypeError, match="needs a dict"):
        model.load_state_dict([1.0, 2.0])
    assert model.state_dict() == before
    model.load_state_dict({"layers.0.neurons.0.b": 0.5, "extra": 1.0}, strict=False)
    assert model.layers[0].neurons[0].b.data == 0.5
    assert type(model.layers[0].neurons[0].b.data) is float


def test_nested_repr():
    text = repr(MLP(2, [16, 1], activation="tanh", seed=0))
    assert text.splitlines() == [
        "MLP(",
        "  (layers.0): Layer(nin=2, nout=16, activation='tanh', init='uniform')",
        "  (layers.1): Layer(nin=16, nout=1, activation='linear', init='uniform')",
        ")",
    ]
    assert "init='xavier_uniform'" in repr(MLP(2, [16, 1], activation="tanh", init="auto", seed=0))
    assert repr(Neuron(3, "relu", bias=False, fused=False)) == \
        "Neuron(nin=3, activation='relu', bias=False, fused=False)"


# --- properties over random architectures ---------------------------------------------

architectures = st.fixed_dictionaries({
    "nin": st.integers(1, 3),
    "nouts": st.lists(st.integers(1, 3), min_size=1, max_size=3),
    "activation": st.sampled_from(sorted(ACTIVATIONS)),
    "output_activation": st.sampled_from(sorted(ACTIVATIONS)),
    "bias": st.booleans(),
    "seed": st.integers(0, 2 ** 16),
})


@settings(max_examples=40)
@given(arch=architectures, data=st.data())
def test_fused_equals_unfused_and_gradients_match_finite_differences(arch, data):
    nin = arch["nin"]
    x = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=nin, max_size=nin))
    fused, plain = MLP(**arch), MLP(**arch, fused=False)
    assert fused.state_dict() == plain.state_dict()
    assert len(fused.parameters()) == sum(
        (a + arch["bias"]) * b for a, b in zip([nin] + arch["nouts"], arch["nouts"]))

    def first_output(model, xs):
        out = model(xs)
        return out[0] if isinstance(out, list) else out

    a, b = first_output(fused, x), first_output(plain, x)
    assert a.data == pytest.approx(b.data, rel=1e-12, abs=1e-12)
    # input gradients by finite differences, away from the kinks of relu-like units
    if arch["activation"] not in ("relu", "leaky_relu") and arch["output_activation"] not in ("relu", "leaky_relu"):
        assert gradcheck(lambda *xs: first_output(fused, list(xs)), x, atol=1e-5, rtol=1e-4)


def test_numpy_sizes_and_inputs_work():
    np = pytest.importorskip("numpy")
    model = MLP(np.int64(2), [np.int64(3), 1], seed=0)
    assert model.nin == 2 and model.nouts == [3, 1] and type(model.nouts[0]) is int
    assert model(np.array([0.5, -1.0])).data == model([0.5, -1.0]).data
    with pytest.raises(ValueError, match="nin must be a positive int, got True"):
        Neuron(True)


def test_package_exports_every_planned_name():
    import nn

    planned = ("Module Neuron Layer MLP Perceptron PerceptronResult ACTIVATIONS get_activation "
               "INITIALIZERS init_value make_moons make_circles make_xor make_spirals make_blobs "
               "train_test_split fit accuracy History save load to_torch from_torch draw_network "
               "mse_loss binary_cross_entropy binary_cross_entropy_with_logits cross_entropy sweep "
               "hinge_loss softmax log_softmax Optimizer SGD Adam AdamW OPTIMIZERS").split()
    assert len(set(nn.__all__)) == len(nn.__all__), "a name is exported twice"
    assert sorted(nn.__all__) == sorted(planned)
    assert all(callable(getattr(nn, name)) or isinstance(getattr(nn, name), dict) for name in planned)


def test_importing_nn_loads_no_optional_library():
    import subprocess
    import sys

    code = ("import sys, nn; heavy = [m for m in ('torch', 'matplotlib', 'tqdm', 'numpy') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layer_fast_path_builds_the_same_nodes_as_a_lone_neuron():
    for activation, top in (("linear", "dot"), ("tanh", "tanh"), ("gelu_tanh", "gelu_tanh")):
        layer = Layer(2, 3, activation, seed=0)
        outs = layer([1.0, -2.0])
        assert [o.op.name for o in outs] == [top] * 3
        for n, o in zip(layer.neurons, outs):
            assert o.data == n([1.0, -2.0]).data
