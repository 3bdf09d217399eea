"""dlviz-lab: make deep-learning models visible to learners, inside JupyterLab.

The server extension validates requests against the task schemas of the kernel runtime
(`dlviz_kernel`), queues one run at a time per kernel and collects the results from iopub.
"""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # a source checkout that hatch has not built yet
    __version__ = "0.0.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "dlviz-lab"}]


def _jupyter_server_extension_points():
    from .app import DLVizLabApp

    return [{"module": "dlviz_lab", "app": DLVizLabApp}]
