"""Fault injection for ``nn.save`` and ``nn.load``: nothing saved is ever lost or half-loaded.

* Every write boundary of ``save`` (make the temporary file, open it, write, write half,
  flush, fsync, close, rename) is made to fail in turn - with an ``OSError`` (disk full),
  with ``KeyboardInterrupt``, and as a hard crash of a child process (``os._exit``). The
  file saved before must be byte-for-byte intact and loadable; no temporary file may be
  left behind (except after a hard crash, when nothing can clean up).
* Every truncation and every single-bit flip of a saved file either loads the very same
  model or raises ``ValueError``: never another exception, never a different model.
* Oversized, endless or deeply nested input is refused quickly without exhausting memory.
"""

from __future__ import annotations

import errno
import json
import math
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

import nn.serialize as serialize
from nn import MLP, load, save

BOUNDARIES = ["mkstemp", "fdopen", "write", "write-half", "flush", "fsync", "close", "replace"]
REPO = Path(__file__).resolve().parent.parent


class Boundary(Exception):
    """Raised by a patched call in place of the real fault, to say which one was reached."""


class _File:
    """A text file whose write/flush/close can be made to fail, forwarding everything else."""

    def __init__(self, real, faults: "Faults") -> None:
        self.real, self.faults = real, faults

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, text: str) -> int:
        self.faults.reach("write")
        if self.faults.fail_at == "write-half":
            self.real.write(text[:len(text) // 2])
            self.real.flush()
            self.faults.reach("write-half")
        return self.real.write(text)

    def flush(self) -> None:
        self.faults.reach("flush")
        self.real.flush()

    def close(self) -> None:
        self.real.close()  # a failing close (NFS, full quota) reports after the descriptor is gone
        self.faults.reach("close")

    def fileno(self) -> int:
        return self.real.fileno()


class Faults:
    """Patches the calls ``nn.save`` makes; the one named ``fail_at`` raises ``error``."""

    def __init__(self, monkeypatch, fail_at=None, error=None) -> None:
        self.fail_at, self.error, self.reached = fail_at, error, []
        real_mkstemp, real_fdopen = serialize.tempfile.mkstemp, serialize.os.fdopen
        real_fsync, real_replace = serialize.os.fsync, serialize.os.replace

        def mkstemp(*args, **kwargs):
            self.reach("mkstemp")
            return real_mkstemp(*args, **kwargs)

        def fdopen(*args, **kwargs):
            self.reach("fdopen")
            return _File(real_fdopen(*args, **kwargs), self)

        def fsync(fd):
            self.reach("fsync")
            return real_fsync(fd)

        def replace(src, dst):
            self.reach("replace")
            return real_replace(src, dst)

        monkeypatch.setattr(serialize.tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(serialize.os, "fdopen", fdopen)
        monkeypatch.setattr(serialize.os, "fsync", fsync)
        monkeypatch.setattr(serialize.os, "replace", replace)

    def reach(self, name: str) -> None:
        if self.reached and self.reached[-1] == self.fail_at:
            return  # already failed: the clean-up (closing the file) is not a new boundary
        self.reached.append(name)
        if name == self.fail_at:
            raise self.error


OLD, NEW = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=7)


def test_a_normal_save_passes_every_boundary_in_order(tmp_path, monkeypatch):
    faults = Faults(monkeypatch)
    save(OLD, tmp_path / "m.json")
    assert faults.reached == [b for b in BOUNDARIES if b != "write-half"]
    assert load(tmp_path / "m.json").state_dict() == OLD.state_dict()


ERRORS = {"disk-full": OSError(errno.ENOSPC, "No space left on device"),
          "ctrl-c": KeyboardInterrupt()}


@pytest.mark.parametrize("error", ERRORS, ids=list(ERRORS))
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("previous", [True, False], ids=["overwrite", "new-file"])
def test_a_save_interrupted_at_any_boundary_loses_nothing(tmp_path, monkeypatch, boundary, error,
                                                          previous):
    path = tmp_path / "m.json"
    if previous:
        save(OLD, path)
    before = path.read_bytes() if previous else None
    faults = Faults(monkeypatch, boundary, ERRORS[error])
    with pytest.raises(type(ERRORS[error])):
        save(NEW, path)
    assert faults.reached[-1] == boundary  # the fault really happened there
    monkeypatch.undo()
    assert os.listdir(tmp_path) == (["m.json"] if previous else [])  # no temporary file left
    if previous:
        assert path.read_bytes() == before
        assert load(path).state_dict() == OLD.state_dict()
    save(NEW, path)  # and the next save works
    assert load(path).state_dict() == NEW.state_dict()


CRASH = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, sys.argv[3])
    import nn.serialize as s
    from nn import MLP, save
    where = sys.argv[2]
    def die(*a, **k):
        os._exit(3)
    real_fdopen = s.os.fdopen
    class F:
        def __init__(self, f): self.f = f
        def __enter__(self): return self
        def __exit__(self, *e): self.close()
        def write(self, t):
            if where == "write": die()
            if where == "write-half": self.f.write(t[:len(t) // 2]); self.f.flush(); die()
            return self.f.write(t)
        def flush(self):
            if where == "flush": die()
            self.f.flush()
        def close(self):
            if where == "close": die()
            self.f.close()
        def fileno(self): return self.f.fileno()
    if where == "mkstemp": s.tempfile.mkstemp = die
    if where == "fdopen": s.os.fdopen = die
    else: s.os.fdopen = lambda *a, **k: F(real_fdopen(*a, **k))
    if where == "fsync": s.os.fsync = die
    if where == "replace": s.os.replace = die
    save(MLP(2, [3, 1], seed=7), sys.argv[1])
""")


@pytest.mark.slow
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_a_process_killed_at_any_boundary_leaves_the_previous_file_loadable(tmp_path, boundary):
    path = tmp_path / "m.json"
    save(OLD, path)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-c", CRASH, str(path), boundary, str(REPO)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr  # it died at the boundary, not before
    assert path.read_bytes() == before
    assert load(path).state_dict() == OLD.state_dict()
    leftovers = sorted(set(os.listdir(tmp_path)) - {"m.json"})
    assert all(name.startswith(".m.json.") and name.endswith(".tmp") for name in leftovers)


# --- damaged files ---------------------------------------------------------------------------

SMALL = MLP(2, [2, 1], activation="tanh", seed=3)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> bytes:
    return save(SMALL, tmp_path_factory.mktemp("saved") / "m.json").read_bytes()


def load_bytes(tmp_path, data: bytes):
    path = tmp_path / "damaged.json"
    path.write_bytes(data)
    return load(path)


def test_every_truncation_is_refused(tmp_path, saved):
    path = tmp_path / "cut.json"
    path.write_bytes(saved)
    for cut in reversed(range(len(saved))):
        os.truncate(path, cut)
        with pytest.raises(ValueError) as info:
            load(path)
        assert type(info.value) is ValueError


@pytest.mark.slow
def test_every_single_bit_flip_is_refused_or_harmless(tmp_path, saved):
    refused = harmless = 0
    path = tmp_path / "flipped.json"
    path.write_bytes(saved)
    fd = os.open(path, os.O_WRONLY)  # flip one byte in place (rewriting the file is 20x slower)
    try:
        for i in range(len(saved)):
            for bit in range(8):
                os.pwrite(fd, bytes([saved[i] ^ (1 << bit)]), i)
                try:
                    model = load(path)
                except ValueError as error:
                    assert type(error) is ValueError, repr(error)  # not a stray UnicodeDecodeError
                    refused += 1
                    continue
                finally:
                    os.pwrite(fd, saved[i:i + 1], i)
                # Still loads: then it must be exactly the saved model (whitespace, 'e' vs 'E').
                assert serialize.architecture(model) == serialize.architecture(SMALL), (i, bit)
                assert model.state_dict() == SMALL.state_dict(), (i, bit)
                harmless += 1
    finally:
        os.close(fd)
    assert refused > 0.9 * 8 * len(saved)
    print(f"{refused} bit flips refused, {harmless} harmless")


def test_a_changed_weight_that_is_still_valid_json_is_caught(tmp_path, saved):
    doc = json.loads(saved)
    name = next(iter(doc["parameters"]))
    doc["parameters"][name] += 0.5  # a plausible number: only an integrity check can tell
    with pytest.raises(ValueError, match="checksum"):
        load_bytes(tmp_path, json.dumps(doc, indent=1).encode())
    del doc["sha256"]  # hand-edited files may drop the checksum and load as written
    assert load_bytes(tmp_path, json.dumps(doc).encode()).state_dict()[name] == doc["parameters"][name]


def test_an_integer_too_big_for_a_float_in_the_file_is_a_value_error(tmp_path, saved):
    # regression: a 400-digit integer as a weight escaped load() as OverflowError
    doc = json.loads(saved)
    del doc["sha256"]
    doc["parameters"]["layers.0.neurons.0.b"] = 10 ** 400
    with pytest.raises(ValueError, match="is not finite"):
        load_bytes(tmp_path, json.dumps(doc).encode())


@pytest.mark.parametrize("key, junk", [("type", []), ("type", {}), ("init", ["he_normal"]),
                                       ("activation", {"a": 1}), ("nouts", [[1]]), ("nin", 10 ** 20)])
def test_junk_in_the_architecture_is_a_value_error(tmp_path, saved, key, junk):
    # found by the mutation fuzz below: a list as "type" raised TypeError (unhashable)
    doc = json.loads(saved)
    doc["architecture"][key] = junk
    del doc["sha256"]
    with pytest.raises(ValueError) as info:
        load_bytes(tmp_path, json.dumps(doc).encode())
    assert type(info.value) is ValueError


def test_unknown_top_level_keys_are_refused(tmp_path, saved):
    doc = json.loads(saved)
    doc["sha265"] = doc.pop("sha256")  # a damaged key must not switch the check off silently
    with pytest.raises(ValueError, match="unexpected key 'sha265'"):
        load_bytes(tmp_path, json.dumps(doc).encode())


# --- oversized and hostile files ------------------------------------------------------------


def bounded(call, *, seconds: float = 2.0, megabytes: float = 20.0):
    """Run ``call``; it must raise ValueError quickly with a small memory peak."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as info:
            call()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"{elapsed:.2f}s"
    assert peak < megabytes, f"{peak:.1f} MB"
    return str(info.value)


def test_an_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(serialize.MAX_FILE_BYTES + 1)  # sparse: no disk used
    assert "larger than" in bounded(lambda: load(path))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_file_is_refused_after_the_size_limit():
    message = bounded(lambda: load("/dev/zero"), megabytes=3 * serialize.MAX_FILE_BYTES / 1e6)
    assert "larger than" in message


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000,
                                  "[" * 5_000_000])
def test_deeply_nested_json_is_refused(tmp_path, text):
    path = tmp_path / "deep.json"
    path.write_text(text)
    message = bounded(lambda: load(path), megabytes=60)
    assert "nested too deeply" in message or "not valid JSON" in message


@pytest.mark.parametrize("nouts", [[10 ** 8], [10 ** 4, 10 ** 4], [1] * 10 ** 5])
def test_an_architecture_far_bigger_than_its_parameters_is_refused_before_building(tmp_path, nouts):
    arch = {"type": "MLP", "nin": 2, "nouts": nouts, "activation": "relu",
            "output_activation": "linear", "init": None, "bias": True, "fused": True}
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"format": serialize.FORMAT, "version": serialize.VERSION,
                                "architecture": arch, "parameters": {}}))
    assert "parameters" in bounded(lambda: load(path))


