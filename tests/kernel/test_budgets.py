"""Byte budgets in the kernel: thinned snapshots, the ``kept`` report, the result cap, kept runs."""

import json
import os
import signal

import numpy as np
import pytest
import torch
from torch import nn

import dlviz_kernel
from dlviz_kernel import models, sizes
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import RunContext
from dlviz_kernel.training import TrainSettings, fit, runs, split
from dlviz_kernel.training.snapshots import kept_epochs, plan, state_bytes

SMALL_CNN = {"blocks": [{"filters": 4}], "dense": [], "training": {"epochs": 7, "seed": 2}}
SMALL_TRANSFORMER = {"text": "the cat sat on the mat", "text_b": None, "embedding_size": 8,
                     "heads": 2, "layers": 1, "feed_forward": 8, "epochs": 9, "seed": 1}


def request(task, params, limits=None, run_id="b-1", recorder=None):
    message = {"run_id": run_id, "task": task, "params": params}
    if limits is not None:
        message["limits"] = limits
    return dlviz_kernel.run_request(json.dumps(message), recorder or Recorder())


def snapshot_arrays(result):
    """``(path, raw bytes)`` of the arrays under ``snapshots``."""
    return sizes.array_sizes(result["snapshots"], "snapshots")


@pytest.fixture(scope="module")
def unlimited_cnn():
    """The small CNN with the default limits: every epoch kept."""
    message = request("cnn.train", SMALL_CNN, run_id="b-full")
    assert message["kind"] == "result", message
    return message["result"]


def test_plan_keeps_epoch_0_every_kth_and_the_last_within_the_budget():
    assert kept_epochs(10, 3) == [0, 3, 6, 9, 10] and kept_epochs(10, None) == [10]
    assert plan(10, 100, 0, 10_000).every == 1  # 11 epochs of 100 bytes fit
    thinned = plan(10, 100, 0, 600)
    # Five kept epochs (0, 3, 6, 9, 10) plus one spare for the latest finished epoch.
    assert thinned.every == 3 and 5 * 100 + 100 <= 600
    assert plan(10, 100, 400, 1000).every is None  # 0 and the last (2 x 500) plus a spare: no
    assert plan(10, 100, 400, 1100).every == 10


def test_default_limits_keep_every_epoch_and_say_nothing(unlimited_cnn):
    kept = unlimited_cnn["kept"]
    assert kept["snapshot_epochs"] == unlimited_cnn["snapshots"]["epochs"] == list(range(8))
    assert kept["every"] == 1 and kept["message"] is None
    assert kept["budget_bytes"] == 32 * 1024 * 1024
    assert kept["bytes"] == sum(size for _, size in sizes.array_sizes(unlimited_cnn))


def test_a_tiny_budget_thins_cnn_snapshots_and_keeps_the_right_filters(unlimited_cnn):
    model = dlviz_kernel.get_model("b-full")
    per_epoch = sum(size for _, size in snapshot_arrays(unlimited_cnn)) // 8
    state = state_bytes(model)
    # Room for 4 kept epochs and the spare: with 7 epochs that is every 3rd (0, 3, 6, 7).
    budget = 4 * (state + per_epoch) + state
    recorder = Recorder()
    message = request("cnn.train", SMALL_CNN, {"max_result_bytes": 2 * budget}, "b-thin",
                      recorder)
    assert message["kind"] == "result", message
    # Progress events say the plan, so a view of a cancelled run knows its kept epochs.
    assert {e["snapshot_every"] for e in recorder.of_kind("progress")} == {3}
    result = message["result"]
    epochs = result["snapshots"]["epochs"]
    assert epochs == [0, 3, 6, 7] == result["kept"]["snapshot_epochs"]
    assert result["kept"]["every"] == 3 and result["kept"]["budget_bytes"] == budget
    assert result["kept"]["message"] == (
        f"To stay within {sizes.format_bytes(budget)}, snapshots were kept every 3rd epoch and "
        "the last: 4 of 8 (epochs 0 to 7). Fewer epochs or a smaller model keep more.")
    # One entry per kept epoch in every per-epoch array; one per epoch in the history.
    layer = result["snapshots"]["layers"][0]
    assert decode(layer["filters"]).shape[0] == len(epochs)
    assert decode(layer["feature_maps"]).shape[0] == len(epochs)
    assert decode(result["snapshots"]["probabilities"]).shape[0] == len(epochs)
    assert len(result["history"]["epoch"]) == 7
    assert len(result["monitor"]["weight_histograms"][0]["counts"]) == 8
    assert sum(size for _, size in snapshot_arrays(result)) <= budget
    # The same seed unthinned: the kept epochs' filters are exactly those epochs' weights.
    full = decode(unlimited_cnn["snapshots"]["layers"][0]["filters"])
    np.testing.assert_array_equal(decode(layer["filters"]), full[epochs])
    np.testing.assert_array_equal(decode(result["snapshots"]["probabilities"]),
                                  decode(unlimited_cnn["snapshots"]["probabilities"])[epochs])
    # The kept run has exactly these states; other epochs are refused naming the kept ones.
    assert runs.get("b-thin").training.snapshots.epochs == epochs
    missing = request("cnn.inspect", {"run": "b-thin", "epoch": 4})
    assert missing["kind"] == "error" and missing["field"] == "epoch"
    assert "[0, 3, 6, 7]" in missing["message"]
    at_six = request("cnn.inspect", {"run": "b-thin", "epoch": 6})["result"]
    np.testing.assert_array_equal(decode(at_six["layers"][0]["filters"]), full[6])


