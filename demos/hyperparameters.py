# %% [markdown]
# # Hyperparameters: a sweep, a tracked log, and what the numbers say
#
# Learning rate, width, depth, activation and initial weights all change how
# well the same network learns. `nn.sweep` trains one small MLP per combination
# (on local processes, or any executor) and appends each run to a JSON-lines log.

# %%
from __future__ import annotations

import json
from collections import defaultdict

from demos._common import options, pyplot, save_figure, say
from nn import sweep

ORDER = 12
SUMMARY = ("nn.sweep over lr x width x depth x activation x init on moons and spirals:"
           " JSON log, heatmap, loss curves")


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


# %%
def heatmap(records: list, dataset: str) -> tuple:
    """Mean final test accuracy per (lr, architecture) on one data set."""
    cells = defaultdict(list)
    for r in records:
        if r["dataset"] == dataset:
            cells[(r["lr"], column(r))].append(r["test_accuracy"])
    lrs = sorted({k[0] for k in cells}); cols = sorted({k[1] for k in cells})
    return lrs, cols, [[sum(cells[(lr, c)]) / len(cells[(lr, c)]) for c in cols] for lr in lrs]


# %% [markdown]
# ## Running the sweep
#
# The cell below trains every combination, writes the log and draws the heatmap and the loss curves.

# %%
def main(argv=None) -> dict:
    """Run the sweep; returns the records and the best run per data set."""
    opts = options("hyperparameters", argv)
    log = opts.out / "runs.jsonl"
    log.unlink(missing_ok=True)
    records = sweep(grid(opts.quick), log=str(log))
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    say(f"{len(records)} runs; the log {log} has {len(logged)} JSON lines, one per run.")
    best = {d: max((r for r in records if r["dataset"] == d), key=lambda r: r["test_accuracy"])
            for d in ("moons", "spirals")}
    for d, r in best.items():
        print(f"best on {d}: lr={r['lr']} hidden={r['hidden']} {r['activation']} {r['init']}"
              f" -> test accuracy {r['test_accuracy']:.2f}")
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for ax, d in zip(axes, ("moons", "spirals")):
        lrs, cols, table = heatmap(records, d)
        im = ax.imshow(table, vmin=0.0, vmax=1.0, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right"); ax.set_yticks(range(len(lrs)), lrs)
        ax.set_xlabel("hidden widths, activation"); ax.set_ylabel("learning rate"); ax.set_title(d)
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
    fig.colorbar(im, ax=axes, label="final test accuracy")
    print("Pictures written:")
    save_figure(fig, opts.out / "accuracy_heatmap.png", title="Final test accuracy", layout=False)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    palette = ("tab:blue", "tab:green", "tab:orange", "tab:red")
    colours = dict(zip(sorted({r["lr"] for r in records}), palette))
    for r in records:
        if r["dataset"] == "moons":
            ax.plot(r["loss"], color=colours[r["lr"]], alpha=0.5)
    for lr, c in colours.items():
        ax.plot([], [], color=c, label=f"lr = {lr}")
    ax.set_xlabel("epoch"); ax.set_ylabel("training loss (hinge)"); ax.legend(); ax.set_title("moons")
    save_figure(fig, opts.out / "loss_by_lr.png", title="Loss curves by learning rate")
    return {"records": records, "logged": logged, "best": best}


# %%
if __name__ == "__main__":
    main()
