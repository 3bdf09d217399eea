"""How much memory a student's pod needs: the figures behind docs/deploy.md.

    .venv/bin/python benchmarks/pod_size.py

Measures, on a real server (its own process) and its scratch kernel:
- the server's RSS idle, and after 100 runs (the default max_runs_kept);
- the kernel's RSS after a MiniLM attention run, and after the default cnn.train on top of it.
The baseline printed beside each is the same process before the runs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import LiveServer  # noqa: E402

MiB = 1024 * 1024


def rss(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MiB


def kernel_pid(server: LiveServer) -> int:
    (child,) = psutil.Process(server.process.pid).children()
    return child.pid


def run(server: LiveServer, body: dict) -> dict:
    created = server.post("runs", body).json()
    result = server.wait_run(created["id"], timeout=600)
    assert result["status"] == "succeeded", result
    return result


def main():
    with tempfile.TemporaryDirectory(prefix="dlviz-pod-") as tmp:
        server = LiveServer(Path(tmp)).start()
        try:
            idle = rss(server.process.pid)
            run(server, {"task": "transformer.attention", "params": {"text": "warm up"}})
            kernel_start = rss(kernel_pid(server))
            minilm = {"task": "transformer.attention",
                      "params": {"text": "The cat sat on the mat. " * 20, "max_tokens": 128}}
            run(server, minilm)
            kernel_minilm = rss(kernel_pid(server))
            run(server, {"task": "cnn.train", "params": {}})
            kernel_cnn = rss(kernel_pid(server))
            began = time.perf_counter()
            for i in range(97):
                run(server, {"task": "transformer.attention",
                             "params": {"text": f"Run number {i} of a class. " * 10}})
            seconds = time.perf_counter() - began
            server_after = rss(server.process.pid)
            kept = len(server.get("runs").json()["runs"])
        finally:
            server.terminate()
    print(f"server RSS idle                  : {idle:7.0f} MiB")
    print(f"server RSS after 100 runs         : {server_after:7.0f} MiB "
          f"({server_after / idle:.2f}x idle; {kept} runs kept; 97 runs in {seconds:.0f} s)")
    print(f"kernel RSS after a tiny first run : {kernel_start:7.0f} MiB (PyTorch + MiniLM loaded)")
    print(f"kernel RSS after MiniLM, 128 tok  : {kernel_minilm:7.0f} MiB "
          f"({kernel_minilm / kernel_start:.2f}x)")
    print(f"kernel RSS after default cnn.train: {kernel_cnn:7.0f} MiB "
          f"({kernel_cnn / kernel_start:.2f}x)")


if __name__ == "__main__":
    main()
