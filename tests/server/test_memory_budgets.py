"""The largest runs a form allows stay within the byte budgets of a course pod.

The two scenarios that broke a 2 GB pod before the budgets: a CNN with two 256-filter blocks on
large batches, and a 6-layer transformer trained for many epochs on 128 tokens. Both run through a
real server (its own process, so its memory is its own) into a real kernel; the test samples both
processes' memory and times `GET catalog` every 50 ms throughout.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests
from live_server import LiveServer

MiB = 1024 * 1024
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "server"
# the defaults of DLVizLab.max_result_bytes and max_array_bytes_kept
RESULT_BUDGET = 64 * MiB
# what the processes may reach on a 2 GB pod (kernel: torch and the run; server: jupyter + arrays)
KERNEL_RSS_BOUND = 1100 * MiB
SERVER_RSS_BOUND = 450 * MiB
STALL_BOUND = 0.5  # seconds: the longest GET catalog while these runs train and finish

WIDE_CNN = {"task": "cnn.train", "params": {
    "data": {"source": "shapes", "samples": 2000},
    "blocks": [{"filters": 256, "kernel_size": 11, "stride": 4, "padding": 0, "pooling": "none"},
               {"filters": 256, "kernel_size": 8, "stride": 4, "padding": 4, "pooling": "none"}],
    "training": {"batch_size": 4096, "epochs": 12}}}
LONG_TRANSFORMER = {"task": "transformer.train", "params": {
    "text": " ".join(f"w{i}" for i in range(62)), "text_b": " ".join(f"v{i}" for i in range(63)),
    "layers": 6, "heads": 8, "embedding_size": 32, "feed_forward": 64, "epochs": 60}}


class Watch:
    """Samples server and kernel RSS and the latency of GET catalog, every 50 ms, in a thread."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.process = psutil.Process(server.process.pid)
        self.server_rss = self.kernel_rss = 0
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        session = requests.Session()
        while not self._stop.is_set():
            try:
                self.server_rss = max(self.server_rss, self.process.memory_info().rss)
                for child in self.process.children(recursive=True):
                    self.kernel_rss = max(self.kernel_rss, child.memory_info().rss)
            except psutil.Error:
                pass
            began = time.perf_counter()
            answer = session.get(self.server.api("catalog"), headers=self.server.headers,
                                 timeout=30)
            self.latencies.append(time.perf_counter() - began)
            assert answer.status_code == 200
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("memory")).start()
    yield live
    live.terminate()


@pytest.mark.parametrize("request_body", [WIDE_CNN, LONG_TRANSFORMER], ids=["cnn", "transformer"])
def test_the_largest_training_runs_stay_within_the_budgets(server, request_body):
    with Watch(server) as watch:
        created = server.post("runs", request_body).json()
        run = server.wait_run(created["id"], timeout=600)
        assert run["status"] == "succeeded", run
        # the views fetch the big arrays after the run: that stays within bounds too
        for path in stub_paths(run["result"]):
            assert server.get(f"runs/{run['id']}/arrays/{path}").status_code == 200
    kept = run["result"]["kept"]
    report = {"task": request_body["task"], "kept": kept,
              "server_rss_mib": round(watch.server_rss / MiB),
              "kernel_rss_mib": round(watch.kernel_rss / MiB),
              "catalog_max_ms": round(max(watch.latencies) * 1000),
              "catalog_requests": len(watch.latencies)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"memory-{request_body['task']}.json").write_text(json.dumps(report, indent=1))
    print(report)
    epochs = request_body["params"]["training"]["epochs"] if "training" in request_body[
        "params"] else request_body["params"]["epochs"]
    assert kept["snapshot_epochs"][-1] == epochs  # the last epoch is always kept
    assert kept["bytes"] <= RESULT_BUDGET
    assert run["result"]["snapshots"]["epochs"] == kept["snapshot_epochs"]
    assert watch.kernel_rss < KERNEL_RSS_BOUND, report
    assert watch.server_rss < SERVER_RSS_BOUND, report
    # no stall like the 5.5 s (CNN) and 3.9 s (transformer) ones before the budgets; timed from
    # this test's process, which downloads the big arrays meanwhile, on 2 cores shared with the
    # training kernel (the server's own latency bar, 200 ms, is test_latency.py's)
    assert max(watch.latencies) < STALL_BOUND, report


def stub_paths(result, path=()):
    """Dotted paths of the arrays a run keeps on the server (stubs with an href)."""
    if isinstance(result, dict):
        if "href" in result and "data" not in result:
            yield ".".join(path)
            return
        for key, value in result.items():
            yield from stub_paths(value, (*path, str(key)))
    elif isinstance(result, list):
        for i, value in enumerate(result):
            yield from stub_paths(value, (*path, str(i)))
