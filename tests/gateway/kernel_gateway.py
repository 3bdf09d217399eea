"""A real Jupyter Kernel Gateway in an environment of its own, and notebook cells sent through
the Jupyter server's websocket proxy to one of its kernels.

The gateway's environment (`make setup` builds it in .venv/gateway) has PyTorch, scikit-learn
and ipykernel but not dlviz-lab: the server ships the kernel runtime to its kernels as a bundle,
as it must for any remote kernel.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import requests
import websocket
from live_server import free_port

REPO = Path(__file__).resolve().parents[2]
GATEWAY_ENV = Path(os.environ.get("DLVIZ_GATEWAY_ENV", REPO / ".venv" / "gateway"))


class KernelGateway:
    """`jupyter kernelgateway` on 127.0.0.1, its kernels started from its own environment."""

    def __init__(self, home: Path, token: str = ""):
        self.home = Path(home)
        self.token = token
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = self.home / "gateway.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    def start(self, timeout: float = 60) -> KernelGateway:
        binary = GATEWAY_ENV / "bin" / "jupyter-kernelgateway"
        if not binary.exists():
            raise RuntimeError(f"no kernel gateway environment at {GATEWAY_ENV}: `make setup` "
                               "builds it (or set DLVIZ_GATEWAY_ENV)")
        self.home.mkdir(parents=True, exist_ok=True)
        # nothing of the test's environment: the gateway's `python` kernels are its own
        env = {"PATH": f"{GATEWAY_ENV / 'bin'}:/usr/bin:/bin", "HOME": str(self.home),
               "JUPYTER_DATA_DIR": str(self.home / "data"),
               "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
               "JUPYTER_CONFIG_DIR": str(self.home / "config"), "PYTHONUNBUFFERED": "1"}
        args = [str(binary), "--KernelGatewayApp.ip=127.0.0.1",
                f"--KernelGatewayApp.port={self.port}", "--KernelGatewayApp.port_retries=0",
                "--JupyterWebsocketPersonality.list_kernels=True"]
        if self.token:
            args.append(f"--KernelGatewayApp.auth_token={self.token}")
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(args, env=env, cwd=self.home, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited at start:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/api/kernelspecs", headers=self.headers,
                                timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the gateway did not answer in {timeout} s:\n{self.log()}")

    def kernel_ids(self) -> list[str]:
        answer = requests.get(f"{self.url}/api/kernels", headers=self.headers, timeout=10)
        answer.raise_for_status()
        return [kernel["id"] for kernel in answer.json()]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def gateway_server_args(gateway: KernelGateway, token: str | None = None) -> list[str]:
    """Arguments that send a Jupyter server's kernels to `gateway` (token: the gateway's)."""
    token = gateway.token if token is None else token
    args = [f"--GatewayClient.url={gateway.url}", "--GatewayClient.request_timeout=60"]
    return args + ([f"--GatewayClient.auth_token={token}"] if token else [])


def run_cell(server, kernel_id: str, code: str, timeout: float = 60) -> str:
    """Execute `code` in a kernel through the server's websocket (as a notebook does); stdout."""
    url = (f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
           f"?session_id={uuid.uuid4().hex}")
    socket = websocket.create_connection(url, header=server.headers, timeout=timeout)
    msg_id = uuid.uuid4().hex
    socket.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    stdout, reply, idle = [], None, False
    deadline = time.monotonic() + timeout
    try:
        # the reply (shell) and the last output (iopub) may come in either order
        while time.monotonic() < deadline and not (reply and idle):
            msg = json.loads(socket.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "status":
                idle = content.get("execution_state") == "idle"
            elif kind == "execute_reply":
                reply = content
        if reply and idle:
            if reply["status"] != "ok":
                raise AssertionError(f"the cell failed: {reply.get('ename')}: "
                                     f"{reply.get('evalue')}")
            return "".join(stdout)
    finally:
        socket.close()
    raise AssertionError(f"the cell did not finish in {timeout} s")
