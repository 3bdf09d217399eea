"""A real Jupyter server with dlviz_lab in a process of its own, for tests that call it over HTTP.

schemathesis sends blocking requests: a server in the test's own process and event loop would
never answer them, so this one runs as a child process with its own data and runtime folders.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from dlviz_lab.run_record import TERMINAL

# small bounds so that a fuzzed body that happens to be a valid run costs little
SERVER_LIMITS = {
    "max_queued_runs": 2,
    "max_run_seconds": 20.0,
    "max_wait_seconds": 20.0,
    "models_timeout": 20.0,
    # small enough that the seeded attention run has a stubbed array
    "inline_array_bytes": 1024,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its API root, its token, and the runs and kernels seeded in it."""

    folder: Path
    url: str = ""
    token: str = ""
    process: subprocess.Popen | None = None
    ids: dict = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, headers: dict | None = None,
            **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}dlviz-lab/api/{path}",
                                headers={**self.headers, **(headers or {})}, timeout=60,
                                **kwargs)

    def submit(self, body: dict) -> dict:
        response = self.api("POST", "runs", json=body)
        assert response.status_code == 202, response.text
        return response.json()

    def wait(self, run_id: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.api("GET", f"runs/{run_id}").json()
            if run["status"] in TERMINAL:
                return run
            time.sleep(0.2)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s: {run}\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _start(server: Server) -> Server:
    """Start (or start again) a server on the server's folder: same data dir, so same run store."""
    tmp = server.folder
    token, port = secrets.token_hex(16), _free_port()
    for name in ("root", "data", "runtime", "config"):
        (tmp / name).mkdir(exist_ok=True)
    config = {
        "ServerApp": {
            "ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False,
            "root_dir": str(tmp / "root"), "allow_root": True,
            # only the extension under test: quicker start, less noise in the log
            "jpserver_extensions": {"dlviz_lab": True, "jupyterlab": False,
                                    "jupyter_lsp": False, "notebook_shim": False,
                                    "jupyter_server_terminals": False},
        },
        "IdentityProvider": {"token": token},
        "DLVizLab": SERVER_LIMITS,
    }
    # read from JUPYTER_CONFIG_DIR, ahead of the environment's own config
    config_file = tmp / "config" / "jupyter_server_config.json"
    config_file.write_text(json.dumps(config))
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with open(server.log_path, "ab") as log:
        # a session of its own: the kernels it starts are ended with it (one process group)
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True)
    server.url, server.token, server.process = f"http://127.0.0.1:{port}/", token, process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter server exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(f"{server.url}api/status", headers=server.headers,
                            timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    _stop(server)
    raise RuntimeError(f"jupyter server did not answer in 60 s:\n{server.log()}")


def _stop(server: Server):
    if server.process is None:
        return
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    # the server's kernels, should any outlive it
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait(timeout=10)


def _seed(server: Server):
    """Runs of every kind of outcome and a second kernel, for the fuzzer to aim at."""
    ok = server.submit({"task": "transformer.attention",
                        "params": {"text": "Dogs bark.", "max_tokens": 16}})
    run = server.wait(ok["id"])
    assert run["status"] == "succeeded", f"the seed run failed: {run['error']}\n{server.log()}"
    failed = server.submit({"task": "transformer.attention", "params": {
        "text": "x", "model": str(Path(server.log_path).parent / "no-such-model")}})
    run = server.wait(failed["id"])
    assert run["status"] == "failed" and run["error_field"] == "model", (run, server.log())
    response = requests.post(f"{server.url}api/kernels", json={"name": "python3"},
                             headers=server.headers, timeout=60)
    assert response.status_code == 201, response.text
    tasks = [task["id"] for task in server.api("GET", "catalog").json()["tasks"]]
    server.ids = {"succeeded": ok["id"], "failed": failed["id"], "scratch": ok["kernel_id"],
                  "notebook": response.json()["id"], "tasks": tasks}


@pytest.fixture(scope="module")
def dlviz_server(tmp_path_factory):
    """A jupyter server with dlviz_lab on a free port and seeded runs, for one test module."""
    server = Server(folder=tmp_path_factory.mktemp("dlviz-server"))
    try:
        _start(server)
        _seed(server)
        yield server
    finally:
        _stop(server)


@pytest.fixture
def restart_server(dlviz_server):
    """Stop the server and start a new one on the same folders (as JupyterHub's culler does)."""

    def restart() -> Server:
        _stop(dlviz_server)
        return _start(dlviz_server)

    return restart
