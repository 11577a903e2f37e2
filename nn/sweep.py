"""Hyperparameter sweeps: train one small MLP per point of a grid, locally or on any executor."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .data import make_circles, make_moons, make_spirals, make_xor
from .module import MLP
from .train import fit

DATASETS: Dict[str, Callable] = {"moons": make_moons, "spirals": make_spirals,
                                 "circles": make_circles, "xor": make_xor}
DEFAULTS: Dict[str, Any] = {"dataset": "moons", "n": 100, "activation": "relu", "init": "he_uniform",
                            "epochs": 30, "loss": "hinge", "optimizer": None, "seed": 0}
REQUIRED = ("lr", "hidden")


def expand(grid: Mapping[str, Sequence]) -> List[Dict[str, Any]]:
    """Every combination of a grid's lists, as one settings dict each (defaults filled in)."""
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must map setting names to lists of values, got {type(grid).__name__}")
    missing = [k for k in REQUIRED if k not in grid]
    if missing:
        raise ValueError(f"grid needs the keys {list(REQUIRED)}; missing {missing}")
    unknown = sorted(set(grid) - set(REQUIRED) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown grid keys {unknown}; expected some of {sorted(set(REQUIRED) | set(DEFAULTS))}")
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise TypeError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
    keys = list(grid)
    return [{**DEFAULTS, **dict(zip(keys, combo))} for combo in itertools.product(*grid.values())]


def run_one(config: Mapping[str, Any]) -> Dict[str, Any]:
    """Train one configuration and return its record: the settings, losses, final accuracy, seconds."""
    if config["dataset"] not in DATASETS:
        raise ValueError(f"unknown dataset {config['dataset']!r}; expected one of {sorted(DATASETS)}")
    X, y = DATASETS[config["dataset"]](config["n"], seed=config["seed"])
    classes = len(set(y))
    loss = config["loss"] if classes == 2 else "cross_entropy"
    model = MLP(len(X[0]), list(config["hidden"]) + [1 if classes == 2 else classes],
                activation=config["activation"], init=config["init"], seed=config["seed"])
    start = time.perf_counter()
    history = fit(model, X, y, loss=loss, optimizer=config["optimizer"], lr=config["lr"],
                  epochs=config["epochs"], progress=False, seed=config["seed"])
    return {**dict(config), "hidden": list(config["hidden"]), "loss_fn": loss,
            "losses": list(history.loss), "final_loss": history.loss[-1],
            "accuracy": history.accuracy[-1], "seconds": time.perf_counter() - start}


def sweep(grid: Mapping[str, Sequence], *, executor: Any = None, workers: Optional[int] = None,
          run: Callable[[Mapping[str, Any]], Dict[str, Any]] = run_one) -> List[Dict[str, Any]]:
    """Run ``run`` on every configuration of ``grid``; return one record per configuration, in grid order.

    ``executor=None`` uses local processes (``ProcessPoolExecutor(workers)``). Any object with
    ``concurrent.futures``-style ``submit`` returning futures with ``result()`` runs the work there;
    a ``dask.distributed.Client`` works too (its ``map``/``gather`` are used).
    """
    configs = expand(grid)
    if not callable(run):
        raise TypeError(f"run must be a function config -> record, got {type(run).__name__}")
    if executor is None:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run, configs))
    if hasattr(executor, "gather") and hasattr(executor, "map"):       # dask.distributed.Client
        return list(executor.gather(executor.map(run, configs, pure=False)))
    if not hasattr(executor, "submit"):
        raise TypeError(f"executor must have submit() (concurrent.futures style) or be a "
                        f"dask Client, got {type(executor).__name__}")
    futures = [executor.submit(run, c) for c in configs]
    return [f.result() for f in futures]
