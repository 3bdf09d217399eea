"""In a real ipykernel, a silent request's messages arrive on iopub under its msg_id."""

import json
import os

import pytest
from jupyter_client.manager import start_new_kernel

from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import MIME_TYPE


@pytest.fixture(scope="module")
def kernel():
    """A fresh ipykernel of this Python, offline like a course pod."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    manager, client = start_new_kernel(kernel_name="python3", env=env, startup_timeout=120)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def execute_silently(client, code):
    """Send code like the server does; return our messages and the execute reply."""
    msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
    ours = []
    while True:
        message = client.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "display_data" and MIME_TYPE in message["content"]["data"]:
            ours.append(message["content"]["data"][MIME_TYPE])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=120)
    assert reply["parent_header"]["msg_id"] == msg_id
    return ours, reply["content"]


# What the server's kernel_entry does: a fixed source run in a fresh dict, with the request as a
# JSON string literal, so the learner's namespace gets no new names.
ENTRY = "import dlviz_kernel\ndlviz_kernel.run_request(REQUEST)\n"


def request_code(request, entry=ENTRY):
    globals_literal = "{'REQUEST': " + json.dumps(json.dumps(request)) + "}"
    return f"exec(compile({json.dumps(entry)}, '<dlviz-lab>', 'exec'), {globals_literal})\n"


def user_names(client):
    """The learner's variable names, read through user_expressions."""
    expression = "sorted(k for k in globals() if not k.startswith('_'))"
    msg_id = client.execute("", silent=True, user_expressions={"names": expression})
    reply = client.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]["user_expressions"]["names"]["data"]["text/plain"]


@pytest.mark.slow
def test_attention_request_publishes_progress_then_result_on_iopub(kernel):
    request = {"run_id": "k1", "task": "transformer.attention",
               "params": {"text": "It's \"quoted\"\nand '''odd'''", "max_tokens": 12}}
    messages, reply = execute_silently(kernel, request_code(request))
    assert reply["status"] == "ok"
    assert [m["kind"] for m in messages] == ["progress"] * 4 + ["result"]
    result = messages[-1]["result"]
    assert messages[-1]["run_id"] == "k1"
    assert len(result["tokens"]) == 12 and result["truncated"] is True
    assert decode(result["attention"]).shape == (6, 12, 12, 12)


@pytest.mark.slow
def test_models_request_lists_the_notebook_models_and_assigns_nothing(kernel):
    _, reply = execute_silently(kernel, "import torch\nmy_net = torch.nn.Linear(3, 1)\n")
    assert reply["status"] == "ok"
    before = user_names(kernel)
    messages, reply = execute_silently(kernel, request_code({"run_id": None, "task": "__models__"}))
    assert reply["status"] == "ok"
    assert messages == [{"kind": "models", "models": [
        {"name": "my_net", "class_name": "Linear", "kind": "module", "parameters": 4}]}]
    assert user_names(kernel) == before
    assert "dlviz_kernel" not in before


@pytest.mark.slow
def test_unexpected_failure_is_an_execute_reply_error(kernel):
    # A request cut short is not JSON: a bug, not a learner's mistake.
    broken_entry = ENTRY.replace("REQUEST", "REQUEST[:-1]")
    code = request_code({"run_id": "k3", "task": "transformer.attention"}, broken_entry)
    messages, reply = execute_silently(kernel, code)
    assert reply["status"] == "error"
    assert reply["ename"] == "JSONDecodeError"
    assert messages == []
