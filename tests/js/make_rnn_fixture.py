"""Writes tests/js/rnnRuns.fixture.json: real RNN results for the explorer's jest tests.

Run from the repository root: ``.venv/bin/python tests/js/make_rnn_fixture.py``. In one kernel
session (the kernel runtime in-process, one thread):

- ``digits`` (an LSTM of 8 units on 300 digits, 3 epochs) and ``brackets`` (a GRU of 6 units,
  2 epochs): the ``rnn.train`` result, and ``rnn.inspect`` of its sample at the last epoch and
  at epoch 1;
- ``compare``: an ``rnn.compare`` of RNN, LSTM and GRU (6 units, 3 epochs, the copy task) with
  its epoch progress events, and ``rnn.inspect`` of the LSTM cell's sample at epoch 1.

The tests check the browser's arithmetic (saved states as inspect results, live curves) against
these, so the file changes only when the kernel's results do.
"""

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "kernels"))

import dlviz_kernel  # noqa: E402
from dlviz_kernel.protocol import Recorder  # noqa: E402

TRAINED = {
    "digits": {"data": {"source": "digits-rows", "samples": 300}, "model": {"hidden_size": 8},
               "training": {"epochs": 3}},
    "brackets": {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 100,
                          "sequence_length": 12},
                 "model": {"cell": "gru", "hidden_size": 6}, "training": {"epochs": 2}},
}
COMPARED = {"data": {"source": "synthetic", "synthetic": "copy", "samples": 120, "delay": 3,
                     "copy_length": 2},
            "model": {"hidden_size": 6}, "training": {"epochs": 3}}


def run(task, params, run_id, recorder=None):
    """The result of one request; exits with the kernel's error if there is none."""
    recorder = recorder or Recorder()
    request = {"run_id": run_id, "task": task, "params": params}
    dlviz_kernel.run_request(json.dumps(request), publisher=recorder)
    results = recorder.of_kind("result")
    if not results:
        raise SystemExit(f"{task} failed: {recorder.of_kind('error')}")
    return results[0]["result"]


def main() -> None:
    torch.set_num_threads(1)
    out = {}
    for name, params in TRAINED.items():
        train = run("rnn.train", params, name)
        index = train["sample"]["index"]
        out[name] = {
            "train": train,
            "last": run("rnn.inspect", {"run": name, "epoch": -1, "input": {"index": index}},
                        f"{name}-i1"),
            "epoch1": run("rnn.inspect", {"run": name, "epoch": 1, "input": {"index": index}},
                          f"{name}-i2"),
        }
    recorder = Recorder()
    result = run("rnn.compare", COMPARED, "cmp", recorder)
    events = [m for m in recorder.of_kind("progress") if m.get("phase") == "epoch"]
    lstm = next(cell for cell in result["cells"] if cell["cell"] == "lstm")
    cell_epoch1 = run("rnn.inspect", {"run": lstm["run"], "epoch": 1,
                                      "input": {"index": lstm["sample"]["index"]}}, "cmp-i1")
    out["compare"] = {"events": events, "result": result, "lstm_epoch1": cell_epoch1}
    path = os.path.join(HERE, "rnnRuns.fixture.json")
    with open(path, "w") as file:
        json.dump(out, file, separators=(",", ":"))
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
