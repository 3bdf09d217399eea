"""The two memory scenarios of the hardening issue, run in a fresh Python to measure the kernel.

Usage: ``python tests/kernel/memory_scenarios.py cnn|transformer [max_result_bytes]``. Prints
one JSON line: result and snapshot bytes, the kept-run bytes, seconds, and the process's peak
and final resident memory. Run in its own process so the peak belongs to the scenario alone.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SCENARIOS = {
    # Two 256-filter blocks (kernel 11 stride 4, then kernel 8 stride 4 padding 4), shapes, batch
    # 4096, 12 epochs: on main the kernel grew ~30 MB per epoch and sent a 218 MB filters array.
    "cnn": ("cnn.train", {
        "data": {"source": "shapes", "samples": 2000},
        "blocks": [{"filters": 256, "kernel_size": 11, "stride": 4, "padding": 2,
                    "pooling": "none"},
                   {"filters": 256, "kernel_size": 8, "stride": 4, "padding": 4,
                    "pooling": "none"}],
        "training": {"batch_size": 4096, "epochs": 12}}),
    # 128 tokens, 6 layers, 8 heads, 60 epochs: on main a 192 MB attention array.
    "transformer": ("transformer.train", {
        "text": " ".join(f"w{i}" for i in range(63)),
        "text_b": " ".join(f"v{i}" for i in range(62)),
        "layers": 6, "heads": 8, "epochs": 60}),
}


def rss_bytes() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(name: str, max_result_bytes: int | None = None) -> dict:
    import dlviz_kernel
    from dlviz_kernel import models
    from dlviz_kernel.protocol import Recorder

    task, params = SCENARIOS[name]
    request = {"run_id": f"scenario-{name}", "task": task, "params": params}
    if max_result_bytes:
        request["limits"] = {"max_result_bytes": max_result_bytes}
    start = time.perf_counter()
    message = dlviz_kernel.run_request(json.dumps(request), Recorder())
    seconds = time.perf_counter() - start
    # Linux reports ru_maxrss in KiB.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = message.get("result") or {}
    snapshots = result.get("snapshots", {})
    return {
        "scenario": name, "kind": message["kind"], "error": message.get("message"),
        "seconds": round(seconds, 1),
        "message_json_bytes": len(json.dumps(message)),
        "kept": result.get("kept"),
        "epochs_completed": result.get("epochs_completed"),
        "snapshot_epochs": snapshots.get("epochs"),
        # (getattr: the script also measures older runtimes, for comparison)
        "kept_run_bytes": getattr(models._kept, "total_bytes", lambda: None)(),
        "peak_rss_bytes": peak, "rss_after_bytes": rss_bytes(),
    }


if __name__ == "__main__":
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    print(json.dumps(main(sys.argv[1], limit)))
