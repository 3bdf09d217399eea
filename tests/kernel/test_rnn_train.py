"""rnn.train in-process: the digits anchor, every data source, learning, cancel, the contract."""

import json
import math
import os
import signal

import pytest
import torch
from torch import nn

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.rnn import data as rnn_data
from dlviz_kernel.rnn.model import SequenceNet, unroll
from dlviz_kernel.rnn.train import (
    EpochWatch,
    clipping,
    loss_for,
    measured_epoch,
    step_accuracy,
    time_gradient_norms,
)
from dlviz_kernel.tasks import RunContext
from dlviz_kernel.training import evaluate, runs, split

from .test_result_schemas import assert_fits

TASK = "rnn.train"
TINY_BRACKETS = {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 300,
                          "sequence_length": 30},
                 "model": {"hidden_size": 24, "embedding_size": 8},
                 "training": {"epochs": 4, "batch_size": 32, "learning_rate": 0.01}}
LEARN_BRACKETS = {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 400,
                           "sequence_length": 40},
                  "model": {"hidden_size": 32, "embedding_size": 8},
                  "training": {"epochs": 8, "batch_size": 16, "learning_rate": 0.01}}


def train(params, run_id, limits=None):
    recorder = Recorder()
    request = {"run_id": run_id, "task": TASK, "params": params}
    if limits is not None:
        request["limits"] = limits
    message = dlviz_kernel.run_request(json.dumps(request), publisher=recorder)
    assert message["kind"] == "result", message
    return message["result"], recorder


@pytest.fixture(scope="module")
def default_run():
    """The default LSTM on the digit rows, trained once through the task as the server runs it."""
    return train({}, "rnn-default")


def test_default_lstm_reads_digit_rows_to_95_percent_in_its_default_epochs(default_run):
    result, _ = default_run
    history = result["history"]
    assert result["params"]["model"]["cell"] == "lstm"
    assert result["dataset"]["source"] == "digits-rows"
    assert (result["dataset"]["steps"], result["dataset"]["features"]) == (8, 8)
    assert history["epoch"] == list(range(1, result["params"]["training"]["epochs"] + 1))
    assert history["validation_accuracy"][-1] >= 0.95
    assert history["validation_loss"][-1] < history["validation_loss"][0]


def test_default_result_fits_its_schema_and_carries_the_sequence_extras(default_run):
    result, recorder = default_run
    assert_fits(TASK, result)
    epochs = result["epochs_completed"]
    assert epochs == 15
    norms = decode(result["time_gradients"]["norms"])
    # Measured before training and after epochs 1, 2, 4, 8 and the last, on 16 sequences.
    measured = [0, 1, 2, 4, 8, 15]
    assert result["time_gradients"]["epochs"] == measured
    assert norms.shape == (len(measured), 1, 8) and result["time_gradients"]["samples"] == 16
    assert result["bits_per_character"] is None and result["step_accuracy"] is None
    ends = [m for m in recorder.of_kind("progress") if m["phase"] == "epoch"]
    assert [m["validation_loss"] for m in ends] == result["history"]["validation_loss"]
    # The live events carry the same gradient per time step as the result (4 digits), on
    # the measured epochs only.
    live = [m for m in ends if "time_gradient_norms" in m]
    assert [m["epoch"] for m in live] == measured[1:]
    for event, row in zip(live, norms[1:]):
        assert event["time_gradient_norms"][0] == pytest.approx(row[0].tolist(), rel=1e-3)
    # They are the model's own at that epoch: the last row, recomputed on the kept model.
    run = runs.get("rnn-default")
    x, y = run.split.x_val[:16], run.split.y_val[:16]
    again = time_gradient_norms(run.model, x, y, nn.functional.cross_entropy)
    assert torch.allclose(again, torch.from_numpy(norms[-1].copy()), rtol=1e-4, atol=1e-7)
    kept = result["snapshots"]["epochs"]
    assert kept == result["kept"]["snapshot_epochs"] == list(range(epochs + 1))
    assert decode(result["snapshots"]["hidden"]).shape == (len(kept), 1, 1, 8, 128)
    outputs = decode(result["snapshots"]["outputs"])
    assert outputs.shape == (len(kept), 8, 10)
    assert abs(outputs.sum(-1) - 1).max() < 1e-5


