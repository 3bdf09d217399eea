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
    return [{"module": "dlviz_lab"}]


def _load_jupyter_server_extension(server_app):
    """Register the REST API and assets, and create the run manager."""
    from .bridge import KernelBridge
    from .catalog import Catalog
    from .config import DLVizLab
    from .routes import setup_handlers
    from .runs import RunManager

    config = DLVizLab(parent=server_app)
    catalog = Catalog(max_tokens=config.max_tokens)
    bridge = KernelBridge(server_app.kernel_manager, config=config, log=server_app.log)
    manager = RunManager(
        server_app.kernel_manager, bridge=bridge, catalog=catalog, config=config,
        log=server_app.log,
    )
    server_app.web_app.settings["dlviz_lab"] = manager
    setup_handlers(server_app.web_app)
    server_app.log.info("dlviz-lab %s: REST API under %sdlviz-lab/api/", __version__,
                        server_app.base_url)


# jupyter_server < 2 looked for this name
load_jupyter_server_extension = _load_jupyter_server_extension
