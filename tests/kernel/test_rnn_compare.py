"""rnn.compare in-process: three cells on the same data and seed, kept, inspectable, measured.

The memory of a cell is recomputed here with autograd, one sequence at a time; the start
weights of every cell are those a fresh network built with the same seed has; a cancel in
the second cell keeps the first cell whole and the second one partial.
"""

import json
import math
import os
import signal
import time
from fractions import Fraction

import pytest
import torch
from torch import nn

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.rnn.model import SequenceNet
from dlviz_kernel.training import runs

from .test_result_schemas import assert_fits

SMALL = {"model": {"hidden_size": 16}, "training": {"epochs": 3, "seed": 5}}
# The copy task with a delay of 20 blanks: the gated cells learn it, the plain RNN does not.
# Measured (1 thread, seeds 0 and 7): the GRU leaves chance in its first epoch (0.98-0.99 at
# the end); the LSTM, its forget gates open at the start (`open_forget_gates`), in epoch 14-21
# (0.36-0.57); the plain RNN ends inside the band of a guesser without memory (0.123, 0.126;
# band 0.11-0.14 on 2,000 recalls). With PyTorch's own LSTM start (forget gates near 0.5) the
# LSTM was still at chance after 20 epochs and left it in epoch 20-36 of 40; at lr 0.003 the
# plain RNN crept out of the band after epoch 23 (0.19-0.21).
COPY = {"data": {"source": "synthetic", "synthetic": "copy", "delay": 20, "samples": 2000},
        "model": {"hidden_size": 64, "open_forget_gates": True},
        "training": {"epochs": 30, "batch_size": 32, "learning_rate": 0.01}}
# 26-40 s on a quiet 2-core machine, 2-3 minutes on a busy one: only with DLVIZ_TEST_SLOW=1.
OPT_IN = pytest.mark.skipif(os.environ.get("DLVIZ_TEST_SLOW") != "1",
                            reason="up to minutes of training; set DLVIZ_TEST_SLOW=1 to run")


def binomial_band(p, n):
    """The 2.5% and 97.5% quantiles of Binomial(n, p) as shares of n, in exact fractions."""
    p = Fraction(p).limit_denominator(1000)
    cumulative, low = Fraction(0), None
    for k in range(n + 1):
        cumulative += math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        if low is None and cumulative >= Fraction(1, 40):
            low = k
        if cumulative >= Fraction(39, 40):
            return [low / n, k / n]


def compare(params, run_id, recorder=None):
    request = {"run_id": run_id, "task": "rnn.compare", "params": params}
    message = dlviz_kernel.run_request(json.dumps(request), publisher=recorder or Recorder())
    assert message["kind"] == "result", message
    return message["result"]


@pytest.fixture(scope="module")
def digits():
    recorder = Recorder()
    return compare(SMALL, "cmp-digits", recorder), recorder


def test_three_cells_learn_the_digits_and_are_kept_as_inspectable_runs(digits, run_task):
    result, recorder = digits
    assert [c["cell"] for c in result["cells"]] == ["rnn", "lstm", "gru"]
    assert result["chance"] == pytest.approx(0.1)
    assert result["dataset"]["name"] == "digits-rows"
    # 359 validation digits, each guessed right with probability 0.1: the central 95%.
    assert result["chance_band"] == pytest.approx(binomial_band(0.1, 359))
    assert result["chance_band"] == pytest.approx([25 / 359, 47 / 359])
    for cell in result["cells"]:
        history = cell["history"]
        assert history["epochs"] == [1, 2, 3]
        assert all(a > b for a, b in zip(history["train_loss"], history["train_loss"][1:]))
        assert history["validation_loss"][-1] < history["validation_loss"][0]
        assert history["validation_accuracy"][-1] > 0.3
        assert cell["bits_per_character"] is None and cell["seconds"] > 0
        assert cell["accuracy_by_step"] is None
        assert cell["run"] == f"cmp-digits-{cell['cell']}"
        kept = runs.get(cell["run"])
        assert kept.params["model"]["cell"] == cell["cell"] and kept.model.cell == cell["cell"]
        assert cell["parameters"] == sum(p.numel() for p in kept.model.parameters())
        assert kept.training.history["validation_loss"] == history["validation_loss"]
        inspected = run_task("rnn.inspect", {"run": cell["run"], "input": {"index": 2},
                                             "epoch": 1})
        assert inspected["kind"] == "result", inspected
        names = {"rnn": "rnn_tanh", "lstm": "lstm", "gru": "gru"}
        assert inspected["result"]["network"]["cell"] == names[cell["cell"]]
    # Same data split for every cell.
    splits = [runs.get(c["run"]).split.val_index for c in result["cells"]]
    assert all(torch.equal(splits[0], s) for s in splits[1:])
    assert_fits("rnn.compare", result)


