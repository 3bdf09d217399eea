"""A Python client of the dlviz-lab REST API, for scripts and notebook cells.

    from dlviz_lab.client import Client
    client = Client("http://localhost:8888/", token="...")
    run = client.run("transformer.attention", {"text": "The cat sat on the mat."})
    run["result"]["attention"].shape   # (layers, heads, tokens, tokens), a numpy array
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import requests

from . import arrays as codec
from .run_record import TERMINAL


class DLVizError(Exception):
    """The server refused a request or a run failed; `status` is the HTTP status (or None)."""

    def __init__(self, message: str, status: int | None = None, errors=None, run=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors or []
        self.run = run


def decode_array(obj: dict) -> np.ndarray:
    """One encoded array `{"dtype", "shape", "data"}` (uint8 with `scale`/`offset`) to numpy.

    The server's own decoder (`dlviz_lab.arrays`), so client and server read arrays alike."""
    stored = codec.decode(obj)
    if stored is None:
        raise ValueError(f"not an array dlviz-lab can decode (dtype {obj.get('dtype')!r}, shape "
                         f"{obj.get('shape')!r})")
    return stored.as_numpy()


def is_array_stub(obj) -> bool:
    """A big array the server keeps: `{"dtype", "shape", "bytes", "href"}`, fetched separately."""
    return (isinstance(obj, dict) and isinstance(obj.get("href"), str)
            and isinstance(obj.get("shape"), list) and "data" not in obj)


def decode_arrays(obj):
    """Walk dicts and lists and turn every encoded array into a numpy array."""
    if codec.is_encoded_array(obj):
        return decode_array(obj)
    if isinstance(obj, dict):
        return {key: decode_arrays(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [decode_arrays(value) for value in obj]
    return obj


class Client:
    """Talks to the dlviz-lab API of one Jupyter server (base URL with any JupyterHub prefix)."""

    def __init__(self, base_url: str, token: str | None = None, session=None):
        self.base_url = base_url.rstrip("/") + "/"
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"token {token}"

    @classmethod
    def from_notebook(cls, runtime_dir: str | None = None) -> Client:
        """A client of the Jupyter server that started this notebook's kernel.

        It reads the server's address and token from the server's runtime file (the one whose
        process is this kernel's parent, else the only one). On JupyterHub, where the server has
        no token of its own, the kernel's JUPYTERHUB_API_TOKEN is used. Runs go to the scratch
        kernel by default: asking for this very kernel would wait on the cell that is waiting.
        """
        servers = _running_servers(runtime_dir)
        parent = [info for info in servers if info.get("pid") == os.getppid()]
        if parent:
            info = parent[0]
        elif len(servers) == 1:
            info = servers[0]
        else:
            found = "none" if not servers else f"{len(servers)}, none of them this kernel's parent"
            raise DLVizError(f"cannot tell which Jupyter server to use (found {found}); "
                             "use Client(base_url, token) instead")
        token = info.get("token") or os.environ.get("JUPYTERHUB_API_TOKEN")
        return cls(info["url"], token)

    def _url(self, *parts: str) -> str:
        return self.base_url + "dlviz-lab/api/" + "/".join(parts)

    def _call(self, method: str, *parts: str, **kwargs):
        response = self.session.request(method, self._url(*parts), timeout=60, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"message": response.text or response.reason}
            raise DLVizError(body.get("message") or response.reason, response.status_code,
                             body.get("errors"))
        return response.json() if response.content else None

    def catalog(self) -> dict:
        """The tasks this server can run, with their JSON Schemas."""
        return self._call("GET", "catalog")

    def run(self, task: str, params: dict | None = None, kernel_id: str | None = None,
            wait: bool = True, timeout: float = 600, raise_on_failure: bool = True) -> dict:
        """Start a run; with `wait`, poll until it ends and return it with numpy arrays.

        Without `kernel_id` the run goes to the server's scratch kernel. A failed or cancelled
        run raises DLVizError (unless `raise_on_failure` is False).
        """
        body = {"task": task, "params": params or {}}
        if kernel_id is not None:
            body["kernel_id"] = kernel_id
        started = self._call("POST", "runs", json=body)
        if not wait:
            return started
        deadline = time.monotonic() + timeout
        delay = 0.1
        while True:
            run = self.get_run(started["id"])
            if run["status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                raise DLVizError(f"run {started['id']} did not finish within {timeout:g} s",
                                 run=run)
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        if raise_on_failure and run["status"] != "succeeded":
            raise DLVizError(run.get("error") or f"run {run['status']}", run=run)
        return run

    def get_run(self, run_id: str) -> dict:
        """One run, with its result's arrays decoded to numpy (big ones fetched whole)."""
        return decode_arrays(self._fetch_stubs(self._call("GET", "runs", run_id)))

    def array(self, run_id: str, path: str, index: int | None = None,
              dtype: str | None = None) -> np.ndarray:
        """One array of a run's result by dotted path (`"attention"`), as numpy.

        `index=k` fetches only entry k along axis 0 (one layer of attention); `dtype="float16"`
        or `"uint8"` (quantized, decoded back to float32 here) makes the transfer smaller.
        """
        query = {key: value for key, value in (("index", index), ("dtype", dtype))
                 if value is not None}
        return decode_array(self._call("GET", "runs", run_id, "arrays",
                                       quote(path, safe=".-_~"), params=query))

    def _fetch_stubs(self, obj):
        """Replace every array stub by the whole array the server keeps (still encoded)."""
        if is_array_stub(obj):
            return self._call("GET", obj["href"])
        if isinstance(obj, dict):
            return {key: self._fetch_stubs(value) for key, value in obj.items()}
        if isinstance(obj, list):
            return [self._fetch_stubs(value) for value in obj]
        return obj

    def runs(self) -> list:
        """The runs of this server, newest first, without results."""
        return self._call("GET", "runs")["runs"]

    def cancel(self, run_id: str) -> dict:
        """Cancel a run: a queued one is dropped, a running one's kernel is interrupted."""
        return self._call("DELETE", "runs", run_id)

    def models(self, kernel_id: str) -> list:
        """The torch models and tokenizers a kernel's notebook variables hold."""
        return self._call("GET", "kernels", kernel_id, "models")["models"]


def _running_servers(runtime_dir: str | None = None) -> list:
    """The `jpserver-*.json` files of running Jupyter servers, as dicts."""
    if runtime_dir is None:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime_dir = jupyter_runtime_dir()
    servers = []
    for path in sorted(Path(runtime_dir).glob("jpserver-*.json")):
        try:
            servers.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # a server that is starting or stopping right now
    return servers
