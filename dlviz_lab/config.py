"""Settings a course admin can change in jupyter_server_config (``c.DLVizLab.max_tokens = 256``).

Every size a request can reach is bounded here. The defaults fit a 2 GB course pod: the kernel
(PyTorch, MiniLM, kept models) stays under about 1 GB and the server under about 400 MB.
docs/limits.md lists them with what each one protects.
"""

from __future__ import annotations

from traitlets import Bool, Dict, Float, Int, List, Unicode
from traitlets.config import Configurable

MiB = 1024 * 1024


class DLVizLab(Configurable):
    """Server-side limits and defaults of dlviz-lab."""

    max_tokens = Int(
        512, config=True,
        help="Largest number of tokens a transformer run may use (CPU pods stay responsive).",
    )
    max_run_seconds = Float(
        600.0, config=True,
        help="A run still going this long after the kernel took it fails and its kernel is"
             " interrupted. The clock starts when the kernel starts the run, not while it waits"
             " behind a notebook cell.",
    )
    max_wait_seconds = Float(
        1800.0, config=True,
        help="How long a queued run may wait for a kernel busy with a notebook cell before it"
             " fails without being sent (it shows 'waiting for the kernel' meanwhile).",
    )
    scratch_kernel_name = Unicode(
        "python3", config=True,
        help="Kernel spec started (once, on demand) for runs that name no kernel.",
    )
    max_runs_kept = Int(
        100, config=True,
        help="Finished runs kept (in memory and in the run store); failed and cancelled runs are"
             " forgotten first, then the oldest.",
    )
    max_queued_runs = Int(
        8, config=True,
        help="Runs that may wait in one kernel's queue; more are refused with 429.",
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
        256 * MiB, config=True,
        help="Bytes of result arrays kept over all finished runs (in the run store on disk,"
             " mapped into memory only while read); beyond it the oldest runs are forgotten."
             " A single result larger than this fails the run.",
    )
    max_result_bytes = Int(
        64 * MiB, config=True,
        help="Largest result (raw bytes of its arrays) one run may send from the kernel. The"
             " kernel keeps snapshots within this too (every k-th epoch, always the last) and"
             " the result says when it did.",
    )
    max_kept_model_bytes = Int(
        256 * MiB, config=True,
        help="Bytes a kernel keeps for its trained runs (models, snapshots, data) so that"
             " get_model(run_id) and the inspect views work; the oldest runs are dropped first.",
    )
    max_request_bytes = Int(
        1 * MiB, config=True,
        help="Largest POST runs body; a larger one is refused with 400.",
    )
    max_json_depth = Int(
        32, config=True,
        help="Deepest nesting of arrays and objects a request may have; deeper is refused (400).",
    )
    store_dir = Unicode(
        "", config=True,
        help="Folder of the run store (finished runs and their arrays, kept across server"
             " restarts). Empty: <jupyter data dir>/dlviz-lab/runs.",
    )
    warm_start = Bool(
        False, config=True,
        help="Start the scratch kernel when the server starts and run the default transformer"
             " once in it (PyTorch, transformers and the packaged model loaded), so a student's"
             " first run answers as fast as a later one. Costs the kernel's memory from the start.",
    )
    models_timeout = Float(
        60.0, config=True,
        help="Seconds to wait for a kernel to list its models (it may be busy with a cell).",
    )

    presets = List(
        Dict(), config=True,
        help="Course presets the server trusts (docs/presets.md): task, params, locked and hidden"
             " fields; with `enforce`, runs of that task must keep them. Presets in JupyterLab's"
             " overrides.json under 'dlviz-lab:presets' are trusted too.",
    )
    presets_settings_dir = Unicode(
        "", config=True,
        help="The JupyterLab application settings folder whose overrides.json (and"
             " overrides.d/*.json) hold the admin's presets. Empty: the running JupyterLab's"
             " (<sys.prefix>/share/jupyter/lab/settings unless configured otherwise).",
    )

    def kernel_limits(self) -> dict:
        """The limits the kernel enforces itself (sent with every request as `limits`)."""
        return {
            "max_tokens": self.max_tokens,
            "max_result_bytes": self.max_result_bytes,
            "max_kept_model_bytes": self.max_kept_model_bytes,
        }