def test_every_cell_starts_from_the_weights_its_seed_gives(digits):
    result, _ = digits
    for cell in result["cells"]:
        torch.manual_seed(5)
        fresh = SequenceNet(cell["cell"], 8, 16, 1, 10, per_step=False)
        start = runs.get(cell["run"]).training.snapshots.state(0)
        assert all(torch.equal(start[k], v) for k, v in fresh.state_dict().items())


def test_each_cell_saves_the_states_of_its_sample_as_its_kept_model_computes_them(digits,
                                                                                 run_task):
    result, _ = digits
    for cell in result["cells"]:
        kept = runs.get(cell["run"])
        sample = cell["sample"]
        # the first validation sequence, as rnn.train's; the epochs the kernel keeps for it
        assert sample["index"] == int(kept.split.val_index[0]) and sample["label"] is not None
        assert cell["snapshots"]["epochs"] == cell["kept"]["snapshot_epochs"] == [0, 1, 2, 3]
        assert cell["snapshots"]["epochs"] == list(kept.training.snapshots.epochs)
        assert cell["kept"]["message"] is None
        assert cell["model"]["cell"] == cell["cell"]
        assert cell["model"]["parameters"] == cell["parameters"]
        hidden = decode(cell["snapshots"]["hidden"])
        outputs = decode(cell["snapshots"]["outputs"])
        assert hidden.shape == (4, 1, 1, 8, 16) and outputs.shape == (4, 8, 10)
        assert abs(outputs.sum(-1) - 1).max() < 1e-5
        for k in (0, 3):
            message = run_task("rnn.inspect", {"run": cell["run"], "epoch": k,
                                               "input": {"index": sample["index"]}})
            assert message["kind"] == "result", message
            states = decode(message["result"]["layers"][0]["hidden"])
            assert abs(states - hidden[k, 0, 0]).max() < 1e-5
        assert abs(hidden[0] - hidden[3]).max() > 1e-3  # training moved them


def test_progress_events_say_which_cell_they_are_for(digits):
    _, recorder = digits
    ends = [m for m in recorder.of_kind("progress") if m.get("phase") == "epoch"]
    assert [(m["cell"], m["epoch"]) for m in ends] == [
        (cell, epoch) for cell in ("rnn", "lstm", "gru") for epoch in (1, 2, 3)]
    assert {m["run_id"] for m in ends} == {"cmp-digits"}
    assert {m["cell_run"] for m in ends} == {f"cmp-digits-{c}" for c in ("rnn", "lstm", "gru")}
    assert all(m["cells"] == 3 and "time_gradient_norms" in m for m in ends)


def test_the_memory_of_a_cell_equals_autograd_sequence_by_sequence(digits):
    result, _ = digits
    cell = result["cells"][1]
    kept = runs.get(cell["run"])
    model = kept.model.eval()
    expected = torch.zeros(8, dtype=torch.float64)
    for x in kept.split.x_val[:32]:
        x = x[None].clone().requires_grad_(True)
        scores = model(x)[0]
        (gradient,) = torch.autograd.grad(scores[scores.argmax()], x)
        expected += gradient[0].double().norm(dim=1)
    expected /= 32
    assert cell["memory"]["step"] == 7
    found = torch.from_numpy(decode(cell["memory"]["gradient_norms"]).copy()).double()
    assert torch.allclose(found, expected, rtol=1e-4, atol=1e-7)
    assert float(found.min()) > 0


