"""engine.no_grad / enable_grad / detect_anomaly: per-thread switches."""

import math
import threading

import pytest

import engine
from engine import AnomalyError, Value, detect_anomaly, enable_grad, no_grad


def recorded(v: Value) -> bool:
    return v.op is not None and bool(v.inputs)


def test_no_grad_records_no_graph_but_computes_numbers():
    a = Value(2.0, label="a")
    with no_grad():
        assert not engine.is_grad_enabled()
        b = (a * 3.0).tanh()
        s = engine.dot([a], [a], 1.0)
    assert engine.is_grad_enabled()
    assert b.data == math.tanh(6.0) and not recorded(b) and b.is_leaf and b.local == ()
    assert s.data == 5.0 and not recorded(s)
    assert recorded(a * 3.0)


def test_nesting_and_enable_grad_restore_state():
    with no_grad():
        with no_grad():
            pass
        assert not engine.is_grad_enabled()
        with enable_grad():
            assert engine.is_grad_enabled() and recorded(Value(1.0) + 1)
        assert not recorded(Value(1.0) + 1)
    assert engine.is_grad_enabled() and recorded(Value(1.0) + 1)


def test_state_is_restored_after_an_exception():
    with pytest.raises(RuntimeError):
        with no_grad(), detect_anomaly():
            raise RuntimeError("boom")
    assert engine.is_grad_enabled() and not engine.is_anomaly_enabled()
    assert recorded(Value(1.0) * 2)


def test_no_grad_in_one_thread_does_not_affect_another():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with no_grad():
            inside.set()
            seen["worker"] = recorded(Value(1.0) * 2)
            done.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    seen["main"] = recorded(Value(1.0) * 2) and engine.is_grad_enabled()
    done.set()
    t.join(5)
    assert seen == {"worker": False, "main": True}


def test_a_thread_started_inside_no_grad_records_normally():
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(recorded(Value(1.0) * 2)))
        t.start()
        t.join(5)
    assert seen == [True]


# --- detect_anomaly ---------------------------------------------------------------------------


def test_forward_anomaly_names_op_and_labels():
    x = Value(0.0, label="x")
    with detect_anomaly():
        assert engine.is_anomaly_enabled()
        with pytest.raises(AnomalyError, match=r"^log of x=0 gave -inf \(forward pass\)$"):
            x.log()
        with pytest.raises(AnomalyError, match=r"div of num=1, x=0 gave inf"):
            Value(1.0, label="num") / x
        with pytest.raises(AnomalyError, match=r"pow_const of x=0 \(setting -1.0\) gave inf"):
            x ** -1
        with pytest.raises(AnomalyError, match="leaf bad was created with non-finite data nan"):
            Value(math.nan, label="bad")
    assert x.log().data == -math.inf  # outside the block: plain IEEE results


def test_backward_anomaly_names_op_node_and_input():
    x = Value(0.0, label="x")
    y = x.sqrt()  # finite forward (0), infinite local derivative
    y.label = "y"
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"non-finite gradient inf flowed from the sqrt node "
                                               r"'y' into 'x'.*backward pass"):
            y.backward()
        with pytest.raises(AnomalyError, match="sqrt node 'y'"):
            list(y.backward_steps())
    y.backward()
    assert x.grad == math.inf


def test_anomaly_checks_ignore_constants_and_finite_graphs():
    with detect_anomaly():
        a = Value(2.0, label="a")
        out = (a * 3 + 1).tanh()
        out.backward()
        assert recorded(out) and math.isfinite(a.grad)
        x = Value(1e200, label="x")
        root = (x * 1e-200) * 1e200
        root.backward()  # the constant 1e-200 receives 1e200 * 1e200 = inf: nobody needs it
    assert x.grad == pytest.approx(1.0) and root.inputs[0].inputs[1].grad == math.inf


def test_anomaly_is_per_thread():
    seen = []
    with detect_anomaly():
        t = threading.Thread(target=lambda: seen.append(Value(0.0).log().data))
        t.start()
        t.join(5)
    assert seen == [-math.inf]


def test_anomaly_error_is_a_floating_point_error():
    assert issubclass(AnomalyError, FloatingPointError)


EDGE_INPUTS = [0.0, -0.0, 1.0, -2.0, 1000.0, -1000.0, 1e308, -1e308, 1e-320]


@pytest.mark.parametrize("name", [n for n, op in engine.RULES.items() if op.builtin])
def test_every_op_under_no_grad_and_detect_anomaly(name):
    op = engine.RULES[name]
    n = op.arity or 3
    for attr in op.attrs or (None,):
        for xs in [[x] * n for x in EDGE_INPUTS] + [EDGE_INPUTS[i:i + n] for i in range(6)]:
            recorded_out = engine.apply(op, xs, attr)
            with no_grad():
                plain = engine.apply(op, xs, attr)
            assert plain.is_leaf and plain.data == pytest.approx(recorded_out.data, nan_ok=True)
            with detect_anomaly():
                try:
                    out = engine.apply(op, [Value(x, label=f"in{i}") for i, x in enumerate(xs)], attr)
                except AnomalyError as error:
                    assert not math.isfinite(recorded_out.data)
                    assert str(error).startswith(f"{name} of in0=") and "(forward pass)" in str(error)
                else:
                    assert math.isfinite(out.data) and recorded(out)
