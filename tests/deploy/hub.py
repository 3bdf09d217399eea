"""A real JupyterHub (npm configurable-http-proxy, two students) in processes of its own.

Used by test_jupyterhub.py; also runnable by hand to try a course set-up:

    .venv/bin/python tests/deploy/hub.py      # prints the URL and the tokens, Ctrl-C stops it
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"
CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = Path(sys.executable).parent
USERS = ("alice", "bob")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def marked_processes(mark: str) -> list[psutil.Process]:
    """Every process whose environment holds DLVIZ_HUB_MARK=mark (hub, proxy, servers, kernels)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("DLVIZ_HUB_MARK") == mark:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


class Hub:
    """JupyterHub on 127.0.0.1 with state under `state_dir`; `url` is the proxy's public address."""

    def __init__(self, state_dir: Path):
        self.dir = Path(state_dir)
        self.mark = secrets.token_hex(8)
        self.admin_token = secrets.token_hex(32)
        self.password = secrets.token_hex(8)
        self.proxy_port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.proxy_port}"
        self.tokens: dict[str, str] = {}
        self.process: subprocess.Popen | None = None
        self.log_path = self.dir / "jupyterhub.log"
        self.timings: dict[str, float] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 120) -> Hub:
        started = time.monotonic()
        env = dict(os.environ, DLVIZ_HUB_DIR=str(self.dir), DLVIZ_HUB_VENV_BIN=str(VENV_BIN),
                   DLVIZ_HUB_PROXY_PORT=str(self.proxy_port), DLVIZ_HUB_PORT=str(self.hub_port),
                   DLVIZ_HUB_PROXY_API_PORT=str(self.proxy_api_port), DLVIZ_HUB_CHP=str(CHP),
                   DLVIZ_HUB_PROXY_TOKEN=secrets.token_hex(32), DLVIZ_HUB_PASSWORD=self.password,
                   DLVIZ_HUB_ADMIN_TOKEN=self.admin_token, DLVIZ_HUB_MARK=self.mark)
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # a session of its own: a Ctrl-C of pytest does not reach it half-way
            self.process = subprocess.Popen(
                [str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=self.dir, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(lambda: self._get("/hub/api/").status_code == 200, timeout, "the hub API")
        self.timings["hub_start"] = time.monotonic() - started
        return self

    def stop(self, timeout: float = 60) -> list[str]:
        """SIGTERM the hub (it stops the proxy and the servers, which stop their kernels), then
        kill whatever is left. Returns the processes that had to be killed."""
        if self.process is None:
            return []
        started = time.monotonic()
        # remember every descendant now: orphans are re-parented and no longer found by pid tree
        procs = {p.pid: p for p in marked_processes(self.mark)}
        try:
            procs.update({p.pid: p for p in psutil.Process(self.process.pid).children(True)})
        except psutil.Error:
            pass
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        _, alive = psutil.wait_procs(list(procs.values()), timeout=10)
        killed = []
        for proc in alive + marked_processes(self.mark):
            try:
                killed.append(" ".join(proc.cmdline())[:120])
                proc.kill()
            except (psutil.Error, OSError):
                continue
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.timings["hub_stop"] = time.monotonic() - started
        return killed

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # -- hub REST API (as the admin service) -------------------------------------------------

    def _get(self, path: str, **kwargs) -> requests.Response:
        return self.hub_api("GET", path, **kwargs)

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.admin_token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def _wait(self, ready, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.process.returncode}):\n"
                                   + self.log_tail())
            try:
                if ready():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"{what} not ready after {timeout} s:\n{self.log_tail()}")

    def issue_token(self, user: str) -> str:
        """A hub API token of `user` (what a student gets on the hub's Token page)."""
        response = self.hub_api("POST", f"/hub/api/users/{user}/tokens",
                                json={"note": "dlviz-lab deploy test", "expires_in": 3600})
        response.raise_for_status()
        self.tokens[user] = response.json()["token"]
        return self.tokens[user]

    def spawn(self, *users: str, timeout: float = 120):
        """Start the users' single-user servers (at once) and wait until all answer."""
        started = time.monotonic()
        for user in users:
            response = self.hub_api("POST", f"/hub/api/users/{user}/server")
            assert response.status_code in (201, 202), (response.status_code, response.text)

        def ready():
            return all(self._get(f"/hub/api/users/{u}").json()["servers"].get("", {}).get("ready")
                       for u in users)

        self._wait(ready, timeout, f"the servers of {', '.join(users)}")
        self.timings["spawn"] = time.monotonic() - started

    # -- a student's dlviz-lab API, through the proxy ----------------------------------------

    def api_url(self, user: str, *parts: str) -> str:
        return "/".join([f"{self.url}/user/{user}/dlviz-lab/api", *parts])

    def call(self, token_of: str | None, method: str, url: str, **kwargs) -> requests.Response:
        """One request with `token_of`'s token (None: no token); redirects are not followed."""
        headers = {"Authorization": f"token {self.tokens[token_of]}"} if token_of else {}
        return requests.request(method, url, headers=headers, allow_redirects=False,
                                timeout=kwargs.pop("timeout", 60), **kwargs)


def main():
    with tempfile.TemporaryDirectory(prefix="dlviz-hub-") as tmp:
        hub = Hub(Path(tmp)).start()
        try:
            hub.spawn(*USERS)
            for user in USERS:
                print(f"{user}: {hub.url}/user/{user}/lab  token {hub.issue_token(user)}")
            print(f"password (DummyAuthenticator): {hub.password}; log: {hub.log_path}")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
