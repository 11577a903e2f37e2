"""A real dataset: 8x8 handwritten digits, learned by a scalar autograd engine.

Needs scikit-learn only for its bundled copy of the digits (no download):
``pip install 'chainrule[digits]'``. Run it with
``python -m demos.digits [--out DIR] [--quick]``; it also opens as a notebook
(jupytext percent format).
"""

from __future__ import annotations

import math
import random
import time
from typing import Callable, Optional

import engine
from nn import MLP, Adam, train_test_split
from demos._common import one_hot, progress, say
from demos._digits_scoring import _a, accuracy_of, confusion, predict
from demos._figures.digits import image, plot_confusion, plot_curves, plot_examples, plot_mistakes
from demos._lesson import Lesson

NAME = "digits"
ORDER = 10
SUMMARY = "8x8 handwritten digits to >= 95% test accuracy with scalar Values; confusions and mistakes"

lesson = Lesson(NAME)

# %% [markdown]
# # Handwritten digits with nothing but scalars
#
# Everything so far fitted toy points in the plane. Here is a real task: 1,797
# handwritten digits from the UCI collection that ships inside scikit-learn,
# each an 8 × 8 grid of ink levels from 0 to 16. Flattened, a digit is a list of
# 64 numbers, and the network has to say which of the ten digits it shows.
#
# The engine still works one number at a time: every weight is a `Value`, every
# weighted sum is one `dot` node, and backprop visits each node in turn. That is
# slow next to a tensor library, but it is the same algorithm, and a small
# network is enough to get most digits right.

