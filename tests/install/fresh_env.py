"""A fresh virtual environment and a `jupyter lab` started from it, as a new user would have them.

Shared by test_pip_path.py (the README's pip path) and replay_binder.py (`make test-binder`).
Only the standard library: replay_binder.py runs it before anything is installed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TORCH_VERSION = (ROOT / "binder" / "torch-version").read_text().strip()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
CALLER_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FreshEnv:
    """`python -m venv` in `home/venv`, with Jupyter's folders under `home` (not ~/.jupyter)."""

    def __init__(self, home: Path, python: str = sys.executable):
        self.home = Path(home)
        self.venv = self.home / "venv"
        self.bin = self.venv / "bin"
        self.log_path = self.home / "install.log"
        for name in ("config", "data", "runtime"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        # venv builds on the base interpreter, so nothing of the caller's venv leaks in
        subprocess.run([python, "-m", "venv", str(self.venv)], check=True, timeout=120)

    def env(self, **extra: str) -> dict:
        """A shell's environment with this venv activated, without the caller's offline flags."""
        env = {k: v for k, v in os.environ.items() if k not in OFFLINE and k != "PYTHONPATH"}
        # the caller's venv (make puts .venv/bin on PATH) must not stand in for a missing command
        path = [p for p in env.get("PATH", "").split(os.pathsep) if p != str(CALLER_BIN)]
        env.update(PATH=os.pathsep.join([str(self.bin), *path]), VIRTUAL_ENV=str(self.venv),
                   JUPYTER_CONFIG_DIR=str(self.home / "config"),
                   JUPYTER_DATA_DIR=str(self.home / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"), PYTHONUNBUFFERED="1")
        env.update(extra)
        return env

    def sh(self, *args: str, timeout: float = 1200, cwd: Path = ROOT, **extra: str) -> str:
        """Runs a command in the venv; its output (stdout + stderr, no colours) is also logged."""
        with open(self.log_path, "a") as log:
            log.write(f"\n$ {' '.join(args)}\n")
        out = subprocess.run(list(args), cwd=cwd, env=self.env(**extra), timeout=timeout,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        text = ANSI.sub("", out.stdout)
        with open(self.log_path, "a") as log:
            log.write(text)
        if out.returncode:
            raise RuntimeError(f"`{' '.join(args)}` exited {out.returncode}:\n{text[-6000:]}")
        return text

    def pip_install(self, *args: str, timeout: float = 1200) -> str:
        return self.sh(str(self.bin / "python"), "-m", "pip", "install", *args, timeout=timeout)

    def install_torch(self, index_url: str | None) -> str:
        """The README's first step: the CPU build of torch, before anything can pull a CUDA one."""
        index = ["--index-url", index_url] if index_url else []
        return self.pip_install(*index, f"torch=={TORCH_VERSION}")

    def python(self, code: str) -> str:
        return self.sh(str(self.bin / "python"), "-c", code).strip()


class Lab:
    """`jupyter lab` (or `binder/start jupyter lab`) from a FreshEnv: a free port, a token."""

    def __init__(self, fresh: FreshEnv, root_dir: Path = ROOT, wrapper: tuple = (), **env: str):
        self.fresh = fresh
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = fresh.home / "lab.log"
        args = [*wrapper, str(fresh.bin / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root_dir}"]
        if os.geteuid() == 0:  # containers here run as root; Binder and laptops do not
            args.append("--ServerApp.allow_root=True")
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        # a session of its own: stop() takes its kernels along if it has to kill
        self.process = subprocess.Popen(args, cwd=root_dir, env=fresh.env(**env), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def wait_ready(self, timeout: float = 120) -> Lab:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited at start:\n{self.log()}")
            try:
                if self.get("api/status", timeout=2)[0] == 200:
                    return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{self.log()}")

    def wait_run(self, run_id: str, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = json.loads(self.get(f"dlviz-lab/api/runs/{run_id}")[1])
            if run["status"] in ("succeeded", "failed", "cancelled"):
                return run
            time.sleep(0.5)
        raise RuntimeError(f"run {run_id} did not finish in {timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then SIGKILL to the whole session if it lingers; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        try:  # a kernel the server failed to shut down is still in its session
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.process.returncode

    def log(self) -> str:
        try:
            return ANSI.sub("", self.log_path.read_text(errors="replace"))[-6000:]
        except OSError:
            return ""

    def __enter__(self) -> Lab:
        return self.wait_ready()

    def __exit__(self, *exc) -> None:
        self.stop()
