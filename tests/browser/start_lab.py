"""Start a throw-away JupyterLab for the browser tests.

Everything it writes (notebooks, settings, workspaces, runtime files) lives in a fresh temporary
directory, so a test never sees a developer's own JupyterLab state.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    port = os.environ.get("DLVIZ_TEST_PORT", "8899")
    token = os.environ.get("DLVIZ_TEST_TOKEN", "dlviz-browser-test")
    home = Path(tempfile.mkdtemp(prefix="dlviz-browser-"))
    notebooks = home / "notebooks"
    shutil.copytree(ROOT / "examples", notebooks)
    # No "Would you like to get notified about Jupyter news?" toast over the page.
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = dict(os.environ)
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--ServerApp.token={token}",
        "--ServerApp.allow_root=True",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        # No news or update checks: the page must not try to leave this server.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    os.execve(sys.executable, args, env)


if __name__ == "__main__":
    main()
