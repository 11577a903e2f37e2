"""Tests for nn.sweep: grid expansion, local processes, concurrent.futures executors, a Dask LocalCluster."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from nn.sweep import expand, run_one, sweep

GRID = {"lr": [0.5, 0.05], "hidden": [[4], [8, 8]], "epochs": [3], "n": [24]}


def test_expand_is_the_product_in_grid_order():
    configs = expand(GRID)
    assert [(c["lr"], c["hidden"]) for c in configs] == [
        (0.5, [4]), (0.5, [8, 8]), (0.05, [4]), (0.05, [8, 8])]
    assert all(c["dataset"] == "moons" and c["epochs"] == 3 for c in configs)


@pytest.mark.parametrize("grid, error, message", [
    ({"lr": [0.1]}, ValueError, "missing \\['hidden'\\]"),
    ({"lr": [0.1], "hidden": [[4]], "colour": ["red"]}, ValueError, "unknown grid keys \\['colour'\\]"),
    ({"lr": 0.1, "hidden": [[4]]}, TypeError, "grid\\['lr'\\] must be a non-empty list"),
    ({"lr": [], "hidden": [[4]]}, TypeError, "non-empty list"),
    ([("lr", [0.1])], TypeError, "grid must map"),
])
def test_bad_grids(grid, error, message):
    with pytest.raises(error, match=message):
        expand(grid)


def test_bad_executor_is_refused():
    with pytest.raises(TypeError, match="executor must have submit"):
        sweep(GRID, executor=object())


def test_one_record_trains_and_reports():
    record = run_one(expand({"lr": [0.5], "hidden": [[8]], "epochs": [5], "n": [40]})[0])
    assert len(record["losses"]) == 5 and record["losses"][-1] < record["losses"][0]
    assert 0.0 <= record["accuracy"] <= 1.0 and record["hidden"] == [8]


def test_spirals_use_cross_entropy():
    record = run_one(expand({"lr": [0.1], "hidden": [[4]], "dataset": ["spirals"], "epochs": [1], "n": [30]})[0])
    assert record["loss_fn"] == "cross_entropy"


def test_local_processes_and_a_thread_pool_agree():
    local = sweep(GRID, workers=2)
    with ThreadPoolExecutor(2) as pool:
        threads = sweep(GRID, executor=pool)
    assert len(local) == 4
    assert [r["losses"] for r in local] == [r["losses"] for r in threads]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_records():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        records = sweep(GRID, executor=client)
    with ThreadPoolExecutor(2) as pool:
        expected = sweep(GRID, executor=pool)
    assert [r["losses"] for r in records] == [r["losses"] for r in expected]
