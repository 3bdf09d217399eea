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
    models_timeout = Float(
        60.0, config=True,
        help="Seconds to wait for a kernel to list its models (it may be busy with a cell).",
    )
