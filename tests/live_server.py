"""A real Jupyter server with dlviz_lab in a process of its own, to restart or signal in tests.

In-process servers (pytest-jupyter) cannot be stopped with SIGTERM or started again on the same
data directory within one test; this one can.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python -m jupyter_server` on 127.0.0.1 with its own token and folders under `home`.

    The data directory (where the run store lives) stays the same across `start()` calls.
    """

    def __init__(self, home: Path, *args: str, token: str = "dlviz-live-test"):
        self.home = Path(home)
        self.args = list(args)
        self.token = token
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = self.home / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def api(self, path: str) -> str:
        return f"{self.url}dlviz-lab/api/{path}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def start(self, timeout: float = 60) -> LiveServer:
        for name in ("root", "data", "runtime", "config"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, JUPYTER_DATA_DIR=str(self.home / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
                   JUPYTER_CONFIG_DIR=str(self.home / "config"),
                   HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
        args = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", "--ServerApp.allow_root=True",
                f"--ServerApp.root_dir={self.home / 'root'}", *self.args]
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        # a session of its own: kill() takes its kernels along if it has to
        self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log()}")
            try:
                if requests.get(self.api("catalog"), headers=self.headers, timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer in {timeout} s:\n{self.log()}")

    def get(self, path: str, **kwargs):
        return requests.get(self.api(path), headers=self.headers, timeout=30, **kwargs)

    def post(self, path: str, body: dict):
        return requests.post(self.api(path), headers=self.headers, json=body, timeout=30)

    def wait_run(self, run_id: str, timeout: float = 240, until=("succeeded", "failed",
                                                                  "cancelled")) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"runs/{run_id}").json()
            if run["status"] in until:
                return run
            time.sleep(0.2)
        raise AssertionError(f"run {run_id} did not reach {until} in {timeout} s")

    def terminate(self, timeout: float = 30) -> float:
        """SIGTERM, as JupyterHub's spawner and the idle culler stop a server; seconds to exit."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the server did not exit {timeout} s after SIGTERM:\n"
                                 f"{self.log()}") from None
        return time.monotonic() - began

    def kill(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(10)

    def log(self, tail: int | None = 4000) -> str:
        """The server's output so far (its last `tail` characters; None: all of it)."""
        try:
            text = self.log_path.read_text(errors="replace")
            return text if tail is None else text[-tail:]
        except OSError:
            return ""
