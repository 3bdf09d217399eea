"""rnn.units in-process: the units on across a span, checked against rnn.inspect's states.

Every claim of a result is recomputed here: the units really are at or above the threshold
over the span (from rnn.inspect's hidden states of the same sequence), the list is complete,
off_outside is honoured, and each match really has the stated share of those units on at
every one of its steps. On the bracket task the best unit tracks the nesting depth.
"""

import json
import math

import pytest
import torch

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.training import runs

from .test_result_schemas import errors_of

BRACKETS = {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 1000,
                     "sequence_length": 60},
            "model": {"cell": "lstm", "hidden_size": 32, "embedding_size": 8},
            "training": {"epochs": 5, "learning_rate": 0.01, "seed": 0}}


def hidden_of(run_task, source, index, layer=0, direction="forward", max_steps=200):
    """rnn.inspect's hidden states [T, H] of one sequence, layer and direction."""
    message = run_task("rnn.inspect", {**source, "input": {"index": index},
                                       "max_steps": max_steps})
    assert message["kind"] == "result", message
    layers = message["result"]["layers"]
    entry = next(e for e in layers if e["layer"] == layer and e["direction"] == direction)
    return torch.from_numpy(decode(entry["hidden"]).copy())


def deepest_span(depth, sequences=50, deep=3):
    """(index, start, end) of the longest run of steps at nesting depth >= ``deep``."""
    best = (0, 0, 1)
    for index in range(sequences):
        start = None
        for t, value in enumerate(depth[index].tolist() + [0]):
            if value >= deep and start is None:
                start = t
            elif value < deep and start is not None:
                if t - start > best[2] - best[1]:
                    best = (index, start, t)
                start = None
    return best


@pytest.fixture(scope="module")
def brackets_run():
    message = dlviz_kernel.run_request(json.dumps({"run_id": "units-brackets", "task": "rnn.train",
                                      "params": BRACKETS}), publisher=Recorder())
    assert message["kind"] == "result", message
    trained = runs.get("units-brackets")
    return trained, deepest_span(trained.data.signals["depth"])


def check_units(result, hidden):
    """The result's units are exactly those on across the span (and off outside if asked)."""
    start, end, threshold = result["start"], result["end"], result["threshold"]
    on = (hidden[start:end] >= threshold).all(0)
    if result["off_outside"]:
        if start > 0:
            on &= hidden[start - 1] < threshold
        if end < hidden.shape[0]:
            on &= hidden[end] < threshold
    assert sorted(result["units"]) == torch.nonzero(on).flatten().tolist()
    means = hidden[start:end].mean(0)
    assert result["unit_means"] == pytest.approx([float(means[u]) for u in result["units"]],
                                                 abs=1e-5)
    assert result["unit_means"] == sorted(result["unit_means"], reverse=True)


def check_match(match, hidden, units, threshold):
    """The match has round(score * units) of ``units`` on at each step and is a maximal run."""
    on = hidden[:, units] >= threshold
    need = max(1, math.ceil(len(units) / 2))
    start, end = match["start"], match["end"]
    assert (on[start:end].sum(1) >= need).all()
    assert int(on[start:end].all(0).sum()) == round(match["score"] * len(units))
    assert match["score"] > 0
    if start > 0:
        assert on[start - 1].sum() < need
    if end < hidden.shape[0]:
        assert on[end].sum() < need


def test_the_units_on_across_a_deep_span_are_found_and_their_matches_are_real(
        run_task, brackets_run):
    trained, (index, start, end) = brackets_run
    source = {"run": "units-brackets"}
    params = {**source, "input": {"index": index}, "start": start, "end": end,
              "threshold": 0.5, "search": 300, "matches": 8}
    message = run_task("rnn.units", params)
    assert message["kind"] == "result", message
    result = message["result"]
    hidden = hidden_of(run_task, source, index)
    assert result["units"], "a trained bracket LSTM has units on inside deep nesting"
    check_units(result, hidden)
    assert result["searched"] == {"sequences": 300, "steps": 300 * 60}
    matches = result["matches"]
    assert len(matches) == 8
    keys = [(-m["score"], -(m["end"] - m["start"])) for m in matches]
    assert keys == sorted(keys)
    for match in matches:
        assert not (match["index"] == index and match["start"] < end and match["end"] > start)
        seen = hidden_of(run_task, source, match["index"])
        check_match(match, seen, result["units"], 0.5)
        span = trained.data.decode(trained.data.x[match["index"], match["start"]:match["end"]])
        assert f"[{span}]" in match["text"]
    assert errors_of("rnn.units", result) == []