def test_the_kept_run_and_model_match_the_result(default_run):
    result, _ = default_run
    model = dlviz_kernel.get_model("rnn-default")
    assert isinstance(model, SequenceNet) and not model.training
    assert isinstance(model.rnn, nn.LSTM) and model.embedding is None and not model.per_step
    run = runs.get("rnn-default")
    assert run.task == TASK and run.training.history == result["history"]
    sample = result["sample"]
    x = run.data.x[sample["index"]]
    assert torch.equal(torch.from_numpy(decode(sample["features"]).copy()), x)
    with torch.no_grad():
        probabilities = torch.softmax(model(x.unsqueeze(0)), -1)[0]
    last = decode(result["snapshots"]["outputs"])[-1, -1]
    assert torch.allclose(probabilities, torch.from_numpy(last.copy()), atol=1e-5)
    assert "dlviz_kernel.train('rnn.train', params)" in result["code"]


def test_every_data_source_gives_the_stated_shapes():
    digits = rnn_data.load({"source": "digits-rows"})
    assert digits.x.shape == (1797, 8, 8) and digits.y.shape == (1797,)
    assert digits.classes == [str(d) for d in range(10)] and not digits.per_step

    text = rnn_data.load({"source": "text", "corpus": "python", "corpus_chars": 20_000,
                          "sequence_length": 50})
    assert text.x.shape == text.y.shape == (399, 50) and text.x.dtype == torch.int64
    assert text.files[0] == "textwrap.py" and text.next_character and text.per_step
    assert torch.equal(text.x[:, 1:], text.y[:, :-1])
    assert text.decode(text.x[0]) == open(os.path.join(
        __import__("sysconfig").get_path("stdlib"), "textwrap.py")).read()[:50]

    pasted = rnn_data.load({"source": "text", "corpus": "pasted", "text": "abcab" * 40,
                            "sequence_length": 9})
    assert pasted.vocabulary == ["a", "b", "c"] and pasted.x.shape == (22, 9)
    named = rnn_data.load({"source": "text", "corpus": "notebook", "text_variable": "story",
                           "sequence_length": 10}, namespace={"story": "to be or not " * 10})
    assert named.x.shape == (12, 10) and named.decode(named.y[0]) == "o be or no"

    brackets = rnn_data.load({"source": "synthetic", "synthetic": "brackets", "samples": 200,
                              "sequence_length": 40})
    assert brackets.x.shape == brackets.y.shape == (200, 40)
    depth = brackets.signals["depth"]
    assert depth.min() == 0 and depth.max() <= rnn_data.MAX_DEPTH
    step = (brackets.x == 0).long() - (brackets.x == 1).long()
    assert torch.equal(step.cumsum(1), depth)

    copy = rnn_data.load({"source": "synthetic", "synthetic": "copy", "samples": 100,
                          "copy_length": 4, "delay": 20})
    assert copy.x.shape == copy.y.shape == (100, 28)
    assert torch.equal(copy.y[:, 24:], copy.x[:, :4]) and (copy.y[:, :24] == -100).all()

    adding = rnn_data.load({"source": "synthetic", "synthetic": "adding", "samples": 100,
                            "sequence_length": 30})
    assert adding.x.shape == (100, 30, 2) and adding.y.shape == (100, 1)
    assert (adding.x[:, :, 1].sum(1) == 2).all()
    marked = (adding.x[:, :, 0] * adding.x[:, :, 1]).sum(1, keepdim=True)
    assert torch.allclose(marked, adding.y)

    wave = rnn_data.load({"source": "series", "wave": "sawtooth", "samples": 64,
                          "sequence_length": 25, "noise": 0.0})
    assert wave.x.shape == (64, 25, 1) and wave.y.shape == (64, 1) and wave.classes is None
    assert wave.x.abs().max() <= 1.0

    namespace = {"X": torch.randn(20, 7, 3), "labels": torch.arange(20) % 3,
                 "tags": torch.arange(140).view(20, 7) % 2, "values": torch.randn(20)}
    classes = rnn_data.load({"source": "notebook", "x": "X", "y": "labels"}, namespace)
    assert classes.x.shape == (20, 7, 3) and classes.y.shape == (20,) and not classes.per_step
    tags = rnn_data.load({"source": "notebook", "x": "X", "y": "tags"}, namespace)
    assert tags.per_step and tags.y.shape == (20, 7) and tags.classes == ["0", "1"]
    values = rnn_data.load({"source": "notebook", "x": "X", "y": "values"}, namespace)
    assert values.classes is None and values.y.shape == (20, 1)