def test_transformer_snapshots_are_thinned_and_inspect_names_the_kept_epochs():
    full = request("transformer.train", SMALL_TRANSFORMER, run_id="bt-full")["result"]
    attention = decode(full["snapshots"]["attention"])
    per_epoch = attention[0].nbytes + decode(full["snapshots"]["projection"])[0].nbytes
    state = state_bytes(dlviz_kernel.get_model("bt-full"))
    budget = 3 * (state + per_epoch) + state  # 3 kept of 10: 0, 5, 9
    message = request("transformer.train", SMALL_TRANSFORMER, {"max_result_bytes": 2 * budget},
                      "bt-thin")
    result = message["result"]
    epochs = result["snapshots"]["epochs"]
    assert epochs == [0, 5, 9] and result["kept"]["every"] == 5
    assert "every 5th epoch and the last: 3 of 10" in result["kept"]["message"]
    thin = decode(result["snapshots"]["attention"])
    assert thin.shape[0] == decode(result["snapshots"]["projection"]).shape[0] == 3
    assert len(result["snapshots"]["explained_variance"]) == 3
    np.testing.assert_allclose(thin, attention[epochs], atol=1e-6)
    refused = request("transformer.inspect", {"run": "bt-thin", "epoch": 3})
    assert refused["field"] == "epoch" and "[0, 5, 9]" in refused["message"]
    seen = request("transformer.inspect", {"run": "bt-thin", "epoch": 5})["result"]
    np.testing.assert_allclose(decode(seen["attention"]), attention[5], atol=1e-6)


def test_only_the_last_epoch_is_kept_when_one_epoch_exceeds_the_budget():
    message = request("transformer.train", SMALL_TRANSFORMER, {"max_result_bytes": 2000},
                      "bt-last")
    result = message["result"]
    assert result["snapshots"]["epochs"] == [9] and result["kept"]["every"] is None
    assert result["kept"]["message"].startswith("To stay within 1000 bytes, only the last "
                                                "epoch (9) was kept")