# %%
def load() -> tuple[list[list[float]], list[int]]:
    """The digits as lists: pixel rows scaled to [0, 1], their labels, and the 8x8 images."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - depends on the extras
        raise SystemExit("this walkthrough reads the digits bundled with scikit-learn: "
                         "pip install 'chainrule[digits]'") from exc
    digits = load_digits()
    X = [[v / 16.0 for v in row] for row in digits.data.tolist()]
    return X, [int(t) for t in digits.target.tolist()]


# %% [markdown]
# ## The data
#
# The digits are split once, with a fixed seed: three quarters to learn from,
# a quarter held back to test on. The quick run uses a smaller slice of each
# and fewer epochs.

# %%
@lesson.step
def dataset(run):
    """Load the digits, split them, and make the network."""
    run.notes["began"] = time.perf_counter()
    X, y = load()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=0)
    epochs = 12
    if run.quick:
        Xtr, ytr, Xte, yte, epochs = Xtr[:300], ytr[:300], Xte[:150], yte[:150], 4
    model = MLP(64, [32, 10], init="auto", seed=0)
    run.notes.update(X=X, y=y, Xtr=Xtr, Xte=Xte, ytr=ytr, yte=yte, epochs=epochs, model=model)
    run.result["replay_gap"] = None
    say(f"""
        {len(X)} digits in the collection; this run trains on {len(Xtr)} and tests on
        {len(Xte)} others that it never sees while learning. A 64 → 32 → 10 network with
        {len(model.parameters())} parameters, trained for {epochs} epochs
        of minibatch Adam, one scalar at a time.
        """)
    counts = [ytr.count(d) for d in range(10)]
    print("training digits per class: " + ", ".join(f"{d}: {c}" for d, c in enumerate(counts)))


# %% [markdown]
# ## What the network sees
#
# One digit as its 64 numbers, laid out in their 8 × 8 grid (ink from 0 to 1,
# shown here as tenths), and the first few digits of the collection as pictures.

# %%
@lesson.step
def examples(run):
    """One digit as numbers, and a sheet of digits as pictures."""
    X, y = run.notes["X"], run.notes["y"]
    print(f"digit 0 of the collection, labelled {y[0]}, in tenths of full ink:")
    for row in image(X[0]):
        print("  " + " ".join(f"{round(10 * v):2d}" if v else " ." for v in row))
    print()
    run.keep(plot_examples(X, y, run.out, count=10 if run.quick else 30))


# %% [markdown]
# ## The model and the loss
#
# 64 inputs → 32 ReLU units → 10 outputs, one logit `z_j` per digit: 2,410
# parameters. The loss is softmax cross-entropy: the logits become probabilities
# `p_j = e^{z_j} / Σ_i e^{z_i}` and an example costs `-log p_true`, which is
# `log Σ_i e^{z_i} - z_true`. Its gradient with respect to logit `j` is simply
# `p_j - [j = true]`, so every wrong digit is pushed down by exactly the
# probability it took.
#
# We write the "pick `z_true`" part as a dot product with the one-hot answer,
# `Σ_j t_j z_j`. That is the same number, but it keeps the loss free of Python
# decisions that depend on the example, which the next section needs.


# %%
def digit_loss(logits: list, onehot: list[float]) -> engine.Value:
    """Cross-entropy ``log Σ exp(z) - Σ t_j z_j`` of one example (``onehot`` picks the answer)."""
    return engine.sum([z.exp() for z in logits]).log() - engine.dot(onehot, logits)


# %% [markdown]
# ## One example through the untrained network
#
# The network's ten logits for the first training digit, the probabilities the
# softmax makes of them, and the loss. Then `backward()`, and each logit's
# gradient next to $p_j - [j = \text{true}]$: they should be equal.

# %%
@lesson.step
def one_example(run):
    """Logits, probabilities, loss and logit gradients for one digit."""
    model, x, t = run.notes["model"], run.notes["Xtr"][0], run.notes["ytr"][0]
    logits = model(x)
    loss = digit_loss(logits, one_hot(t, 10))
    loss.backward()
    top = max(z.data for z in logits)
    weights = [math.exp(z.data - top) for z in logits]
    probs = [w / sum(weights) for w in weights]
    print(f"a training digit labelled {t}:")
    print(f"  {'digit':>5}  {'logit':>8}  {'p':>6}  {'logit.grad':>10}  {'p - [j = true]':>14}")
    for j, (z, q) in enumerate(zip(logits, probs)):
        print(f"  {j:5d}  {z.data:+8.4f}  {q:6.3f}  {z.grad:+10.6f}  {q - (j == t):+14.6f}")
    print(f"\nloss = -log p_true = {loss.data:.4f} (a uniform guess would cost log 10 = {math.log(10):.4f})")
    model.zero_grad()


# %% [markdown]
# ## Speed: record once, replay many times
#
# Eager mode builds a fresh graph of Value objects for every example, about
# 2,600 nodes here, and throws it away after backward. But the graph has the
# same *shape* for every digit: only the 64 pixels and the answer change.
# `engine.trace` records it once and turns it into one straight-line Python
# function that redoes forward and backward on new numbers, with the same
# arithmetic in the same order, and adds into each parameter's `grad` exactly
# as `backward()` would. We check that claim on real digits before using it.


# %%
def per_example(model: MLP, batch: int) -> Callable:
    """The function traced and replayed: one example's loss, already divided by the batch size."""
    def loss(x: list, onehot: list[float]) -> engine.Value:
        return digit_loss(model(x), onehot) * (1.0 / batch)
    return loss


def replayer(model: MLP, batch: int, X: list, y: list[int]) -> Optional[Callable]:
    """A traced replay of one example's forward+backward, or None when the engine has no trace."""
    if not hasattr(engine, "trace"):
        return None
    return engine.trace(per_example(model, batch), X[0], one_hot(y[0], 10))


def compare_with_eager(model: MLP, replay: Callable, X: list, y: list[int],
                       batch: int) -> tuple[float, float, float]:
    """Eager vs replayed gradients summed over the same examples.

    Returns the largest gap between the two and the seconds each took.
    """
    loss = per_example(model, batch)
    params = model.parameters()
    model.zero_grad()
    start = time.perf_counter()
    for x, t in zip(X, y):
        loss(x, one_hot(t, 10)).backward()
    eager_seconds = time.perf_counter() - start
    eager = [p.grad for p in params]
    model.zero_grad()
    start = time.perf_counter()
    for x, t in zip(X, y):
        replay(x, one_hot(t, 10))
    replay_seconds = time.perf_counter() - start
    replayed = [p.grad for p in params]
    model.zero_grad()
    return max(abs(a - b) for a, b in zip(eager, replayed)), eager_seconds, replay_seconds


