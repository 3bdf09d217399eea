"""A learner's own character LSTM, defined in a notebook cell, looked into through the REST API.

A real kernel runs the cell; rnn.inspect and rnn.units name the module and its variables.
Every number is checked against what the module itself computes in that same kernel.
"""

from __future__ import annotations

import json
import math

import numpy as np

from dlviz_lab.client import decode_arrays

CHAR_LSTM_CELL = """
import torch
from torch import nn

class CharNet(nn.Module):
    # A learner's own character model: embedding, a 2-layer LSTM, a head.
    def __init__(self, vocabulary):
        super().__init__()
        self.embed = nn.Embedding(vocabulary, 6)
        self.lstm = nn.LSTM(6, 10, num_layers=2, batch_first=True)
        self.head = nn.Linear(10, vocabulary)

    def forward(self, ids):
        states, _ = self.lstm(self.embed(ids))
        return self.head(states)

torch.manual_seed(11)
chars = "ab(){} "
charnet = CharNet(len(chars))
with torch.no_grad():  # larger weights: states far from 0, gates near 0 and 1 too
    for weight in charnet.lstm.parameters():
        weight.mul_(3)
seqs = torch.randint(0, len(chars), (12, 20))
"""
TEXT = "a(b){a b}(a(b))"


async def _run_to_end(api, wait_run, body):
    code, started, _ = await api("runs", method="POST", body=body)
    assert code == 202, started
    run = decode_arrays(await wait_run(started["id"]))
    assert run["status"] == "succeeded", run["error"]
    return run["result"]


async def _own(cells, expression):
    """The value of ``expression`` in the notebook's kernel, through json."""
    reply = await cells.execute(f"import json\nprint(json.dumps({expression}))")
    assert reply["status"] == "ok", reply
    return json.loads(reply["stdout"])


async def test_a_notebook_char_lstm_is_inspected_by_name_and_its_units_searched(
        api, wait_run, start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(CHAR_LSTM_CELL))["status"] == "ok"

    result = await _run_to_end(api, wait_run, {
        "task": "rnn.inspect", "kernel_id": kid,
        "params": {"model": "charnet", "input": {"text": TEXT, "vocabulary": "chars"}}})
    assert result["network"]["cell"] == "lstm" and result["network"]["module"] == "lstm"
    assert result["network"]["layers"] == 2 and result["network"]["vocabulary_size"] == 7
    assert result["check"]["max_abs_difference"] <= 1e-5
    assert result["input"]["characters"] == list(TEXT)

    ids = f"torch.tensor([[chars.index(c) for c in {TEXT!r}]])"
    own = await _own(cells, "(lambda out: {'top': out[0][0].tolist(), "
                     "'h': out[1][0][:, 0].tolist(), 'c': out[1][1][:, 0].tolist(), "
                     "'p': torch.softmax(charnet.head(out[0]), -1)[0].tolist()})"
                     f"(charnet.lstm(charnet.embed({ids})))")
    layers = result["layers"]
    # The top layer's hidden states are the module's own output at every step.
    np.testing.assert_allclose(layers[1]["hidden"], np.array(own["top"]), atol=1e-5)
    # The last step of every layer: the module's final h and c.
    for k in (0, 1):
        np.testing.assert_allclose(layers[k]["hidden"][-1], own["h"][k], atol=1e-5)
        np.testing.assert_allclose(layers[k]["cell"][-1], own["c"][k], atol=1e-5)
    # The gates make the cell state: c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t).
    for layer in layers:
        g, c, h = layer["gates"], layer["cell"], layer["hidden"]
        before = np.vstack([np.zeros((1, c.shape[1])), c[:-1]])
        np.testing.assert_allclose(g["forget"] * before + g["input"] * g["cell"], c, atol=1e-5)
        np.testing.assert_allclose(g["output"] * np.tanh(c), h, atol=1e-5)
    # Top-5 next characters per step: the model's own probabilities.
    probabilities = np.array(own["p"])
    top = result["predictions"]["top_k"]
    np.testing.assert_allclose(top["probabilities"],
                               np.take_along_axis(probabilities, top["indices"], 1), atol=1e-6)
    assert (top["indices"][:, 0] == probabilities.argmax(1)).all()

    # rnn.units on the notebook's own sequences: the units on across steps 3..5 of seqs[2].
    params = {"model": "charnet", "input": {"variable": "seqs", "index": 2, "vocabulary": "chars"},
              "layer": 1, "start": 3, "end": 6, "threshold": 0.0, "search": 10}
    units = await _run_to_end(api, wait_run, {"task": "rnn.units", "kernel_id": kid,
                                              "params": params})
    states = np.array(await _own(cells, "charnet.lstm(charnet.embed(seqs))[0].tolist()"))
    on = (states[2, 3:6] >= 0.0).all(0)
    assert sorted(units["units"]) == np.nonzero(on)[0].tolist() and units["units"]
    assert units["searched"] == {"sequences": 10, "steps": 200}
    text = await _own(cells, "[''.join(chars[i] for i in row) for row in seqs.tolist()]")
    need = max(1, math.ceil(len(units["units"]) / 2))
    assert units["matches"]
    for match in units["matches"]:
        index, start, end = match["index"], match["start"], match["end"]
        assert index < 10 and not (index == 2 and start < 6 and end > 3)
        chosen = states[index][:, units["units"]] >= 0.0
        assert (chosen[start:end].sum(1) >= need).all()
        assert chosen[start:end].all(0).sum() == round(match["score"] * len(units["units"]))
        assert f"[{text[index][start:end]}]" in match["text"]