def test_off_outside_keeps_only_units_that_switch_on_and_off_at_the_span(
        run_task, brackets_run):
    _, (index, start, end) = brackets_run
    source = {"run": "units-brackets"}
    hidden = hidden_of(run_task, source, index)
    # A short span inside the deep one, and a low threshold: many units on, fewer off outside.
    inner = {**source, "input": {"index": index}, "start": start + 2, "end": start + 4,
             "threshold": 0.0, "search": 10}
    plain = run_task("rnn.units", inner)["result"]
    strict = run_task("rnn.units", {**inner, "off_outside": True})["result"]
    check_units(plain, hidden)
    check_units(strict, hidden)
    assert set(strict["units"]) < set(plain["units"])
    assert errors_of("rnn.units", strict) == []


def test_the_best_unit_of_a_deep_span_tracks_the_nesting_depth(run_task, brackets_run):
    trained, (index, start, end) = brackets_run
    source = {"run": "units-brackets"}
    result = run_task("rnn.units", {**source, "input": {"index": index}, "start": start,
                                    "end": end, "threshold": 0.5, "search": 10})["result"]
    best = result["units"][0]
    # Its hidden value over 8 validation sequences, read by rnn.inspect, against the depth.
    sequences = trained.split.val_index[:8].tolist()
    values = torch.cat([hidden_of(run_task, source, i)[:, best] for i in sequences])
    depth = torch.cat([trained.data.signals["depth"][i] for i in sequences]).double()
    r = torch.corrcoef(torch.stack([values, depth]))[0, 1]
    print(f"bracket task: unit {best} of {len(result['units'])} on, r = {float(r):.3f}")
    assert abs(float(r)) >= 0.8, float(r)


NOTEBOOK = (
    "import torch\nfrom torch import nn\n"
    "torch.manual_seed(3)\n"
    "reader = nn.GRU(2, 6, num_layers=2, bidirectional=True)\n"
    "waves = torch.sin(torch.linspace(0, 12, 30)).repeat(40, 1)\n"
    "waves = waves * torch.linspace(0.2, 3, 40)[:, None]\n"
    "X = torch.stack([waves, waves.roll(3, dims=1)], dim=2)\n")


def test_a_notebook_module_searches_its_sequence_variable_in_the_backward_top_layer(
        run_task, shell):
    shell.run_cell(NOTEBOOK)
    reader, x = shell.user_ns["reader"], shell.user_ns["X"]
    params = {"model": "reader", "input": {"variable": "X", "index": 39}, "layer": 1,
              "direction": 1, "start": 4, "end": 7, "threshold": 0.1, "search": 40,
              "matches": 50}
    message = run_task("rnn.units", params)
    assert message["kind"] == "result", message
    result = message["result"]
    assert result["source"] == {"run": None, "model": "reader", "epoch": None}
    # The module's own outputs, sequence-first: the backward half of the top layer.
    with torch.no_grad():
        out, _ = reader(x.transpose(0, 1))
    backward = out.transpose(0, 1)[..., 6:].double()
    check_units(result, backward[39])
    assert result["units"]
    assert result["searched"] == {"sequences": 40, "steps": 40 * 30}
    assert result["matches"] and all(m["text"] is None for m in result["matches"])
    for match in result["matches"]:
        check_match(match, backward[match["index"]], result["units"], 0.1)
    assert errors_of("rnn.units", result) == []
    # A typed sequence searches nothing (no variable named).
    typed = run_task("rnn.units", {**params, "input": {"values": x[0].tolist()}})["result"]
    assert typed["searched"] == {"sequences": 0, "steps": 0} and typed["matches"] == []


def test_mistakes_are_refused_naming_the_field(run_task, brackets_run):
    source = {"run": "units-brackets", "input": {"index": 0}}
    assert run_task("rnn.units", {**source, "start": 5, "end": 5})["field"] == "end"
    assert run_task("rnn.units", {**source, "start": 5, "end": 61})["field"] == "end"
    assert run_task("rnn.units", {**source, "end": 3, "layer": 1})["field"] == "layer"
    assert run_task("rnn.units", {**source, "end": 3, "direction": 1})["field"] == "direction"
    assert run_task("rnn.units", {**source, "end": 3, "search": 9})["field"] == "search"