def test_loss_goes_down_on_the_bracket_task_and_bits_per_character_follow_it():
    result, recorder = train(LEARN_BRACKETS, "rnn-brackets")
    history = result["history"]
    # Uniform guessing costs ln 3 = 1.10 nats; knowing the depth exactly gives about 0.84.
    assert history["validation_loss"][-1] < history["validation_loss"][0] - 0.1
    assert history["validation_loss"][-1] < 0.9
    bits = result["bits_per_character"]["validation"]
    assert bits == pytest.approx([v / math.log(2) for v in history["validation_loss"]])
    ends = [m for m in recorder.of_kind("progress") if m["phase"] == "epoch"]
    assert [m["validation_bits_per_character"] for m in ends] == pytest.approx(bits)
    assert [m["validation_step_accuracy"] for m in ends] == result["step_accuracy"]
    assert len(result["step_accuracy"]) == 8
    # Counted during the engine's validation pass: equal to a pass of its own on the kept model.
    run = runs.get("rnn-brackets")
    own = step_accuracy(run.model, run.split.x_val, run.split.y_val)
    assert result["step_accuracy"][-1] == own and 0.4 < own < 1
    assert result["dataset"]["vocabulary"] == list("()a")
    assert decode(result["snapshots"]["outputs"]).shape[1:] == (40, 3)
    assert_fits(TASK, result)


@pytest.mark.parametrize("params", [
    {"data": {"source": "series", "samples": 80, "sequence_length": 12},
     "model": {"cell": "gru", "layers": 2, "hidden_size": 8, "bidirectional": True,
               "dropout": 0.1}, "training": {"epochs": 2}},
    {"data": {"source": "synthetic", "synthetic": "copy", "samples": 60, "delay": 3,
              "copy_length": 2}, "model": {"cell": "rnn", "nonlinearity": "relu",
                                           "hidden_size": 8}, "training": {"epochs": 2}},
    {"data": {"source": "text", "corpus": "pasted", "text": "hello world, " * 30,
              "sequence_length": 20}, "model": {"layers": 3, "hidden_size": 8},
     "training": {"epochs": 3}},
])
def test_other_cells_and_sources_fit_the_schema(params):
    result, _ = train(params, "rnn-small")
    assert_fits(TASK, result)
    hidden = decode(result["snapshots"]["hidden"])
    model = result["model"]
    assert hidden.shape[1:] == (model["layers"], model["directions"],
                                result["dataset"]["steps"], model["hidden_size"])


def test_a_snapshot_budget_that_leaves_epochs_out_is_said_and_fits():
    params = {**TINY_BRACKETS, "training": {"epochs": 6}}
    result, _ = train(params, "rnn-budget", limits={"max_result_bytes": 200_000})
    assert result["kept"]["message"] and result["kept"]["every"] != 1
    assert len(result["snapshots"]["epochs"]) < 7
    assert_fits(TASK, result)


def test_bidirectional_next_character_models_are_refused_naming_the_field(run_task, shell):
    for data in ({"source": "text", "corpus": "pasted", "text": "abc" * 100},
                 {"source": "synthetic", "synthetic": "copy"}):
        message = run_task(TASK, {"data": data, "model": {"bidirectional": True}})
        assert message["kind"] == "error" and message["field"] == "model.bidirectional"
        assert "answer" in message["message"]
    # Per-step targets from the notebook are known only once loaded: refused all the same.
    shell.user_ns.update(X=torch.randn(30, 5, 2), tags=torch.randint(0, 2, (30, 5)))
    message = run_task(TASK, {"data": {"source": "notebook", "x": "X", "y": "tags"},
                              "model": {"bidirectional": True}})
    assert message["kind"] == "error" and message["field"] == "model.bidirectional"