def test_a_cancel_in_the_second_cell_keeps_the_first_whole_and_the_second_partial():
    calls = []

    def interrupt(module, inputs):
        if isinstance(module, SequenceNet) and module.cell == "gru" and module.training:
            calls.append(1)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGINT)

    handle = nn.modules.module.register_module_forward_pre_hook(interrupt)
    params = {**SMALL, "cells": ["rnn", "gru"], "training": {"epochs": 2}}
    request = {"run_id": "cmp-cancel", "task": "rnn.compare", "params": params}
    try:
        with pytest.raises(KeyboardInterrupt):
            dlviz_kernel.run_request(json.dumps(request), publisher=Recorder())
    finally:
        handle.remove()
    assert runs.get("cmp-cancel-rnn").training.history["epoch"] == [1, 2]
    partial = runs.get("cmp-cancel-gru").training
    assert partial.cancelled and partial.steps == 3 and partial.history["epoch"] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_copy_task_scores_each_recalled_symbol_and_states_the_band_of_chance():
    params = {"data": {"source": "synthetic", "synthetic": "copy", "samples": 200, "delay": 3,
                       "copy_length": 2},
              "model": {"hidden_size": 16}, "cells": ["rnn", "gru"],
              "training": {"epochs": 3, "seed": 2}}
    result = compare(params, "cmp-copy-small")
    # 40 validation sequences, 2 recalls each, every one right with probability 1/8.
    assert result["chance"] == pytest.approx(1 / 8)
    assert result["chance_band"] == pytest.approx(binomial_band(1 / 8, 80))
    for cell in result["cells"]:
        kept = runs.get(cell["run"])
        with torch.no_grad():
            guess = kept.model.eval()(kept.split.x_val).argmax(-1)
        y = kept.split.y_val
        expected = [float((guess[:, t] == y[:, t]).float().mean()) for t in (5, 6)]
        assert cell["accuracy_by_step"][:5] == [None] * 5
        assert cell["accuracy_by_step"][5:] == pytest.approx(expected)
        final = cell["history"]["validation_accuracy"][-1]
        assert sum(expected) / 2 == pytest.approx(final)
    assert_fits("rnn.compare", result)


def test_mistakes_are_refused_naming_the_field(run_task):
    assert run_task("rnn.compare", {"cells": ["lstm", "lstm"]})["field"] == "cells"
    assert run_task("rnn.compare", {"cells": ["lstm"]})["field"] == "cells"
    assert run_task("rnn.compare", {"cells": ["lstm", "cnn"]})["field"] == "cells.1"
    copy_task = {"data": {"source": "synthetic", "synthetic": "copy"},
                 "model": {"bidirectional": True}}
    assert run_task("rnn.compare", copy_task)["field"] == "model.bidirectional"
    assert run_task("rnn.compare", {"model": {"cell": "gru"}})["field"] == "model.cell"


