"""nn.train: fit runs full-batch and minibatch training with any loss, a history and a TTY-only bar."""

import io
import math

import pytest

from engine import Value
from nn import MLP, SGD, Neuron, accuracy, fit, hinge_loss, make_blobs, mse_loss
from nn.train import History

X2, Y2 = make_blobs(30, centers=2, std=0.5, seed=0)
X3, Y3 = make_blobs(30, centers=3, std=0.4, seed=1)


class CountingSGD(SGD):
    """SGD that counts its steps and the batch gradients it saw."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.steps = 0

    def step(self):
        self.steps += 1
        super().step()


@pytest.mark.parametrize("loss, lr", [("hinge", 0.1), ("mse", 0.02), ("bce", 0.1)])
def test_binary_losses_learn_separable_blobs(loss, lr):
    model = MLP(2, [6, 1], seed=0)
    history = fit(model, X2, Y2, loss=loss, epochs=25, lr=lr, progress=False)
    assert isinstance(history, History) and len(history) == 25
    assert len(history.loss) == len(history.accuracy) == 25
    assert history.loss[-1] < history.loss[0]
    threshold = 0.5 if loss == "mse" else 0.0
    assert accuracy(model, X2, Y2, threshold=threshold) == 1.0


def test_cross_entropy_learns_three_classes():
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, X3, Y3, loss="cross_entropy", epochs=30, lr=0.2, progress=False)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert accuracy(model, X3, Y3) == 1.0 == history.accuracy[-1]


def test_full_batch_loss_is_the_plain_loop_loss():
    """fit's first recorded loss is exactly the loss a hand-written loop computes first."""
    a, b = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3)
    history = fit(a, X2, Y2, epochs=2, lr=0.05, progress=False)
    first = hinge_loss([b(x) for x in X2], [2 * t - 1 for t in Y2])
    b.zero_grad(); first.backward()
    for p in b.parameters():
        p.data -= 0.05 * p.grad
    second = hinge_loss([b(x) for x in X2], [2 * t - 1 for t in Y2])
    assert history.loss == pytest.approx([first.data, second.data], abs=1e-12)


@pytest.mark.parametrize("batch_size, steps", [(None, 4), (30, 4), (7, 4 * 5), (100, 4)])
def test_minibatches_make_one_step_each(batch_size, steps):
    model = MLP(2, [4, 1], seed=0)
    opt = CountingSGD(model.parameters(), lr=0.05)
    history = fit(model, X2, Y2, optimizer=opt, epochs=4, batch_size=batch_size, progress=False)
    assert opt.steps == steps and len(history) == 4
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_minibatch_shuffling_follows_the_seed():
    runs = [fit(MLP(2, [4, 1], seed=0), X2, Y2, epochs=3, batch_size=5, seed=s, progress=False).loss
            for s in (1, 1, 2)]
    assert runs[0] == runs[1] != runs[2]


def test_optimizer_by_name_and_custom_loss():
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X2, Y2, optimizer="adam", lr=0.05, epochs=15,
                  loss=lambda outs, ys: mse_loss(outs, [2.0 * t - 1.0 for t in ys]), progress=False)
    assert history.loss[-1] < history.loss[0]
    assert all(math.isfinite(v) for v in history.loss)


def test_progress_bar_only_when_asked_or_on_a_terminal(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    fit(Neuron(2, "linear", seed=0), X2, Y2, epochs=3)  # stderr is not a TTY under pytest
    assert capsys.readouterr().err == ""

    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    fake = FakeTTY()
    monkeypatch.setattr("sys.stderr", fake)
    fit(Neuron(2, "linear", seed=0), X2, Y2, epochs=3)
    assert "3/3" in fake.getvalue() and "epoch" in fake.getvalue()
    quiet = FakeTTY()
    monkeypatch.setattr("sys.stderr", quiet)
    fit(Neuron(2, "linear", seed=0), X2, Y2, epochs=3, progress=False)
    assert quiet.getvalue() == ""


def test_accuracy_rules():
    n = Neuron(1, "linear")
    n.w[0].data, n.b.data = 1.0, 0.0
    assert accuracy(n, [[-1.0], [2.0], [0.0]], [0, 1, 0]) == 1.0
    assert accuracy(n, [[0.3], [0.7]], [0, 1], threshold=0.5) == 1.0
    three = MLP(1, [3], activation="linear", init="zeros")
    three.layers[0].neurons[2].b.data = 1.0
    assert accuracy(three, [[5.0], [6.0]], [2, 0]) == 0.5
    with pytest.raises(ValueError, match="same length"):
        accuracy(n, [[1.0]], [0, 1])


def test_bad_arguments():
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="unknown loss 'l1'; valid names: hinge, mse, bce, cross_entropy"):
        fit(model, X2, Y2, loss="l1")
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        fit(model, X2, Y2, optimizer="lbfgs")
    with pytest.raises(TypeError, match="step\\(\\) and zero_grad\\(\\)"):
        fit(model, X2, Y2, optimizer=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, X2, Y2, epochs=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        fit(model, X2, Y2, batch_size=0)
    with pytest.raises(ValueError, match="same length"):
        fit(model, X2, Y2[:-1])
    with pytest.raises(ValueError):
        fit(model, X2, Y2, lr=-1.0)


def test_value_rows_are_accepted():
    rows = [[Value(a), Value(b)] for a, b in X2]
    assert len(fit(MLP(2, [3, 1], seed=0), rows, Y2, epochs=2, progress=False)) == 2


def test_hinge_accepts_plus_minus_one_labels_with_the_same_result():
    a = fit(MLP(2, [4, 1], seed=0), X2, Y2, epochs=3, progress=False)
    b = fit(MLP(2, [4, 1], seed=0), X2, [2 * t - 1 for t in Y2], epochs=3, progress=False)
    assert a.loss == b.loss and a.accuracy == b.accuracy


@pytest.mark.parametrize("loss, labels, message", [
    ("hinge", [0, 1, 2], r"loss 'hinge' needs labels \+1 or -1 \(or 0/1, read as -1/\+1\), "
                         r"got the values \[0, 1, 2\]"),
    ("hinge", [-1, 0, 1], r"got the values \[-1, 0, 1\]"),
    ("bce", [-1, 1, 1], r"probability"),
])
def test_labels_that_do_not_suit_the_loss(loss, labels, message):
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [2, 1], seed=0), X2[:3], labels, loss=loss)


