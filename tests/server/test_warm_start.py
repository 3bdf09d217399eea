"""With DLVizLab.warm_start, the scratch kernel is started and loaded when the server starts."""

from __future__ import annotations

import time

import requests
from live_server import LiveServer


def test_warm_start_starts_the_scratch_kernel_and_loads_the_model_before_any_run(tmp_path):
    server = LiveServer(tmp_path, "--DLVizLab.warm_start=True").start()
    try:
        kernels_url = f"{server.url}api/kernels"
        deadline = time.monotonic() + 120
        kernels = []
        while time.monotonic() < deadline:  # started in the background, nobody asked for a run
            kernels = requests.get(kernels_url, headers=server.headers, timeout=10).json()
            warm = " is warm" in server.log(tail=None)
            if kernels and kernels[0]["execution_state"] == "idle" and warm:
                break
            time.sleep(0.5)
        assert len(kernels) == 1, kernels
        assert f"scratch kernel {kernels[0]['id']} is warm" in server.log()
        assert server.get("runs").json()["runs"] == []  # the warm-up is no run of the student's
        created = server.post("runs", {"task": "transformer.attention",
                                       "params": {"text": "a warm kernel"}}).json()
        assert created["kernel_id"] == kernels[0]["id"]
        assert server.wait_run(created["id"])["status"] == "succeeded"
    finally:
        server.terminate()