# --- fuzzed documents ----------------------------------------------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 20, 10 ** 20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.just([]) | st.just({}),
    lambda inner: st.lists(inner, min_size=1, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, min_size=1, max_size=4),
    max_leaves=12)
FUZZ = settings(max_examples=max(300, settings.default.max_examples),
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _paths(doc, prefix=()):
    """Every (path, value) inside a JSON document."""
    yield prefix, doc
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, prefix + (i,))


def _load_text(tmp_path, text: str):
    path = tmp_path / "fuzzed.json"
    path.write_text(text, encoding="utf-8")
    return load(path)


@FUZZ
@given(doc=JSON)
@example(doc={"format": serialize.FORMAT, "version": 1})
@example(doc={"format": serialize.FORMAT, "version": True, "architecture": {}, "parameters": {}})
def test_any_json_document_is_refused_with_a_value_error(tmp_path, doc):
    try:
        _load_text(tmp_path, json.dumps(doc))
    except ValueError as error:
        assert type(error) is ValueError
    else:  # pragma: no cover - a random document is never a model
        pytest.fail(f"loaded a model from {doc!r}")


@FUZZ
@given(data=st.data(), keep_checksum=st.booleans())
def test_a_mutated_model_file_is_refused_or_complete(tmp_path, saved, data, keep_checksum):
    doc = json.loads(saved)
    if not keep_checksum:
        del doc["sha256"]  # a hand-edited file: no integrity check, every other check still holds
    paths = [p for p, _ in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths), label="path")
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON, label="value")
    try:
        model = _load_text(tmp_path, json.dumps(doc))
    except ValueError as error:
        assert type(error) is ValueError
        return
    state = model.state_dict()
    assert all(math.isfinite(x) for x in state.values())
    assert list(state) == [name for name, _ in model.named_parameters()]
    if keep_checksum:  # anything that loads with a checksum is the saved model itself
        assert state == SMALL.state_dict()
        assert serialize.architecture(model) == serialize.architecture(SMALL)


def test_concurrent_saves_and_loads_never_see_a_partial_file(tmp_path):
    import threading
    path = tmp_path / "m.json"
    save(OLD, path)
    models = [MLP(2, [3, 1], seed=k) for k in range(4)]
    states = [m.state_dict() for m in models]
    stop, errors, loads = threading.Event(), [], [0]

    def writer(model):
        try:
            for _ in range(15):
                save(model, path)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def reader():
        while not stop.is_set():
            try:
                state = load(path).state_dict()
                if state != OLD.state_dict() and state not in states:
                    raise AssertionError("loaded a model that nobody saved")
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
                return
            loads[0] += 1

    threads = [threading.Thread(target=writer, args=(m,)) for m in models]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stop.set()
    watcher.join(60)
    assert not errors, errors[:3]
    assert loads[0] > 0 and load(path).state_dict() in states
    assert os.listdir(tmp_path) == ["m.json"]  # every temporary file was renamed away
