"""Saving and loading models as JSON: a format tag, a version, the architecture, every parameter.

Never pickle: a saved model is plain text you can read, diff and load
without running anyone's code. The write is atomic: the JSON goes to a
temporary file in the same folder, is flushed to disk, then renamed over the
target, so a crash mid-save leaves the previous file intact. Loading checks
everything before building anything, and a bad file raises ``ValueError``;
it never returns a half-loaded model. A ``sha256`` of the architecture and
parameters catches damage that is still valid JSON (a flipped sign or digit);
a hand-edited file may drop that line and then loads as written. Files over
``MAX_FILE_BYTES``, or nested deeper than any model file, are refused unread.

>>> import tempfile, pathlib
>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
>>> _ = save(model, path)
>>> copy = load(path)
>>> copy([0.5, -1.0]).data == model([0.5, -1.0]).data
True
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Union

from .activations import ACTIVATIONS
from .init import AUTO_INIT, INITIALIZERS
from engine.numeric import isfinite

from .module import MLP, Layer, Module, Neuron

FORMAT = "chainrule.nn"
VERSION = 1
PathLike = Union[str, "os.PathLike[str]"]
MAX_FILE_BYTES = 32 * 1024 * 1024
"""Largest model file ``load`` reads (about 500,000 parameters); larger ones are refused."""
KEYS = ("format", "version", "architecture", "parameters", "sha256")


def _named(spec: object, table: dict, what: str, model: Module) -> str:
    if isinstance(spec, str) and spec in table:
        return spec
    raise ValueError(f"cannot save {type(model).__name__} with a custom {what} function "
                     f"({getattr(spec, '__name__', spec)!r}); only named ones can be saved: "
                     f"{', '.join(table)}")


def architecture(model: Module) -> dict:
    """The constructor arguments that rebuild ``model`` (MLP, Layer or Neuron).

    >>> architecture(MLP(2, [4, 1], seed=0))["type"]
    'MLP'
    """
    if isinstance(model, MLP):
        first = model.layers[0].neurons[0]
        arch = {"type": "MLP", "nin": model.nin, "nouts": list(model.nouts),
                "activation": _named(model.activation, ACTIVATIONS, "activation", model),
                "output_activation": _named(model.output_activation, ACTIVATIONS, "activation", model)}
    elif isinstance(model, Layer):
        first = model.neurons[0]
        arch = {"type": "Layer", "nin": model.nin, "nout": model.nout,
                "activation": _named(model.activation, ACTIVATIONS, "activation", model)}
    elif isinstance(model, Neuron):
        first = model
        arch = {"type": "Neuron", "nin": model.nin,
                "activation": _named(model.activation, ACTIVATIONS, "activation", model)}
    else:
        raise TypeError(f"save knows MLP, Layer and Neuron, got {type(model).__name__}")
    init = model.init
    arch["init"] = init if isinstance(init, str) and (init in INITIALIZERS or init == AUTO_INIT) else None
    arch["bias"] = first.b is not None
    arch["fused"] = model.fused
    return arch


def _check_arch(arch: object) -> Module:
    """Build a fresh model from an architecture dict, turning every problem into ValueError."""
    if not isinstance(arch, dict):
        raise ValueError(f"'architecture' must be an object, got {type(arch).__name__}")
    kinds = {"MLP": (MLP, ("nin", "nouts", "activation", "output_activation")),
             "Layer": (Layer, ("nin", "nout", "activation")),
             "Neuron": (Neuron, ("nin", "activation"))}
    kind = arch.get("type")
    if not isinstance(kind, str) or kind not in kinds:  # a list or dict here is not hashable
        raise ValueError(f"unknown architecture type {kind!r}; expected one of {', '.join(kinds)}")
    cls, positional = kinds[kind]
    expected = set(positional) | {"type", "init", "bias", "fused"}
    if set(arch) != expected:
        raise ValueError(f"{kind} architecture must have exactly the keys {sorted(expected)}, "
                         f"got {sorted(arch)}")
    args = [arch[name] for name in positional]
    if arch["init"] is not None and (not isinstance(arch["init"], str)
                                  or arch["init"] not in (*INITIALIZERS, AUTO_INIT)):
        raise ValueError(f"unknown init {arch['init']!r} in architecture")
    try:
        # The weights drawn here are all overwritten from the file.
        return cls(*args, init=arch["init"], bias=arch["bias"], fused=arch["fused"], seed=0)
    except (TypeError, ValueError) as err:
        raise ValueError(f"invalid {kind} architecture: {err}") from None


def save(model: Module, path: PathLike) -> Path:
    """Write ``model`` to ``path`` as JSON, atomically; return the path."""
    arch = architecture(model)
    params = {}
    for name, p in model.named_parameters():
        if not isfinite(p.data):
            raise ValueError(f"cannot save: parameter {name!r} is not finite ({p.data}); "
                             "JSON has no inf or nan, so the file could not be loaded back")
        params[name] = p.data
    text = json.dumps({"format": FORMAT, "version": VERSION, "architecture": arch,
                       "parameters": params, "sha256": _digest(arch, params)},
                      indent=1, allow_nan=False)
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def load(path: PathLike) -> Module:
    """Read a model saved by :func:`save`; any problem with the file raises ``ValueError``."""
    path = Path(path)
    regular = path.is_file()
    if regular and path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES); "
                         "not a chainrule model file, or a model too big for this library")
    with open(path, "rb") as f:  # bounded even for endless files such as /dev/zero
        data = f.read() if regular else f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not a chainrule model file (not UTF-8 text: {err})") from None
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError(f"{path} is nested too deeply to be a chainrule model file") from None
    except ValueError as err:
        raise ValueError(f"{path} is not valid JSON (truncated or corrupted?): {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path} is not a chainrule model file (expected format {FORMAT!r})")
    version = doc.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(f"{path} has format version {version!r}; this chainrule reads version {VERSION}")
    extra = [key for key in doc if key not in KEYS]
    if extra:
        raise ValueError(f"{path}: unexpected key {extra[0]!r} (a model file has {', '.join(KEYS)})")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise ValueError(f"{path}: 'parameters' must be an object of name -> number")
    arch = doc.get("architecture")
    count = _parameter_count(arch)
    if count is not None and count > 2 * len(params) + 1000:  # refuse before building it
        raise ValueError(f"{path}: the architecture makes {count} parameters but the file "
                         f"holds {len(params)}")
    model = _check_arch(arch)
    try:
        model.load_state_dict(params)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: parameters do not fit the architecture: {err}") from None
    if "sha256" in doc and doc["sha256"] != _digest(arch, params):
        raise ValueError(f"{path}: checksum does not match the contents - the file is damaged "
                         "(if you edited it by hand, delete the \"sha256\" line to load it)")
    return model


def _digest(arch: Any, params: Any) -> str:
    """SHA-256 of the architecture and parameters in one canonical JSON spelling."""
    canonical = json.dumps([arch, params], sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _parameter_count(arch: Any) -> Optional[int]:
    """How many parameters an architecture dict makes, or None if its sizes are not plain."""
    if not isinstance(arch, dict):
        return None
    widths = arch.get("nouts") if arch.get("type") == "MLP" else [arch.get("nout", 1)]
    sizes: List[Any] = [arch.get("nin")] + (list(widths) if isinstance(widths, list) else [None])
    if not all(type(n) is int and n > 0 for n in sizes):
        return None
    bias = arch.get("bias") is True
    return sum((sizes[k] + bias) * sizes[k + 1] for k in range(len(sizes) - 1))


def _no_constants(name: str) -> float:
    raise ValueError(f"non-finite number {name} in model file")


__all__ = ["save", "load", "architecture", "FORMAT", "VERSION"]
