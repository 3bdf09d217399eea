"""The server extension as a Jupyter ExtensionApp: what it opens when the server starts, it
closes when the server stops (kernel clients, run workers, the run store)."""

from __future__ import annotations

import asyncio
import os

from jupyter_server.extension.application import ExtensionApp

from . import __version__

KERNEL_ACTIONS = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"


class DLVizLabApp(ExtensionApp):
    """Registers the REST API and assets, and owns the run manager."""

    name = "dlviz_lab"
    load_other_extensions = True

    def initialize_settings(self):
        from .bridge import KernelBridge
        from .catalog import Catalog
        from .config import DLVizLab
        from .presets import CoursePresets
        from .runs import RunManager
        from .store import RunStore, default_dir

        server = self.serverapp
        config = DLVizLab(parent=server)
        store = None
        folder = config.store_dir or default_dir()
        try:
            store = RunStore(folder)
        except Exception:  # noqa: BLE001 (a read-only home must not stop the extension)
            self.log.warning("dlviz-lab: cannot open the run store in %s; finished runs will "
                             "not outlive this server", folder, exc_info=True)
        catalog = Catalog(max_tokens=config.max_tokens)
        bridge = KernelBridge(server.kernel_manager, config=config, log=self.log)
        self.manager = RunManager(server.kernel_manager, bridge=bridge, catalog=catalog,
                                  config=config, log=self.log, store=store)
        restored = self.manager.restore()
        self.settings["dlviz_lab_presets"] = CoursePresets(catalog, list(config.presets),
                                                            self._lab_settings_dir)
        # the handlers find the manager here (ExtensionApp copies these settings to the web app)
        self.settings["dlviz_lab"] = self.manager
        logger = getattr(server, "event_logger", None)
        if logger is not None:
            logger.add_listener(schema_id=KERNEL_ACTIONS, listener=self._kernel_action)
        self.log.info("dlviz-lab %s: REST API under %sdlviz-lab/api/; %d stored run(s) from %s",
                      __version__, server.base_url, restored, folder)

    def _lab_settings_dir(self) -> str | None:
        """Where JupyterLab reads overrides.json: configured, the running JupyterLab's, or its
        default (<sys.prefix>/share/jupyter/lab/settings)."""
        configured = self.manager.config.presets_settings_dir
        if configured:
            return configured
        manager = getattr(self.serverapp, "extension_manager", None)
        for apps in (manager.extension_apps.values() if manager else []):
            for app in apps:
                folder = getattr(app, "app_settings_dir", None)
                if folder:
                    return str(folder)
        try:
            from jupyterlab.commands import get_app_dir
        except ImportError:  # the server runs without JupyterLab: no overrides to read
            return None
        return os.path.join(get_app_dir(), "settings")

    def initialize_handlers(self):
        from .routes import setup_handlers

        setup_handlers(self.serverapp.web_app)

    async def _start_jupyter_server_extension(self, serverapp):
        if self.manager.config.warm_start:
            # in the background: the server answers while the kernel warms up
            self._warming = asyncio.ensure_future(self._warm_up())

    async def _warm_up(self):
        try:
            await self.manager.warm_up()
        except Exception:  # noqa: BLE001 (a failed warm-up only costs the first run time)
            self.log.warning("dlviz-lab: warming up the scratch kernel failed", exc_info=True)

    async def _kernel_action(self, logger, schema_id, data):
        if data.get("action") == "shutdown" and data.get("status") == "success":
            kernel_id = data.get("kernel_id")
            if kernel_id:
                await self.manager.kernel_gone(kernel_id)

    async def stop_extension(self):
        await self.manager.stop()