def blobs(n=400, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    centres = torch.tensor([[3.0, 0, 0, 0], [0, 3.0, 0, 0], [0, 0, 3.0, 0]])
    return (centres[y] + 0.5 * torch.randn(n, 4, generator=g)).view(n, 1, 2, 2), y


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def test_a_cancel_keeps_the_last_finished_epoch_even_between_kept_ones():
    x, y = blobs()
    parts = split(x, y, 0.1, 0)
    model, kept = small_net(), []
    # Epoch 0, 500 and 1000 with a spare: the finished epochs before the cancel are not keepers.
    budget = 4 * state_bytes(model)

    def interrupt(module, inputs):
        interrupt.calls += 1
        if interrupt.calls == 200:  # 45 steps and one evaluation per epoch: inside epoch 5
            os.kill(os.getpid(), signal.SIGINT)

    interrupt.calls = 0
    handle = model.register_forward_pre_hook(interrupt)
    settings = TrainSettings(epochs=1000, batch_size=8, learning_rate=0.01)
    with pytest.raises(KeyboardInterrupt):
        fit(model, parts, settings, on_cancel=kept.append, snapshot_budget=budget)
    handle.remove()
    record = kept[0]
    finished = len(record.history["epoch"])
    assert record.snapshots.plan.every == 500 and 1 <= finished < 500
    assert record.snapshots.epochs == [0, finished]
    # The kept state is the weights after that epoch: the same run stopped there on its own.
    again = small_net()
    fit(again, parts, TrainSettings(epochs=finished, batch_size=8, learning_rate=0.01))
    for key, value in again.state_dict().items():
        assert torch.equal(record.snapshots.state(finished)[key], value), key


def test_a_run_stopped_by_nan_keeps_its_last_epoch():
    x, y = blobs()
    x[0, 0, 0, 0] = float("nan")
    model = small_net()
    record = fit(model, split(x, y, 0.0, 0), TrainSettings(epochs=9),
                 snapshot_budget=5 * state_bytes(model))
    assert record.stopped_early and record.snapshots.plan.every == 3
    assert record.snapshots.epochs == [0, 1]


def test_a_result_over_the_cap_is_an_error_naming_what_to_lower():
    message = request("transformer.attention", {"text": "A cat. " * 20},
                      {"max_result_bytes": 20_000})
    assert message["kind"] == "error" and message["field"] == "max_tokens"
    assert "more than the 19.5 KiB a run may send" in message["message"]
    assert "the largest is 'attention'" in message["message"]
    assert "smaller maximum number of tokens" in message["message"]
    fits = request("transformer.attention", {"text": "A cat.", "max_tokens": 8},
                   {"max_result_bytes": 20_000})
    assert fits["kind"] == "result"
    assert sizes.result_bytes(fits["result"]) <= 20_000


def test_kept_runs_are_bounded_in_bytes_oldest_first_and_shared_storage_counts_once():
    store = models.RecentRuns()
    mib = torch.zeros(256 * 1024)  # 1 MiB of float32
    big = [torch.zeros(256 * 1024) for _ in range(2)]
    store.keep("a", {"weights": big[0], "data": mib}, max_bytes=3 * 1024 * 1024)
    store.keep("b", {"weights": big[1], "data": mib[:10]}, max_bytes=3 * 1024 * 1024)
    # a and b share the data storage: 3 MiB in all, both stay.
    assert "a" in store and "b" in store and store.total_bytes() == 3 * 1024 * 1024
    store.keep("c", nn.Linear(256, 512), max_bytes=3 * 1024 * 1024)  # 0.5 MiB
    assert "a" not in store and "b" in store and "c" in store
    assert store.total_bytes() <= 3 * 1024 * 1024
    assert "3 MiB" in store.why_missing("a") and "newer runs" in store.why_missing("a")
    store.keep("huge", torch.zeros(1024 * 1024), max_bytes=1024)
    assert list(store._items) == ["huge"]  # the newest stays, whatever its size


def test_training_runs_share_the_byte_budget_and_get_model_explains_a_dropped_run():
    small = {"blocks": [{"filters": 2}], "dense": [], "training": {"epochs": 1}}
    first = request("cnn.train", small, run_id="b-old")["result"]
    one_run = models._kept._storages["b-old"]
    limit = sum(one_run.values()) + 1024
    request("cnn.train", small, {"max_kept_model_bytes": limit}, "b-new")
    assert runs.get("b-new") is not None and runs.get("b-old") is None
    assert models._kept.total_bytes() <= limit
    with pytest.raises(KeyError, match="No model is kept for run 'b-old'. It was dropped"):
        dlviz_kernel.get_model("b-old")
    gone = request("cnn.inspect", {"run": "b-old"})
    assert gone["field"] == "run" and "dropped" in gone["message"]
    assert first["kept"]["message"] is None
    # The next request with the default limit lifts the budget again.
    request("cnn.train", small, run_id="b-again")
    assert runs.get("b-new") is not None and models._kept.max_bytes == 256 * 1024 * 1024


def test_run_context_limits_fall_back_to_the_defaults():
    ctx = RunContext("x", {"max_result_bytes": 1000, "max_kept_model_bytes": None})
    assert ctx.max_result_bytes() == 1000 and ctx.snapshot_budget() == 500
    assert ctx.max_kept_model_bytes() == 256 * 1024 * 1024
    assert RunContext("y").max_result_bytes() == 64 * 1024 * 1024
