"""Start a throw-away JupyterLab for the browser tests, and start it again whenever it stops.

Everything it writes (notebooks, settings, workspaces, runtime files, the run store) lives in a
fresh temporary directory, so a test never sees a developer's own JupyterLab state. The Jupyter
data directory stays the same across restarts: a test can stop the server (POST /api/shutdown),
as JupyterHub's idle culler does every day, and find its runs again in the restarted one.

This script is a small supervisor: the server runs as its child, is started again whenever it
exits, and is stopped (SIGTERM, then SIGKILL) when the supervisor gets SIGTERM or SIGINT.
"""

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# How long a stopping server may take to shut its kernels down before it is killed.
STOP_TIMEOUT = 15
# A server that exits this soon after starting, 5 times in a row, cannot start (port taken).
QUICK_EXIT_SECONDS = 5
# The course preset an admin would put in the image's overrides.json (docs/presets.md): every
# fresh user sees it and the server enforces it (tests/browser/presets.spec.ts). It fixes only
# the two seeds, at their defaults, so the other specs' mlp.train runs are still accepted.
COURSE_PRESET = {
    "name": "mlp-lesson",
    "title": "Lesson 1: a small network on the circle",
    "instruction": "Keep the seeds: everyone gets the same data and the same first weights.",
    "task": "mlp.train",
    "params": {
        "model": {"hidden": [{"neurons": 3, "activation": "tanh"}]},
        "training": {"epochs": 30, "seed": 0},
        "data": {"seed": 0},
    },
    "locked": ["training.seed"],
    "hidden": ["data.seed"],
    "enforce": True,
}


def prepare(home: Path, port: str, token: str) -> tuple[list[str], dict[str, str]]:
    """The server's command line and environment, everything under ``home``."""
    notebooks = home / "notebooks"
    shutil.copytree(ROOT / "examples", notebooks)
    # No "Would you like to get notified about Jupyter news?" toast over the page.
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # JupyterLab's application settings: the admin's overrides.json, read by Lab for every user
    # and by the server for the presets it enforces.
    app_settings = home / "app-settings"
    app_settings.mkdir()
    overrides = {"dlviz-lab:presets": {"presets": [COURSE_PRESET]}}
    (app_settings / "overrides.json").write_text(json.dumps(overrides, indent=2))
    env = dict(os.environ)
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            # The run store lives here: shared by every restart of this suite's server.
            "JUPYTER_DATA_DIR": str(home / "data"),
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
        f"--LabApp.app_settings_dir={app_settings}",
        f"--DLVizLab.presets_settings_dir={app_settings}",
        # No news or update checks: the page must not try to leave this server.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    return args, env


def die_with_parent() -> None:
    """In the child: SIGTERM when the supervisor dies (even by SIGKILL): no orphaned server."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def log(message: str) -> None:
    print(f"start_lab: {message}", file=sys.stderr, flush=True)


def main() -> int:
    port = os.environ.get("DLVIZ_TEST_PORT", "8899")
    token = os.environ.get("DLVIZ_TEST_TOKEN", "dlviz-browser-test")
    home = Path(tempfile.mkdtemp(prefix="dlviz-browser-"))
    args, env = prepare(home, port, token)
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        # SIGTERM whatever came in: a server given SIGINT without a terminal may wait for an answer.
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    quick_exits = 0
    code = 0
    try:
        while not stopping:
            started = time.monotonic()
            # Its own session: a signal to our group reaches the server once, via stop().
            child = subprocess.Popen(
                args, env=env, start_new_session=True, preexec_fn=die_with_parent
            )
            if stopping:
                child.terminate()
            code = child.wait()
            if stopping:
                break
            quick_exits = quick_exits + 1 if time.monotonic() - started < QUICK_EXIT_SECONDS else 0
            if quick_exits >= 5:
                log(f"the server exited with {code} five times right after starting; giving up")
                return code or 1
            log(f"the server exited with {code}; starting it again on the same data directory")
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"the server did not stop within {STOP_TIMEOUT} s; killing it")
                child.kill()
                child.wait()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