# %% [markdown]
# ## The trace, checked against eager mode
#
# One example's loss is traced, then both ways add up the gradients of 32
# training digits, timed. If the engine has no `engine.trace`, or the replay
# disagreed by more than rounding, training falls back to eager mode.

# %%
@lesson.step
def trace_check(run):
    """Trace one example's loss and compare replayed gradients with eager ones."""
    model, Xtr, ytr = run.notes["model"], run.notes["Xtr"], run.notes["ytr"]
    replay = replayer(model, 32, Xtr, ytr)
    if replay is None:
        say("This engine has no engine.trace: every example is built eagerly (slower).")
    else:
        gap, eager_s, replay_s = compare_with_eager(model, replay, Xtr[:32], ytr[:32], 32)
        run.result["replay_gap"] = gap
        run.result["speedup"] = eager_s / replay_s
        say(f"""
            Traced one example: {replay.nodes} nodes, replayed without building any Value.
            On 32 training digits the replayed gradients differ from eager backward by
            {gap:g}{" - bit for bit the same" if gap == 0 else ""}, and the replay took
            {1000 * replay_s:.0f} ms against {1000 * eager_s:.0f} ms eagerly
            ({eager_s / replay_s:.1f}× faster).
            """)
        if gap > 1e-12:
            say("That is more than rounding, so this run trains eagerly instead.")
            replay = None
    run.notes["replay"] = replay
    run.result["traced"] = replay is not None


# %% [markdown]
# ## Training: minibatch Adam
#
# One pass over the whole training set per step would be slow; instead each
# step looks at 32 random examples, whose average gradient points roughly the
# same way. Adam starts at a learning rate of 0.01, which shrinks linearly to a
# tenth of that by the end, so the last steps fine-tune instead of jumping.


# %%
def train(model: MLP, X: list, y: list[int], Xtest: list, ytest: list[int], *, epochs: int,
          batch: int, lr: float, replay: Optional[Callable] = None, seed: int = 0) -> dict:
    """Minibatch Adam with a linearly decaying rate; per-epoch loss and test accuracy.

    ``replay`` (from :func:`replayer`) does each example's forward and backward;
    without it every example builds its graph eagerly.
    """
    opt = Adam(model.parameters(), lr=lr)
    rng = random.Random(seed)
    order = list(range(len(X)))
    batches = (len(X) + batch - 1) // batch
    total_steps, step = epochs * batches, 0
    record = {"loss": [], "test_accuracy": []}
    loss = per_example(model, batch)
    ticks = progress(range(total_steps), total=total_steps, desc="training")
    tick = iter(ticks)
    for _ in range(epochs):
        rng.shuffle(order)
        running = 0.0
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            opt.zero_grad()
            for i in rows:
                if replay is not None:
                    running += replay(X[i], one_hot(y[i], 10)) * batch
                else:
                    value = loss(X[i], one_hot(y[i], 10))
                    value.backward()
                    running += value.data * batch
            if len(rows) < batch:   # a short last batch: average over what it has
                for p in model.parameters():
                    p.grad *= batch / len(rows)
            opt.lr = lr * (1.0 - 0.9 * step / total_steps)
            opt.step()
            step += 1
            next(tick, None)
        record["loss"].append(running / len(X))
        record["test_accuracy"].append(accuracy_of(predict(model, Xtest), ytest))
    if hasattr(ticks, "close"):
        ticks.close()
    return record


# %% [markdown]
# ## Training
#
# Every epoch is one pass over the training digits in batches of 32; after each
# one, the average training loss and the accuracy on the held-back test digits.

