"""A cancelled rnn.train stays explorable: rnn.inspect on its run id shows its last finished epoch.

The cancel is the kernel interrupt a Cancel sends (SIGINT), raised as soon as the progress
event of epoch 1 is published; the engine stops before the next step and keeps the run.
"""

import copy
import json
import os
import signal

import pytest
import torch

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.rnn.train import loss_for
from dlviz_kernel.training import evaluate, runs

BRACKETS = {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 300,
                     "sequence_length": 30},
            "model": {"hidden_size": 24, "embedding_size": 8},
            "training": {"epochs": 500, "batch_size": 16, "learning_rate": 0.01}}


class InterruptAfterEpochOne(Recorder):
    """Sends the kernel interrupt a cancel sends, once epoch 1 is reported."""

    def publish(self, message):
        super().publish(message)
        if message.get("phase") == "epoch" and message["epoch"] == 1:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture(scope="module")
def cancelled():
    request = {"run_id": "rnn-cancel-1", "task": "rnn.train", "params": BRACKETS,
               # A budget that keeps only some epochs: epoch 1 is kept because it is the last.
               "limits": {"max_result_bytes": 400_000}}
    publisher = InterruptAfterEpochOne()
    with pytest.raises(KeyboardInterrupt):
        dlviz_kernel.run_request(json.dumps(request), publisher=publisher)
    assert publisher.of_kind("result") == []
    ends = [m for m in publisher.of_kind("progress") if m.get("phase") == "epoch"]
    return runs.get("rnn-cancel-1"), ends


def test_the_cancelled_run_keeps_its_finished_epoch_and_the_events_said_so(cancelled):
    run, ends = cancelled
    assert run is not None and run.training.cancelled
    assert run.training.history["epoch"] == [1]
    assert [m["epoch"] for m in ends] == [1]
    # Not an epoch the budget's plan keeps, yet kept: the last finished one.
    every = ends[0]["snapshot_every"]
    assert every is None or every > 1
    assert 1 in run.training.snapshots.epochs and run.training.snapshots.state(1) is not None
    # The kept weights of epoch 1 are those that gave epoch 1's validation loss.
    model = copy.deepcopy(run.model)
    model.load_state_dict(run.training.snapshots.state(1))
    loss, _ = evaluate(model, run.split.x_val, run.split.y_val, loss_for(run.data))
    assert loss == pytest.approx(run.training.history["validation_loss"][0], rel=1e-6)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_inspect_shows_the_cancelled_run_at_its_last_finished_epoch(cancelled, run_task):
    run, _ = cancelled
    at_one = run_task("rnn.inspect", {"run": "rnn-cancel-1", "epoch": 1,
                                      "input": {"index": 3}})
    assert at_one["kind"] == "result", at_one
    result = at_one["result"]
    assert result["source"] == {"run": "rnn-cancel-1", "model": None, "epoch": 1}
    hidden = decode(result["layers"][0]["hidden"])
    assert hidden.shape == (30, 24)
    # The hidden states of epoch 1's weights, computed here with the module itself.
    model = copy.deepcopy(run.model).eval()
    model.load_state_dict(run.training.snapshots.state(1))
    with torch.no_grad():
        expected, _ = model.rnn(model.inputs(run.data.x[3].unsqueeze(0)))
    assert torch.allclose(torch.from_numpy(hidden.copy()), expected[0], atol=1e-5)
    # The cancel came before any step of epoch 2: the run's own model is epoch 1's.
    default = run_task("rnn.inspect", {"run": "rnn-cancel-1", "input": {"index": 3}})
    assert default["kind"] == "result", default
    assert decode(default["result"]["layers"][0]["hidden"]).tolist() == hidden.tolist()
    assert dlviz_kernel.get_model("rnn-cancel-1").training is False
