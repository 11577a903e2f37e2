"""Run one small training per combination of settings, locally or on any executor.

``nn.sweep(grid)`` trains an MLP for every combination of the values in
``grid`` and returns one record per run: the settings, the final train and
test accuracy and the loss curve. Runs go to local processes by default, or
to any executor with ``submit``/``result`` (``concurrent.futures`` or a
``dask.distributed.Client``). With ``log=PATH`` each finished run is appended
to PATH as one JSON line.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence

DATASETS = ("moons", "spirals", "circles", "xor")
DEFAULTS: Dict[str, Any] = {"lr": 0.1, "hidden": [8], "activation": "relu", "init": None,
                            "dataset": "moons", "steps": 30, "seed": 0}


def _check_grid(grid: object) -> List[Dict[str, Any]]:
    """Validate ``grid`` and expand it into the list of configurations."""
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a dict of setting -> list of values, got {type(grid).__name__}")
    for key in ("lr", "hidden"):
        if key not in grid:
            raise ValueError(f"grid needs a {key!r} key (a list of values), got keys {sorted(grid)}")
    for key, values in grid.items():
        if key not in DEFAULTS:
            raise ValueError(f"unknown sweep setting {key!r}; expected one of {sorted(DEFAULTS)}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
    for widths in grid["hidden"]:
        if (not isinstance(widths, Sequence) or not widths
                or not all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in widths)):
            raise ValueError(f"each 'hidden' value must be a non-empty list of positive widths, "
                             f"got {widths!r}")
    for name in grid.get("dataset", []):
        if name not in DATASETS:
            raise ValueError(f"unknown dataset {name!r}; expected one of {list(DATASETS)}")
    keys = list(grid)
    return [{**DEFAULTS, **dict(zip(keys, combo))}
            for combo in itertools.product(*(grid[k] for k in keys))]


def _data(name: str, seed: int):
    """The named toy data set, split 75/25."""
    from . import data
    makers = {"moons": lambda: data.make_moons(80, noise=0.15, seed=seed),
              "spirals": lambda: data.make_spirals(80, k=2, noise=0.1, seed=seed),
              "circles": lambda: data.make_circles(80, seed=seed),
              "xor": lambda: data.make_xor(80, seed=seed)}
    X, y = makers[name]()
    return data.train_test_split(X, y, seed=seed)


def run_one(config: Dict[str, Any]) -> Dict[str, Any]:
    """Train one MLP with the settings in ``config``; return its record."""
    from .module import MLP
    from .train import accuracy, fit
    X_tr, X_te, y_tr, y_te = _data(config["dataset"], config["seed"])
    model = MLP(2, [*config["hidden"], 1], activation=config["activation"],
                init=config["init"], seed=config["seed"])
    history = fit(model, X_tr, y_tr, loss="hinge", lr=config["lr"], epochs=config["steps"],
                  progress=False, seed=config["seed"])
    return {**config, "hidden": list(config["hidden"]),
            "train_accuracy": accuracy(model, X_tr, y_tr), "test_accuracy": accuracy(model, X_te, y_te),
            "loss": list(history.loss)}


def _append(path: str, record: Dict[str, Any]) -> None:
    """Append one JSON line with a single write on an O_APPEND file (atomic for small lines)."""
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def sweep(grid: Mapping[str, Sequence[Any]], *, executor: Any = None, max_workers: int = 2,
          log: Optional[str] = None) -> List[Dict[str, Any]]:
    """Train one model per combination in ``grid``; return the records in grid order."""
    configs = _check_grid(grid)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must have a submit() method, got {type(executor).__name__}")
    own = executor is None
    if own:
        # imported here: the browser's Python (Pyodide) has no processes, and nn must import there
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(max_workers=max(1, min(int(max_workers), os.cpu_count() or 1)))
    try:
        futures = [executor.submit(run_one, c) for c in configs]
        records = []
        for future in futures:
            record = future.result()
            if log is not None:
                _append(log, record)
            records.append(record)
    finally:
        if own:
            executor.shutdown()
    return records
