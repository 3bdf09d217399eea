"""Remote kernels: a Jupyter server whose kernels live behind a real Jupyter Kernel Gateway.

Enterprise Gateway speaks the same protocol (`--GatewayClient.url`), so these cover the path a
course takes when its kernels run on other machines.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np
import psutil
import pytest
import requests
import torch
from kernel_gateway import GATEWAY_ENV, KernelGateway, gateway_server_args, run_cell
from live_server import LiveServer

from dlviz_lab.client import decode_array

TOKEN = "gateway-secret"
NET = ("import torch\n"
       "torch.manual_seed(7)\n"
       "net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),\n"
       "                          torch.nn.Linear(4 * 6 * 6, 10))\n")


def local_net():
    torch.manual_seed(7)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 6 * 6, 10))


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    live = KernelGateway(tmp_path_factory.mktemp("gateway"), token=TOKEN).start()
    yield live
    live.stop()


@pytest.fixture
def server(tmp_path, gateway):
    live = LiveServer(tmp_path, *gateway_server_args(gateway), "--DLVizLab.max_run_seconds=300")
    yield live.start()
    live.kill()


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def test_the_gateway_environment_has_no_dlviz_lab_so_the_runtime_travels_as_a_bundle():
    probe = subprocess.run([str(GATEWAY_ENV / "bin" / "python"), "-c", "import dlviz_kernel"],
                           capture_output=True, text=True, cwd="/")
    assert probe.returncode != 0 and "No module named 'dlviz_kernel'" in probe.stderr


def test_a_scratch_run_behind_a_gateway_with_a_token_waits_without_spinning(server, gateway):
    created = server.post("runs", {"task": "cnn.train",
                                   "params": {"training": {"epochs": 4}}})
    assert created.status_code == 202, created.text
    run_id, kernel_id = created.json()["id"], created.json()["kernel_id"]
    process = psutil.Process(server.process.pid)
    began, cpu_before = time.monotonic(), cpu_seconds(process)
    run = server.wait_run(run_id)
    wall, cpu = time.monotonic() - began, cpu_seconds(process) - cpu_before
    assert run["status"] == "succeeded", run.get("error")
    assert kernel_id in gateway.kernel_ids()  # the scratch kernel is the gateway's
    losses = run["result"]["history"]["train_loss"]
    assert len(losses) == 4 and losses[-1] < losses[0]
    # the kernel works; the server only waits for its messages (a spinning wait: ~1 s per s)
    print(f"server CPU during a gateway run: {cpu:.2f} s over {wall:.1f} s")
    assert wall > 2 and cpu / wall < 0.35, f"server CPU {cpu:.2f} s over {wall:.1f} s"

    seconds = server.terminate()
    assert seconds < 10, f"the server took {seconds:.1f} s to exit after SIGTERM"


def test_a_notebook_kernel_behind_a_gateway_lists_inspects_and_cancels(server):
    started = requests.post(f"{server.url}api/kernels", headers=server.headers,
                            json={"name": "python3"}, timeout=60)
    assert started.status_code == 201, started.text
    kernel_id = started.json()["id"]
    run_cell(server, kernel_id, NET)

    models = server.get(f"kernels/{kernel_id}/models")
    assert models.status_code == 200, models.text
    listed = {m["name"]: m for m in models.json()["models"]}
    expected = local_net()
    assert listed["net"]["parameters"] == sum(p.numel() for p in expected.parameters())

    inspected = server.post("runs", {"task": "cnn.inspect", "kernel_id": kernel_id,
                                     "params": {"model": "net", "input": {"index": 3}}}).json()
    run = server.wait_run(inspected["id"])
    assert run["status"] == "succeeded", run.get("error")
    filters = decode_array(server.get(f"runs/{run['id']}/arrays/layers.0.filters").json())
    np.testing.assert_allclose(filters, expected[0].weight.detach().numpy(), rtol=1e-6)
    probabilities = decode_array(server.get(f"runs/{run['id']}/arrays/probabilities").json())
    assert probabilities.shape == (10,) and abs(float(probabilities.sum()) - 1) < 1e-5

    training = server.post("runs", {"task": "cnn.train", "kernel_id": kernel_id,
                                    "params": {"training": {"epochs": 300}}}).json()
    server.wait_run(training["id"], until=("running",))
    time.sleep(1.0)
    cancel = requests.delete(server.api(f"runs/{training['id']}"), headers=server.headers,
                             timeout=30)
    assert cancel.status_code == 202, cancel.text
    stopped = server.wait_run(training["id"], timeout=60)
    assert stopped["status"] == "cancelled", stopped
    # the interrupt stopped the training, not the kernel: the notebook goes on
    assert run_cell(server, kernel_id, "print(sum(p.numel() for p in net.parameters()))") \
        == f"{listed['net']['parameters']}\n"


def test_without_a_token_on_either_side_runs_work_too(tmp_path):
    open_gateway = KernelGateway(tmp_path / "gateway").start()
    live = LiveServer(tmp_path / "server", *gateway_server_args(open_gateway))
    try:
        live.start()
        created = live.post("runs", {"task": "cnn.train",
                                     "params": {"training": {"epochs": 1}}}).json()
        run = live.wait_run(created["id"])
        assert run["status"] == "succeeded", run.get("error")
        assert run["result"]["history"]["epoch"] == [1]
        assert live.terminate() < 10
    finally:
        live.kill()
        open_gateway.stop()
