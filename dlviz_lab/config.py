"""Settings a course admin can change in jupyter_server_config (``c.DLVizLab.max_tokens = 256``)."""

from __future__ import annotations

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable


class DLVizLab(Configurable):
    """Server-side limits and defaults of dlviz-lab."""

    max_tokens = Int(
        512, config=True,
        help="Largest number of tokens a transformer run may use (CPU pods stay responsive).",
    )
    max_run_seconds = Float(
        600.0, config=True,
        help="A run that takes longer fails and its kernel is interrupted.",
    )
    scratch_kernel_name = Unicode(
        "python3", config=True,
        help="Kernel spec started (once, on demand) for runs that name no kernel.",
    )
    max_runs_kept = Int(
        100, config=True, help="Finished runs kept in memory; the oldest are forgotten first.",
    )
    kernel_ready_timeout = Float(
        60.0, config=True, help="Seconds to wait for a kernel to answer before a run fails.",
    )
    inline_array_bytes = Int(
        256 * 1024, config=True,
        help="Arrays of a result bigger than this (raw bytes) are not sent inline by GET runs/{id}"
             " but fetched from runs/{id}/arrays/{path}, whole or a slice at a time.",
    )
    max_array_bytes_kept = Int(
        512 * 1024 * 1024, config=True,
        help="Bytes of large result arrays kept in memory over all finished runs; beyond it the"
             " oldest finished runs are forgotten (the newest is always kept).",
    )
    models_timeout = Float(
        60.0, config=True,
        help="Seconds to wait for a kernel to list its models (it may be busy with a cell).",
    )
