"""Server test fixtures: a real jupyter_server with dlviz_lab, real ipykernel kernels."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from jupyter_client.asynchronous import AsyncKernelClient

from dlviz_lab.run_record import TERMINAL


@pytest.fixture(autouse=True)
async def jp_asyncio_loop():
    """pytest-asyncio (asyncio_mode=auto) runs the tests: serve on the loop it runs them in."""
    yield asyncio.get_running_loop()


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}},
            "DLVizLab": {"max_run_seconds": 300}}


@pytest.fixture
def api(jp_fetch):
    """Call the dlviz-lab REST API: `await api("runs", method="POST", body={...})` -> (code, json).

    Error answers come back as (code, json) too instead of raising.
    """

    async def call(*parts, method="GET", body=None, **kwargs):
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        response = await jp_fetch("dlviz-lab", "api", *parts, method=method, body=body,
                                  raise_error=False, **kwargs)
        text = response.body.decode() if response.body else ""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = text
        return response.code, data, response

    return call


@pytest.fixture
def wait_run(api):
    """Poll GET runs/{id} until the run is finished; returns the run."""

    async def wait(run_id, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code, run, _ = await api("runs", run_id)
            assert code == 200, run
            if run["status"] in TERMINAL:
                return run
            await asyncio.sleep(0.2)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s: {run}")

    return wait


@pytest.fixture
def start_kernel(jp_fetch):
    """Start a kernel through the kernels API, as JupyterLab does for a notebook."""

    async def start():
        response = await jp_fetch("api", "kernels", method="POST",
                                  body=json.dumps({"name": "python3"}))
        return json.loads(response.body)["id"]

    return start


class NotebookClient:
    """A client of its own on a kernel, sending cells like a notebook (store_history=True)."""

    def __init__(self, kernel_manager, kernel_id):
        self.kernel = kernel_manager.get_kernel(kernel_id)
        # a cloned session, like any second client in one process (see dlviz_lab.bridge)
        session = self.kernel.session.clone()
        session.session = uuid.uuid4().hex
        self.client: AsyncKernelClient = self.kernel.client(session=session)

    async def start(self):
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=60)
        return self

    async def execute(self, code: str, timeout: float = 120) -> dict:
        """Run a cell; returns {"status", "execution_count", "stdout", "data", "outputs"}.

        `outputs` are the rich outputs as a notebook saves them (nbformat output dicts).
        """
        msg_id = self.client.execute(code, store_history=True)
        stdout, data, outputs = [], None, []
        deadline = time.monotonic() + timeout
        while True:
            msg = await self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                stdout.append(content["text"])
            elif kind == "execute_result":
                data = content["data"].get("text/plain")
                outputs.append({"output_type": kind, "data": content["data"],
                                "metadata": content.get("metadata", {}),
                                "execution_count": content.get("execution_count")})
            elif kind == "display_data":
                outputs.append({"output_type": kind, "data": content["data"],
                                "metadata": content.get("metadata", {})})
            elif kind == "status" and content["execution_state"] == "idle":
                break
        while True:
            reply = await self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return {"status": reply["content"]["status"],
                "execution_count": reply["content"].get("execution_count"),
                "stdout": "".join(stdout), "data": data, "reply": reply["content"],
                "outputs": outputs}

    def stop(self):
        self.client.stop_channels()


@pytest.fixture
def notebook(jp_serverapp):
    clients = []

    async def connect(kernel_id):
        client = await NotebookClient(jp_serverapp.kernel_manager, kernel_id).start()
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.stop()
