"""nn.sweep: one record per configuration, on local processes, threads and a Dask cluster."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from nn import sweep

GRID = {"lr": [0.05, 0.2], "hidden": [[4], [4, 4]], "steps": [3]}


def _check(records):
    assert len(records) == 4
    assert [(r["lr"], r["hidden"]) for r in records] == [(0.05, [4]), (0.05, [4, 4]),
                                                         (0.2, [4]), (0.2, [4, 4])]
    for r in records:
        assert len(r["loss"]) == 3 and 0.0 <= r["test_accuracy"] <= 1.0
        assert 0.0 <= r["train_accuracy"] <= 1.0


def test_local_processes_and_log(tmp_path):
    log = tmp_path / "runs.jsonl"
    records = sweep(GRID, log=str(log))
    _check(records)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == records


def test_thread_pool_matches_processes():
    with ThreadPoolExecutor(2) as pool:
        threaded = sweep(GRID, executor=pool)
    _check(threaded)
    assert threaded == sweep(GRID)  # same seeds, same numbers wherever they ran


def test_dask_local_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        records = sweep(GRID, executor=client)
    _check(records)


@pytest.mark.parametrize("grid, error, text", [
    ([1], TypeError, "grid must be a dict"),
    ({"hidden": [[4]]}, ValueError, "'lr'"),
    ({"lr": [0.1], "hidden": [[4]], "colour": [1]}, ValueError, "unknown sweep setting 'colour'"),
    ({"lr": [], "hidden": [[4]]}, ValueError, "non-empty list"),
    ({"lr": [0.1], "hidden": [4]}, ValueError, "positive widths"),
    ({"lr": [0.1], "hidden": [[4]], "dataset": ["iris"]}, ValueError, "unknown dataset 'iris'"),
])
def test_bad_grids(grid, error, text):
    with pytest.raises(error, match=text):
        sweep(grid)


def test_bad_executor():
    with pytest.raises(TypeError, match="submit"):
        sweep(GRID, executor=object())


def test_importing_nn_starts_no_process_machinery():
    # The playground imports nn inside Pyodide, which has no _multiprocessing.
    import subprocess
    import sys
    code = "import nn, sys; print('multiprocessing' in sys.modules, 'concurrent.futures.process' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
