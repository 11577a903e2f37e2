"""What the trace, tape and resource tests share: eager references and memory readings."""

from __future__ import annotations

from engine import Value


def eager(fn, params, *inputs):
    """fn's output, the params' grads and the inputs' grads, computed eagerly."""
    leaves = [Value(float(x)) for x in inputs]
    for p in params:
        p.grad = 0.0
    out = fn(*leaves)
    out.backward()
    return out.data, [p.grad for p in params], [v.grad for v in leaves]


def replayed(t, params, *inputs):
    """The same three things from a trace ``t`` replayed on ``inputs``."""
    for p in params:
        p.grad = 0.0
    out = t(*inputs)
    return out, [p.grad for p in params], list(t.input_grads)


def rss_bytes() -> int:
    """Resident memory of this process (Linux), 0 where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    except OSError:  # pragma: no cover - not Linux
        return 0
