"""The drawing code of the tracing walkthrough (``demos/tracing.py``).

The walkthrough times the training steps; ``bar_chart`` only draws the times it measured.
"""

from __future__ import annotations

from demos._common import pyplot, save_figure


def bar_chart(ms: dict, out):
    """Milliseconds per training step: linear bars from zero, each labelled with its time and speed-up."""
    plt = pyplot()
    names = list(ms)
    slowest = max(ms.values())
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    bars = ax.barh(names, [ms[n] for n in names], color=["#8da0cb", "#66c2a5", "#fc8d62"][:len(names)])
    ax.set_xlim(0, slowest * 1.45)
    ax.set_xlabel("milliseconds per training step (lower is better)")
    for bar, name in zip(bars, names):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {ms[name]:.1f} ms ({slowest / ms[name]:.1f}× faster)" if ms[name] < slowest
                else f" {ms[name]:.1f} ms", va="center")
    ax.set_title("one SGD step on the moons, MLP(2, [16, 16, 1])")
    return save_figure(fig, out / "timings.png")