# %%
@lesson.step
def training(run):
    """Train with minibatch Adam and print the loss and test accuracy per epoch."""
    n = run.notes
    start = time.perf_counter()
    record = train(n["model"], n["Xtr"], n["ytr"], n["Xte"], n["yte"], epochs=n["epochs"], batch=32,
                   lr=0.01, replay=n["replay"])
    seconds = time.perf_counter() - start
    print("  epoch  training loss  test accuracy")
    for i, (loss, test) in enumerate(zip(record["loss"], record["test_accuracy"]), 1):
        print(f"  {i:>5}  {loss:>13.4f}  {test:>13.1%}")
    print()
    run.result.update(record=record, train_seconds=seconds)


# %% [markdown]
# ## The learning curves
#
# The same two columns as pictures: the training loss on a log scale, and the
# test accuracy against the 95% a full run aims for.

# %%
@lesson.step
def curves(run):
    """Draw the training loss and the test accuracy per epoch."""
    record = run.result["record"]
    print(f"training loss {record['loss'][0]:.4f} after the first epoch, {record['loss'][-1]:.4f} "
          f"after the last")
    run.keep(plot_curves(record, run.out))


# %% [markdown]
# ## Which digits get confused
#
# Every test digit goes into one cell of a 10 × 10 table: its row is the true
# digit, its column the network's answer. The diagonal holds the right answers;
# everything off it is a mistake, and the largest off-diagonal count is the
# network's favourite confusion.

# %%
@lesson.step
def confusion_matrix(run):
    """Test accuracy, the confusion table, and the most common confusion."""
    model, Xte, yte = run.notes["model"], run.notes["Xte"], run.notes["yte"]
    predictions = predict(model, Xte)
    acc = accuracy_of(predictions, yte)
    table = confusion(predictions, yte)
    worst = max(((t, p) for t in range(10) for p in range(10) if t != p),
                key=lambda tp: table[tp[0]][tp[1]])
    print("  true \\ predicted " + "".join(f"{p:4d}" for p in range(10)))
    for t, row in enumerate(table):
        print(f"  {t:16d} " + "".join(f"{c:4d}" if c else "   ." for c in row))
    print()
    say(f"""
        Training took {run.result['train_seconds']:.1f} s. Test accuracy: {acc:.1%}
        ({sum(table[i][i] for i in range(10))} of {len(yte)} digits the network never saw){
        "" if run.quick or acc >= 0.95 else " - short of the 95% aimed for"}. The most
        common confusion: {_a(worst[0])} read as {_a(worst[1])} ({table[worst[0]][worst[1]]}
        times).
        """)
    run.notes["predictions"] = predictions
    run.result.update(test_accuracy=acc, confusion=table)
    run.keep(plot_confusion(table, run.out))


# %% [markdown]
# ## The mistakes themselves
#
# The test digits the network got wrong, each with its true label, the
# network's answer and how sure it was. Some are badly written; some show what
# the network has not learned yet.

# %%
@lesson.step
def mistakes(run):
    """List and draw the misclassified test digits."""
    Xte, yte, predictions = run.notes["Xte"], run.notes["yte"], run.notes["predictions"]
    wrong = [(t, p, prob) for (p, prob), t in zip(predictions, yte) if p != t]
    sure = sum(prob > 0.5 for _, _, prob in wrong)
    print(f"{len(wrong)} of {len(yte)} test digits wrong; the network gave more than 50% to its wrong "
          f"answer for {sure} of them.")
    shown = [f"{t}→{p} ({prob:.0%})" for t, p, prob in wrong[:24]]
    for k in range(0, len(shown), 8):
        print("  " + ", ".join(shown[k:k + 8]))
    if len(wrong) > len(shown):
        print(f"  ... and {len(wrong) - len(shown)} more")
    run.keep(plot_mistakes(Xte, yte, predictions, run.out, limit=8 if run.quick else 24))


# %% [markdown]
# ## What was drawn
#
# The files this run wrote, and how long the whole walkthrough took.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew, and the time it took."""
    run.list_pictures()
    total = time.perf_counter() - run.notes["began"]
    print(f"  whole walkthrough: {total:.1f} s")
    run.result.update(seconds=total, figures=list(run.files))


main = lesson.main