def test_cancel_stops_between_two_steps_and_keeps_the_partial_run():
    calls = []

    def interrupt_at_fifth_step(module, inputs):
        if isinstance(module, SequenceNet):
            calls.append(1)
            if len(calls) == 5:
                os.kill(os.getpid(), signal.SIGINT)

    handle = nn.modules.module.register_module_forward_pre_hook(interrupt_at_fifth_step)
    params = {**TINY_BRACKETS, "training": {"epochs": 500, "batch_size": 8}}
    request = {"run_id": "rnn-cancel", "task": TASK, "params": params}
    try:
        with pytest.raises(KeyboardInterrupt):
            dlviz_kernel.run_request(json.dumps(request), publisher=Recorder())
    finally:
        handle.remove()
    run = runs.get("rnn-cancel")
    # The step whose forward pass saw the interrupt finishes; the next one never starts.
    assert run.training.cancelled and run.training.steps == 5 and len(calls) == 5
    assert run.training.history["epoch"] == [] and run.training.snapshots.epochs == [0]
    assert dlviz_kernel.get_model("rnn-cancel").training is False
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_step_by_step_replay_equals_the_module_and_its_gradients(cell):
    torch.manual_seed(1)
    rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](
        3, 5, num_layers=2, batch_first=True, bidirectional=True).eval()
    x = torch.randn(4, 6, 3)
    output, states = unroll(rnn, x)
    assert torch.allclose(output, rnn(x)[0], atol=1e-5)
    assert len(states) == 2 and len(states[0]) == 2 and len(states[0][0]) == 6

    # d loss / d h_t of a one-layer, one-way model, against PyTorch's module resumed from h_t.
    torch.manual_seed(2)
    model = SequenceNet(cell, 3, 5, 1, 4, per_step=False).eval()
    y = torch.tensor([0, 1, 2, 3])
    norms = time_gradient_norms(model, x, y, nn.functional.cross_entropy)
    for t in (0, 3, 5):
        prefix = model.rnn(x[:, :t + 1])[1]
        h = (prefix[0] if cell == "lstm" else prefix).detach().requires_grad_(True)
        state = (h, prefix[1].detach()) if cell == "lstm" else h
        rest = model.rnn(x[:, t + 1:], state)[0] if t < 5 else h.transpose(0, 1)
        loss = nn.functional.cross_entropy(model.head(rest[:, -1]), y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, h)
        expected = grad[0].norm(dim=1).mean()
        assert abs(float(norms[0, t]) - float(expected)) < 1e-5


def test_clipping_caps_the_step_of_this_model_only():
    torch.manual_seed(0)
    model, other = nn.Linear(4, 2), nn.Linear(4, 2)
    for net in (model, other):
        net.weight.grad = torch.full_like(net.weight, 10.0)
        net.bias.grad = torch.full_like(net.bias, 10.0)
    before = [p.detach().clone() for p in (*model.parameters(), *other.parameters())]
    with clipping(model, 0.5):
        torch.optim.SGD(model.parameters(), lr=1.0).step()
        torch.optim.SGD(other.parameters(), lr=1.0).step()
    after = [p.detach() for p in (*model.parameters(), *other.parameters())]
    moved = [(a - b).flatten() for a, b in zip(after, before)]
    assert torch.cat(moved[:2]).norm() == pytest.approx(0.5, rel=1e-4)
    assert torch.cat(moved[2:]).norm() == pytest.approx(10.0 * math.sqrt(10), rel=1e-4)


def test_sequence_losses_average_over_predicted_steps():
    copy = rnn_data.copy_task(8, 2, 3)
    loss = loss_for(copy)
    logits = torch.randn(8, 7, len(copy.classes))
    expected = nn.functional.cross_entropy(logits[:, 5:].reshape(-1, 10),
                                           copy.y[:, 5:].reshape(-1))
    assert loss(logits, copy.y) == pytest.approx(float(expected), rel=1e-5)
    assert loss(logits, copy.y, reduction="sum") == pytest.approx(8 * float(expected), rel=1e-5)


def test_the_gradient_through_time_is_measured_on_a_doubling_schedule_and_the_last_epoch():
    assert [e for e in range(1, 21) if measured_epoch(e, 20)] == [1, 2, 4, 8, 16, 20]
    assert [e for e in range(1, 4) if measured_epoch(e, 3)] == [1, 2, 3]
    assert not measured_epoch(0, 5)


def test_step_accuracy_counted_in_the_validation_pass_equals_a_pass_of_its_own():
    data = rnn_data.brackets(120, 20)
    parts = split(data.x, data.y, 0.25, 0)
    torch.manual_seed(0)
    model = SequenceNet("gru", 8, 12, 1, 3, per_step=True, vocabulary=3)
    watch = EpochWatch(RunContext("tally", publisher=Recorder()), model, data, parts,
                       loss_for(data))
    own = step_accuracy(model, parts.x_val, parts.y_val)
    # Training steps (with gradients) are not counted; the validation pass (without) is.
    watch.loss(model(parts.x_train[:8]), parts.y_train[:8]).backward()
    evaluate(model, parts.x_val, parts.y_val, watch.loss)
    counted = watch.measure({"epoch": 1, "epochs": 3})
    assert counted["validation_step_accuracy"] == own
    assert watch.tally == [0, 0, 0] and len(counted["time_gradient_norms"][0]) == 20
    # Without a whole validation pass in between, the watch makes its own.
    assert watch.measure({"epoch": 3, "epochs": 3})["validation_step_accuracy"] == own
    assert watch.gradient_epochs == [0, 1, 3]
    assert watch.measure({"epoch": 5, "epochs": 7}).get("time_gradient_norms") is None
