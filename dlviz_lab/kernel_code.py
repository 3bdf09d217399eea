"""The code one run executes in a kernel: fixed text plus JSON literals (docs/protocol.md)."""

from __future__ import annotations

import json
from pathlib import Path

MIME_TYPE = "application/vnd.dlviz-lab.v1+json"
ENTRY_SOURCE = (Path(__file__).parent / "kernel_entry.py").read_text(encoding="ascii")
# Runs before kernel_entry.py: a run that starts after the server gave up on it is skipped.
DEADLINE_GUARD = (
    "import time as _dlviz_time\n"
    "if NOT_AFTER is not None and _dlviz_time.time() > NOT_AFTER:\n"
    "    raise RuntimeError('dlviz-lab: this run waited too long for the kernel; the server '\n"
    "                       'gave it up, so it was skipped')\n"
)


def entry_code(request: dict, bundle_hash: str, bundle_json: str | None,
               not_after: float | None = None) -> str:
    """The code of one execute_request: constant text plus `json.dumps` literals, nothing else.

    Every value is JSON text made ASCII first, then quoted with `json.dumps`: an ASCII JSON
    string literal is also a valid Python string literal with the same value. `not_after`
    (seconds since the epoch) is when the kernel must skip the run instead of starting it.
    """
    request_json = json.dumps(request, ensure_ascii=True)
    bundle_literal = "None" if bundle_json is None else json.dumps(bundle_json)
    not_after_literal = "None" if not_after is None else repr(float(not_after))
    return (
        "exec(compile("
        + json.dumps(DEADLINE_GUARD + ENTRY_SOURCE)
        + ', "<dlviz-lab>", "exec"), {"REQUEST": '
        + json.dumps(request_json)
        + ', "BUNDLE_HASH": '
        + json.dumps(bundle_hash)
        + ', "BUNDLE": '
        + bundle_literal
        + ', "NOT_AFTER": '
        + not_after_literal
        + "})"
    )