def test_model_outputs_that_do_not_suit_the_loss():
    with pytest.raises(ValueError, match="needs a model with one output .* gives 3"):
        fit(MLP(2, [2, 3], seed=0), X3, Y3, loss="hinge")
    with pytest.raises(ValueError, match="needs one output per class"):
        fit(MLP(2, [2, 1], seed=0), X3, Y3, loss="cross_entropy")


def test_mse_regresses_arbitrary_targets():
    xs = [[i / 10] for i in range(-10, 11)]
    targets = [3.0 * x[0] - 0.5 for x in xs]
    model = Neuron(1, "linear", seed=0)
    history = fit(model, xs, targets, loss="mse", epochs=200, lr=0.3, progress=False)
    assert history.loss[-1] < 1e-6
    assert model.w[0].data == pytest.approx(3.0, abs=1e-3) and model.b.data == pytest.approx(-0.5, abs=1e-3)


def test_divergence_is_reported_once():
    model = MLP(2, [6, 1], seed=0)
    with pytest.warns(RuntimeWarning, match="training diverged; try a smaller learning rate") as caught:
        history = fit(model, X2, Y2, loss="mse", epochs=25, lr=0.5, progress=False)
    assert not math.isfinite(history.loss[-1])
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    bad = [row[:] for row in X2]
    bad[3][1] = math.nan
    with pytest.warns(RuntimeWarning, match="some inputs are not finite numbers"):
        fit(MLP(2, [6, 1], seed=0), bad, Y2, epochs=2, progress=False)


def test_minibatch_fit_is_the_documented_loop():
    """Shuffle with random.Random(seed) each epoch, step on each slice of batch_size rows."""
    import random

    a, b = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5)
    history = fit(a, X2, Y2, epochs=2, batch_size=7, seed=3, lr=0.05, progress=False)
    rng, order, losses = random.Random(3), list(range(len(X2))), []
    for _ in range(2):
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), 7):
            rows = order[start:start + 7]
            loss = hinge_loss([b(X2[i]) for i in rows], [2 * Y2[i] - 1 for i in rows])
            b.zero_grad(); loss.backward()
            for p in b.parameters():
                p.data -= 0.05 * p.grad
            total += loss.data * len(rows)
        losses.append(total / len(X2))
    assert history.loss == pytest.approx(losses, abs=1e-12)
    assert a.state_dict() == pytest.approx(b.state_dict(), abs=1e-12)


def test_fit_callbacks_see_every_step():
    from nn import MLP, fit, make_moons
    X, y = make_moons(12, seed=1)
    model = MLP(2, [4, 1], seed=0)
    seen = []
    grads = []
    history = fit(model, X, y, lr=0.1, epochs=3, batch_size=4, progress=False,
                  callbacks=[seen.append, lambda info: grads.append(info["model"].parameters()[0].grad)])
    assert [info["step"] for info in seen] == list(range(1, 10))   # 3 batches x 3 epochs
    assert [info["epoch"] for info in seen] == [0] * 3 + [1] * 3 + [2] * 3
    assert all(info["model"] is model for info in seen)
    # the mean of each epoch's batch losses is the history's loss for that epoch
    assert abs(sum(i["loss"] for i in seen[:3]) / 3 - history.loss[0]) < 1e-12
    assert any(g != 0.0 for g in grads)


def test_fit_callbacks_must_be_functions():
    import pytest
    from nn import MLP, fit, make_moons
    X, y = make_moons(8, seed=1)
    with pytest.raises(TypeError, match="callbacks"):
        fit(MLP(2, [1], seed=0), X, y, epochs=1, progress=False, callbacks=print)
    with pytest.raises(TypeError, match="callbacks"):
        fit(MLP(2, [1], seed=0), X, y, epochs=1, progress=False, callbacks=[1])
