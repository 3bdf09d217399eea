"""`make test-binder`: mybinder.org's build of binder/ replayed in a fresh venv, then welcome.ipynb.

There is no conda here, so binder/environment.yml is mapped onto pip:
  python=3.11  -> this interpreter, which must be 3.11 (it makes the fresh venv)
  nodejs=20    -> the `node` on PATH (only needed if the labextension is not built yet)
  pip          -> the venv's pip
  other conda specs (jupyterlab>=4.5,<5, ...) -> `pip install` with the same version range
  a `pip:` list -> `pip install` as written
Then binder/postBuild runs from the repository root with the venv first on PATH, exactly as
repo2docker runs it (TORCH_INDEX_URL passes through; empty means pip's configured indexes).
Then `binder/start jupyter lab` serves the repository, as Binder's entrypoint does, and
examples/welcome.ipynb runs top to bottom (`jupyter nbconvert --execute`) against that server.
BINDER_FROM_GIT=1 replays it on a copy of the files git knows (tracked, and untracked ones not
ignored), as Binder's clone has them: no prebuilt labextension, so postBuild builds it with npm.
Set KEEP=1 to keep the venv and logs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from fresh_env import OFFLINE, ROOT, TORCH_VERSION, FreshEnv, Lab

BINDER = ROOT / "binder"


def step(message: str, began: float) -> None:
    print(f"[{time.monotonic() - began:6.1f} s] {message}", flush=True)


def conda_to_pip(spec: str) -> str:
    """A conda match spec as a pip requirement: `x=1.2` -> `x==1.2.*`; ranges stay as they are."""
    name, version = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", spec).groups()
    if re.fullmatch(r"=[^=<>!]+", version):
        version = f"=={version[1:]}.*"
    return name + version


def replay_environment(fresh: FreshEnv, began: float) -> None:
    spec = yaml.safe_load((BINDER / "environment.yml").read_text())
    assert spec.get("channels") == ["conda-forge"], spec.get("channels")
    pip_specs = []
    for dep in spec["dependencies"]:
        if isinstance(dep, dict):  # the `pip:` list
            pip_specs += dep.get("pip", [])
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", dep).group(0)
        wanted = dep[len(name):].lstrip("=")
        if name == "python":
            have = f"{sys.version_info.major}.{sys.version_info.minor}"
            if have != wanted:
                sys.exit(f"environment.yml wants python={wanted}; run this with Python {wanted}")
        elif name == "nodejs":
            node = shutil.which("node")
            have = subprocess.run([node, "--version"], capture_output=True,
                                  text=True).stdout.strip() if node else "none"
            other = have.lstrip("v").split(".")[0] != wanted
            step(f"nodejs={wanted} -> node {have} on PATH" + (
                " (another version: used only if the labextension is not prebuilt)"
                if other else ""), began)
        elif name != "pip":
            pip_specs.append(conda_to_pip(dep))
    step(f"environment.yml -> pip install {' '.join(pip_specs)}", began)
    fresh.pip_install(*pip_specs)


def git_files_copy(dest: Path) -> Path:
    """The repository as a clone of this working tree would hold it (build outputs are ignored)."""
    names = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def run_welcome_notebook(fresh: FreshEnv, repo: Path, out_dir: Path) -> dict:
    notebook = repo / "examples" / "welcome.ipynb"
    # the kernel's Client.from_notebook() finds the only server in this runtime dir
    fresh.sh(str(fresh.bin / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.timeout=600", "--output-dir", str(out_dir), str(notebook),
             timeout=900, **OFFLINE)
    return json.loads((out_dir / notebook.name).read_text())


def outputs_text(notebook: dict) -> list[str]:
    texts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts = []
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            parts.append("".join(output.get("text", "")) +
                         "".join(output.get("data", {}).get("text/plain", "")))
        texts.append("".join(parts))
    return texts


def main() -> int:
    began = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="dlviz-binder-"))
    step(f"fresh venv in {home} (Python {sys.version.split()[0]})", began)
    fresh = FreshEnv(home)
    ok = False
    try:
        repo = ROOT
        if os.environ.get("BINDER_FROM_GIT") == "1":
            repo = git_files_copy(home / "repo")
            step(f"BINDER_FROM_GIT=1: git's files copied to {repo}", began)
        replay_environment(fresh, began)
        index = os.environ.get("TORCH_INDEX_URL", "")
        step(f"binder/postBuild (torch=={TORCH_VERSION}, TORCH_INDEX_URL={index!r})", began)
        gate = fresh.sh(str(repo / "binder" / "postBuild"), timeout=1800, cwd=repo,
                        TORCH_INDEX_URL=index)
        print("\n".join(line for line in gate.splitlines() if line.startswith(("ok:", "dlviz"))))
        torch = fresh.python("import torch; print(torch.__version__, torch.version.cuda)")
        assert torch.split()[0].split("+")[0] == TORCH_VERSION, torch
        assert torch.split()[1] == "None", f"postBuild installed a CUDA torch: {torch}"
        lab_version = fresh.sh(str(fresh.bin / "jupyter"), "lab", "--version").strip()
        step(f"installed: torch {torch.split()[0]} (CPU), JupyterLab {lab_version}", began)
        # no offline flags from here: binder/start must set them for the server and its kernels
        with Lab(fresh, root_dir=repo, wrapper=(str(repo / "binder" / "start"),)) as lab:
            environ = Path(f"/proc/{lab.process.pid}/environ").read_bytes().split(b"\0")
            assert b"HF_HUB_OFFLINE=1" in environ, "binder/start lost the offline flags"
            status, page = lab.get("lab/tree/examples/welcome.ipynb")
            assert status == 200 and b'"dlviz-lab"' in page, (status, page[:300])
            step("binder/start jupyter lab: /lab/tree/examples/welcome.ipynb 200, offline", began)
            executed = run_welcome_notebook(fresh, repo, home / "executed")
        texts = outputs_text(executed)
        print("welcome.ipynb outputs:", *(f"  {t.strip()}" for t in texts if t.strip()), sep="\n")
        assert "each row sums to" in texts[0] and "cat" in texts[0], texts
        assert texts[1].strip() == "67", texts  # tiny_net's parameter count
        ok = True
    finally:
        if not ok:
            print(f"logs: {fresh.log_path} {home / 'lab.log'}", file=sys.stderr)
        if ok and os.environ.get("KEEP") != "1":
            shutil.rmtree(home, ignore_errors=True)
    step("PASS make test-binder: environment.yml + postBuild replayed, welcome.ipynb ran "
         "top to bottom", began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
