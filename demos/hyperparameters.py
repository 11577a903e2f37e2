"""Hyperparameters: a sweep, a tracked log, and what the numbers say.

``nn.sweep`` trains one small MLP per combination of learning rate, widths,
activation and initialisation on two data sets, appends every run to a
JSON-lines log, and the walkthrough reads the log back as a heatmap of test
accuracy and a picture of loss curves by learning rate.

Run it: ``python -m demos.hyperparameters [--out DIR] [--quick]``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict

from demos._common import pyplot, save_figure, say
from demos._lesson import Lesson
from nn import sweep

ORDER = 12
SUMMARY = ("nn.sweep over lr x width x depth x activation x init on moons and spirals:"
           " JSON log, heatmap, loss curves")

lesson = Lesson("hyperparameters")

# %% [markdown]
# # Hyperparameters: a sweep, a tracked log, and what the numbers say
#
# The weights are what training finds. Everything decided before training
# starts (the learning rate, how wide and how deep the network is, which
# activation, how the weights are first drawn) is a *hyperparameter*, and the
# same data can be learned well or badly depending on them.
#
# There is no formula for the right choice, so people try combinations and
# keep records. `nn.sweep(grid, log=...)` does both: it trains one small MLP
# for every combination in a grid (spread over local processes, or any
# executor you pass), and appends each run to a JSON-lines file, one line per
# run, so the results outlive the session and can be compared later.

# %%
def grid(quick: bool) -> dict:
    """The settings to try (fewer with --quick)."""
    if quick:
        return {"lr": [0.03, 0.3], "hidden": [[4], [4, 4]], "activation": ["relu", "tanh"],
                "init": ["he_uniform"], "dataset": ["moons", "spirals"], "steps": [8]}
    return {"lr": [0.01, 0.03, 0.1, 0.3], "hidden": [[4], [8], [8, 8]], "activation": ["relu", "tanh"],
            "init": ["xavier_uniform", "he_uniform"], "dataset": ["moons", "spirals"], "steps": [40]}


def column(r: dict) -> str:
    """A run's architecture, as a heatmap column label."""
    return f"{'x'.join(map(str, r['hidden']))} {r['activation']}"


def heatmap(records: list, dataset: str) -> tuple:
    """Mean final test accuracy per (lr, architecture) on one data set."""
    cells = defaultdict(list)
    for r in records:
        if r["dataset"] == dataset:
            cells[(r["lr"], column(r))].append(r["test_accuracy"])
    lrs = sorted({k[0] for k in cells})
    cols = sorted({k[1] for k in cells})
    return lrs, cols, [[sum(cells[(lr, c)]) / len(cells[(lr, c)]) for c in cols] for lr in lrs]


def print_table(dataset: str, lrs: list, cols: list, table: list) -> None:
    """One heatmap as text: learning rates down, architectures across."""
    print(f"{dataset}: mean final test accuracy")
    print(f"  {'lr':>6}  " + "  ".join(f"{c:>11}" for c in cols))
    for lr, row in zip(lrs, table):
        print(f"  {lr:>6g}  " + "  ".join(f"{v:>11.2f}" for v in row))
    print()


def plot_heatmaps(records: list, path):
    """Final test accuracy per (lr, architecture), one panel per data set."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for ax, d in zip(axes, ("moons", "spirals")):
        lrs, cols, table = heatmap(records, d)
        im = ax.imshow(table, vmin=0.0, vmax=1.0, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
        ax.set_yticks(range(len(lrs)), lrs)
        ax.set_xlabel("hidden widths, activation")
        ax.set_ylabel("learning rate")
        ax.set_title(d)
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
    fig.colorbar(im, ax=axes, label="final test accuracy")
    return save_figure(fig, path, title="Final test accuracy", layout=False)


def plot_losses(records: list, path):
    """Every moons run's training loss, coloured by its learning rate."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    palette = ("tab:blue", "tab:green", "tab:orange", "tab:red")
    colours = dict(zip(sorted({r["lr"] for r in records}), palette))
    for r in records:
        if r["dataset"] == "moons":
            ax.plot(r["loss"], color=colours[r["lr"]], alpha=0.5)
    for lr, c in colours.items():
        ax.plot([], [], color=c, label=f"lr = {lr}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (hinge)")
    ax.legend()
    ax.set_title("moons")
    return save_figure(fig, path, title="Loss curves by learning rate")


