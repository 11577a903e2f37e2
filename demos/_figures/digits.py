"""The pictures of ``demos/digits.py``: sample digits, learning curves, the confusion matrix, the mistakes.

The walkthrough computes the numbers; these functions only draw them and return the file they wrote.
``image`` lays a flat 64-pixel row out as its 8 x 8 grid, for these pictures and for the walkthrough's
printout of one digit.
"""

from __future__ import annotations

from pathlib import Path

from demos import _plots
from demos._common import pyplot


def image(x: list[float]) -> list[list[float]]:
    """A flat 64-pixel row as an 8 x 8 grid."""
    return [x[r * 8:(r + 1) * 8] for r in range(8)]


def plot_examples(X: list, y: list[int], out: Path, count: int = 30) -> Path:
    """The first ``count`` digits of the dataset with their labels."""
    plt = pyplot()
    rows = 3 if count >= 30 else 1
    cols = (count + rows - 1) // rows
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.9 + 0.4, rows * 0.95 + 0.45),
                             squeeze=False, layout="constrained")
    for ax, x, t in zip(axes.flat, X, y):
        ax.imshow(image(x), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(str(t), fontsize=10)
        ax.axis("off")
    return _plots.save(fig, out, "examples.png", title="Handwritten digits: 64 numbers each")


def plot_curves(record: dict, out: Path) -> Path:
    """Training loss and test accuracy per epoch."""
    fig, (left, right) = _plots.figure(2, size=(5.2, 3.8))
    _plots.curves(left, {"training loss": record["loss"]}, title="Cross-entropy (training)",
                  xlabel="epoch", start=1, log=True)
    _plots.curves(right, {"test accuracy": [100 * a for a in record["test_accuracy"]]},
                  title="Accuracy on unseen digits", xlabel="epoch", ylabel="accuracy (%)",
                  start=1)
    right.axhline(95, color="#999999", linestyle=":", linewidth=1.2, label="95% target")
    right.legend(fontsize=9)
    return _plots.save(fig, out, "training.png", title="Learning the digits")


def plot_confusion(table: list[list[int]], out: Path) -> Path:
    """The confusion matrix as a heat map with every count written in."""
    fig, (ax,) = _plots.figure(1, size=(6.0, 5.4))
    image_ = ax.imshow(table, cmap="Blues")
    top = max(max(row) for row in table)
    for t in range(10):
        for p in range(10):
            if table[t][p]:
                ax.text(p, t, str(table[t][p]), ha="center", va="center", fontsize=9,
                        color="white" if table[t][p] > top / 2 else "black",
                        fontweight="bold" if t != p else "normal")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    fig.colorbar(image_, ax=ax, fraction=0.046, pad=0.04, label="test digits")
    right = sum(table[i][i] for i in range(10))
    total = sum(map(sum, table))
    ax.set_title(f"Confusion matrix: {right} of {total} test digits right")
    return _plots.save(fig, out, "confusion_matrix.png")


def plot_mistakes(X: list, y: list[int], predictions: list[tuple[int, float]], out: Path,
                  limit: int = 24) -> Path:
    """The misclassified test digits, with the true and the predicted label."""
    wrong = [i for i, ((p, _), t) in enumerate(zip(predictions, y)) if p != t][:limit]
    plt = pyplot()
    cols = 8
    rows = max(1, (len(wrong) + cols - 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.25, rows * 1.55 + 0.5),
                             squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        p, prob = predictions[i]
        ax.imshow(image(X[i]), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{y[i]} → {p} ({prob:.0%})", fontsize=9, color="#B2182B")
    title = (f"Test digits it got wrong: true → predicted (confidence), "
             f"{len(wrong)} shown" if wrong else "No test digit was misclassified")
    return _plots.save(fig, out, "mistakes.png", title=title)
