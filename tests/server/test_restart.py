"""Finished runs outlive a server restart; a stopped server closes what dlviz-lab opened.

JupyterHub's idle culler stops students' servers (SIGTERM) every day: their docked views must open
again on the next server, from the run store in the Jupyter data directory.
"""

from __future__ import annotations

import numpy as np
import pytest
from live_server import LiveServer

from dlviz_lab.client import decode_array

LONG_TEXT = " ".join(["the cat sat on the mat and looked at the dog"] * 20)


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path, "--DLVizLab.max_run_seconds=300")
    yield live
    live.kill()


def test_a_restarted_server_serves_old_runs_and_their_arrays_and_sigterm_exits_quickly(server):
    server.start()
    created = server.post("runs", {"task": "transformer.attention", "preset": "long-text",
                                   "params": {"text": LONG_TEXT, "max_tokens": 200}}).json()
    before = server.wait_run(created["id"])
    assert before["status"] == "succeeded", before
    stub = before["result"]["attention"]
    assert "href" in stub and "data" not in stub  # big enough to be kept as an array file
    layer3 = decode_array(server.get(f"runs/{created['id']}/arrays/attention?index=3").json())
    # a training run still in flight when the server is told to stop
    training = server.post("runs", {"task": "cnn.train",
                                    "params": {"training": {"epochs": 200}}}).json()
    server.wait_run(training["id"], until=("running",))

    seconds = server.terminate()
    assert seconds < 10, f"the server took {seconds:.1f} s to exit after SIGTERM"
    # (the kernel shut down mid-run may log a long traceback of its own: read the whole log)
    assert "0 stored run(s)" in server.log(tail=None)

    server.start()
    assert "2 stored run(s)" in server.log(tail=None)
    listed = [r["id"] for r in server.get("runs").json()["runs"]]
    assert listed[:2] == [training["id"], created["id"]]
    after = server.get(f"runs/{created['id']}").json()
    assert after["status"] == "succeeded"
    assert after["result"] == before["result"]
    assert after["preset"] == before["preset"] == "long-text"
    again = decode_array(server.get(f"runs/{created['id']}/arrays/attention?index=3").json())
    np.testing.assert_array_equal(again, layer3)
    rows = again.astype(np.float32).sum(-1)
    np.testing.assert_allclose(rows, 1.0, atol=2e-2)
    whole = decode_array(server.get(f"runs/{created['id']}/arrays/attention").json())
    assert whole.shape == tuple(stub["shape"])
    stopped = server.get(f"runs/{training['id']}").json()
    assert stopped["status"] == "failed"
    assert stopped["error"] == "the server stopped during the run"
    assert server.terminate() < 10