# %% [markdown]
# ## The grid
#
# Every list in the grid is one hyperparameter's candidates; the sweep tries
# every combination, so the number of runs is the product of the list lengths.
# That product grows fast, which is why real sweeps sample instead of trying
# everything. (With `--quick` the grid is small and each run short.)

# %%
@lesson.step
def the_grid(run):
    """Show the grid and count its combinations."""
    settings = grid(run.quick)
    run.notes["grid"] = settings
    for name, choices in settings.items():
        print(f"  {name:<10} {choices}")
    sizes = [len(v) for v in settings.values()]
    print(f"\n{' x '.join(map(str, sizes))} = {math.prod(sizes)} combinations")


# %% [markdown]
# ## Running the sweep
#
# `sweep` returns the records in grid order and appends each finished run to
# the log as it goes. We start from an empty log, so the file should end up
# with exactly one line per run.

# %%
@lesson.step
def run_sweep(run):
    """Train every combination and write the log."""
    log = run.out / "runs.jsonl"
    log.unlink(missing_ok=True)
    records = sweep(run.notes["grid"], log=str(log))
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    say(f"{len(records)} runs; the log {log} has {len(logged)} JSON lines, one per run.")
    run.notes["log"] = log
    run.result.update(records=records, logged=logged)


# %% [markdown]
# ## What one run leaves behind
#
# Each line of the log is a plain dictionary: the settings that made the run,
# the seed, the accuracy on the training and the test points, and the loss
# after every epoch. Here are the first two lines (loss lists shortened).

# %%
@lesson.step
def the_log(run):
    """The first lines of the log, as a person would read them."""
    for line in run.notes["log"].read_text().splitlines()[:2]:
        record = json.loads(line)
        loss = record.pop("loss")
        record["loss"] = [round(x, 4) for x in loss[:3]] + ["..."] + [round(loss[-1], 4)]
        print(json.dumps(record))


# %% [markdown]
# ## The best run on each data set
#
# The run with the highest test accuracy, per data set. The test points were
# not used for training, so this is a fair score for the run, though picking
# the best of many runs by it flatters the winner a little.

# %%
@lesson.step
def best_runs(run):
    """The run with the highest test accuracy on each data set."""
    records = run.result["records"]
    best = {d: max((r for r in records if r["dataset"] == d), key=lambda r: r["test_accuracy"])
            for d in ("moons", "spirals")}
    for d, r in best.items():
        print(f"best on {d}: lr={r['lr']} hidden={r['hidden']} {r['activation']} {r['init']}"
              f" -> test accuracy {r['test_accuracy']:.2f}")
    run.result["best"] = best


# %% [markdown]
# ## The whole table
#
# One cell per learning rate and architecture, averaged over the
# initialisations. Reading across a row compares architectures at one
# learning rate; reading down a column shows how sensitive one architecture is
# to its learning rate. The spirals are the harder problem, and the scores
# show it.

# %%
@lesson.step
def accuracy_table(run):
    """Mean test accuracy per learning rate and architecture, as text and as a heatmap."""
    records = run.result["records"]
    for d in ("moons", "spirals"):
        print_table(d, *heatmap(records, d))
    run.keep(plot_heatmaps(records, run.out / "accuracy_heatmap.png"))


# %% [markdown]
# ## Loss curves by learning rate
#
# Each curve is one run on the moons, coloured by its learning rate. With only
# a few epochs the larger learning rate gets further down in the same number
# of steps; with too large a rate a curve would jump about instead.

# %%
@lesson.step
def loss_curves(run):
    """Mean final loss per learning rate on the moons, and every curve drawn."""
    records = run.result["records"]
    for lr in sorted({r["lr"] for r in records}):
        final = [r["loss"][-1] for r in records if r["lr"] == lr and r["dataset"] == "moons"]
        print(f"  lr = {lr:<5g} mean final training loss on the moons {sum(final) / len(final):.3f}"
              f" over {len(final)} runs")
    run.keep(plot_losses(records, run.out / "loss_by_lr.png"))


# %% [markdown]
# ## What was drawn
#
# The files this run wrote (the log `runs.jsonl` sits beside them).

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
