"""Training in a real ipykernel: cancel stops within a second and the kernel keeps working."""

import ast
import json
import os
import time

import pytest
from jupyter_client.manager import start_new_kernel

from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import MIME_TYPE

# The server's fixed entry code, with the request handed over as a JSON string literal.
ENTRY = "import dlviz_kernel\ndlviz_kernel.run_request(REQUEST)\n"


def request_code(request):
    globals_literal = "{'REQUEST': " + json.dumps(json.dumps(request)) + "}"
    return f"exec(compile({json.dumps(ENTRY)}, '<dlviz-lab>', 'exec'), {globals_literal})\n"


@pytest.fixture(scope="module")
def kernel():
    """A fresh ipykernel of this Python with its manager (to interrupt it)."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    manager, client = start_new_kernel(kernel_name="python3", env=env, startup_timeout=120)
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def collect(client, msg_id, on_message=None, timeout=120):
    """Our messages for ``msg_id`` until the kernel is idle, then the execute reply."""
    ours = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "display_data" and MIME_TYPE in message["content"]["data"]:
            ours.append(message["content"]["data"][MIME_TYPE])
            if on_message is not None:
                on_message(ours[-1])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id
    return ours, reply["content"]


def evaluate(client, expression):
    """The text/plain value of a Python expression evaluated in the kernel."""
    msg_id = client.execute("", silent=True, user_expressions={"value": expression})
    reply = client.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]["user_expressions"]["value"]["data"]["text/plain"]


@pytest.mark.slow
def test_cancel_mid_training_stops_within_a_second_and_the_kernel_runs_the_next_task(kernel):
    manager, client = kernel
    request = {"run_id": "kc1", "task": "cnn.train",
               "params": {"training": {"epochs": 400, "batch_size": 8}}}
    msg_id = client.execute(request_code(request), silent=True, store_history=False,
                            allow_stdin=False)
    interrupted = {}

    def interrupt_after_two_epochs(message):
        if (not interrupted and message["kind"] == "progress"
                and message.get("phase") == "epoch" and message["epoch"] >= 2):
            interrupted["at"] = time.monotonic()
            manager.interrupt_kernel()

    messages, reply = collect(client, msg_id, interrupt_after_two_epochs)
    stopped_after = time.monotonic() - interrupted["at"]
    print(f"stopped {stopped_after:.3f} s after the interrupt")
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert stopped_after < 1.0
    assert [m for m in messages if m["kind"] in ("result", "error")] == []
    last_epoch = max(m["epoch"] for m in messages if m["kind"] == "progress")
    assert 2 <= last_epoch < 400

    # The partial model is kept and the kernel takes the next task.
    assert evaluate(client, "type(__import__('dlviz_kernel').get_model('kc1')).__name__") \
        == "'FormCNN'"
    inspect = {"run_id": "ki1", "task": "cnn.inspect", "params": {"run": "kc1", "epoch": 2}}
    msg_id = client.execute(request_code(inspect), silent=True, store_history=False)
    messages, reply = collect(client, msg_id)
    assert reply["status"] == "ok"
    result = messages[-1]["result"]
    assert messages[-1]["kind"] == "result" and result["source"]["epoch"] == 2
    assert decode(result["layers"][0]["filters"]).shape == (16, 1, 3, 3)
    # Interrupts raise again as usual once training is over.
    assert evaluate(client, "__import__('signal').getsignal(2).__name__") \
        == "'default_int_handler'"


@pytest.mark.slow
def test_inserted_code_cell_trains_in_the_notebook_and_returns_model_and_history(kernel):
    _, client = kernel
    code = ("import dlviz_kernel\n"
            "model, history = dlviz_kernel.train('cnn.train', {'training': {'epochs': 2}})\n")
    msg_id = client.execute(code)
    printed = []
    while True:
        message = client.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=120)
    assert reply["content"]["status"] == "ok"
    assert "epoch 2/2" in "".join(printed)
    assert evaluate(client, "len(history['validation_accuracy'])") == "2"
    assert evaluate(client, "type(model).__name__") == "'FormCNN'"


@pytest.mark.slow
def test_a_cnn_class_from_a_notebook_cell_is_inspected_in_the_kernel(kernel):
    _, client = kernel
    cell = ("import torch\n"
            "from torch import nn\n\n"
            "class Edges(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv = nn.Conv2d(1, 3, 3)\n"
            "        self.head = nn.Linear(3 * 6 * 6, 10)\n\n"
            "    def forward(self, x):\n"
            "        return self.head(torch.tanh(self.conv(x)).flatten(1))\n\n"
            "torch.manual_seed(0)\n"
            "edges = Edges()\n")
    msg_id = client.execute(cell, silent=True)
    assert collect(client, msg_id)[1]["status"] == "ok"
    request = {"run_id": "kn1", "task": "cnn.inspect",
               "params": {"model": "edges", "input": {"index": 3}}}
    msg_id = client.execute(request_code(request), silent=True, store_history=False)
    messages, reply = collect(client, msg_id)
    assert reply["status"] == "ok" and messages[-1]["kind"] == "result"
    layer = messages[-1]["result"]["layers"][0]
    weights = evaluate(client, "edges.conv.weight.detach().flatten().tolist()")
    assert decode(layer["filters"]).flatten().tolist() == ast.literal_eval(weights)
    maps = evaluate(client, "edges.conv(torch.tensor(__import__('sklearn.datasets').datasets"
                            ".load_digits().images[3:4, None] / 16.0, dtype=torch.float32))"
                            "[0].detach().flatten().tolist()")
    expected = ast.literal_eval(maps)
    got = decode(layer["feature_maps"]).flatten().tolist()
    assert len(got) == 3 * 6 * 6
    assert max(abs(a - b) for a, b in zip(got, expected)) < 1e-5