@pytest.mark.slow
@OPT_IN
def test_copy_after_a_delay_of_20_is_recalled_by_lstm_and_gru_and_not_by_the_plain_rnn():
    began = time.perf_counter()
    result = compare(COPY, "cmp-copy")
    seconds = time.perf_counter() - began
    chance, band = result["chance"], result["chance_band"]
    assert chance == pytest.approx(1 / 8)
    # 400 validation sequences, 5 recalls each.
    assert band == pytest.approx(binomial_band(1 / 8, 2000))
    accuracy = {c["cell"]: c["history"]["validation_accuracy"][-1] for c in result["cells"]}
    recalls = {c["cell"]: [round(a, 3) for a in c["accuracy_by_step"][25:]]
               for c in result["cells"]}
    print(f"copy task, delay 20: {accuracy} (chance {chance}, band {band}) in {seconds:.0f} s;"
          f" right per recalled symbol: {recalls}")
    for cell in result["cells"]:
        by_step = cell["accuracy_by_step"]
        assert by_step[:25] == [None] * 25
        assert sum(by_step[25:]) / 5 == pytest.approx(accuracy[cell["cell"]])
    # The gated cells recall, well above the band of chance; the plain RNN is inside it.
    assert accuracy["lstm"] > band[1] + 0.1 and accuracy["gru"] > band[1] + 0.1
    assert band[0] <= accuracy["rnn"] <= band[1]
    # Why: the plain RNN's last prediction does not depend on the symbol it should recall.
    memory = {c["cell"]: decode(c["memory"]["gradient_norms"]) for c in result["cells"]}
    assert result["cells"][0]["memory"]["step"] == 29
    recalled = 4  # the last step writes back the fifth symbol, read at step 4
    for gated in ("lstm", "gru"):
        assert memory[gated][recalled] > 1000 * memory["rnn"][recalled]


def test_the_warnings_of_a_recurrent_run_speak_of_sequences_and_recurrent_cures(run_task):
    # A ReLU RNN pushed by a huge SGD step dies: its gradients vanish.
    params = {"model": {"cell": "rnn", "nonlinearity": "relu", "hidden_size": 16},
              "training": {"epochs": 2, "optimizer": "sgd", "learning_rate": 5,
                           "clip_norm": 0}}
    warnings = run_task("rnn.train", params)["result"]["warnings"]
    vanishing = [w for w in warnings if w["kind"] == "vanishing_gradients"]
    assert vanishing and "An LSTM or GRU instead of a plain RNN" in vanishing[0]["message"]
    assert not any("image" in w["message"] or "batch norm" in w["message"] for w in warnings)


def test_open_forget_gates_start_each_lstm_forget_bias_at_1_and_change_nothing_else():
    torch.manual_seed(3)
    net = SequenceNet("lstm", 4, 6, 2, 3, per_step=False, bidirectional=True, open_forget=True)
    torch.manual_seed(3)
    plain = nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True)
    theirs = dict(plain.named_parameters())
    size = 6
    for name, value in net.rnn.named_parameters():
        if name.startswith("bias_"):
            # b_if + b_hf = 1 for every unit of every layer and direction
            forget = value[size:2 * size]
            assert torch.equal(forget, torch.full_like(forget, 1.0 if "_ih" in name else 0.0))
            rest = torch.cat([value[:size], value[2 * size:]])
            assert torch.equal(rest, torch.cat([theirs[name][:size], theirs[name][2 * size:]]))
        else:
            assert torch.equal(value, theirs[name])
    # off (the default), and for other cells: PyTorch's own start
    torch.manual_seed(3)
    default = SequenceNet("lstm", 4, 6, 2, 3, per_step=False, bidirectional=True)
    assert all(torch.equal(v, theirs[k]) for k, v in default.rnn.named_parameters())
    torch.manual_seed(3)
    gru = SequenceNet("gru", 4, 6, 1, 3, per_step=False, open_forget=True)
    torch.manual_seed(3)
    assert torch.equal(gru.rnn.bias_ih_l0, nn.GRU(4, 6, batch_first=True).bias_ih_l0)


def test_the_form_field_reaches_the_lstm_of_a_comparison():
    params = {**SMALL, "cells": ["rnn", "lstm"], "model": {"hidden_size": 8,
                                                             "open_forget_gates": True},
              "training": {"epochs": 1, "seed": 5}}
    result = compare(params, "cmp-forget")
    start = runs.get(result["cells"][1]["run"]).training.snapshots.state(0)
    assert torch.equal(start["rnn.bias_ih_l0"][8:16], torch.ones(8))
    assert torch.equal(start["rnn.bias_hh_l0"][8:16], torch.zeros(8))
