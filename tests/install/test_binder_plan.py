"""What mybinder.org builds from binder/, read from repo2docker's own build plan (no Docker needed).

`jupyter-repo2docker --no-build --debug` picks the buildpack and prints the Dockerfile it would
build. The full replay of environment.yml + postBuild is `make test-binder` (opt-in, minutes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .fresh_env import ROOT, TORCH_VERSION

BIN = Path(sys.executable).parent
BINDER = ROOT / "binder"


@pytest.fixture(scope="module")
def plan() -> tuple[str, str]:
    r2d = BIN / "jupyter-repo2docker"
    if not r2d.exists():
        pytest.fail("jupyter-repo2docker is missing: pip install jupyter-repo2docker (test extra)")
    out = subprocess.run([str(r2d), "--no-build", "--debug", str(ROOT)], capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout, out.stderr


def conda_pins() -> dict[str, str]:
    deps = yaml.safe_load((BINDER / "environment.yml").read_text())["dependencies"]
    pins = {}
    for dep in deps:
        if isinstance(dep, str):
            name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", dep).groups()
            pins[name] = spec
    return pins


def caret_range(spec: str) -> SpecifierSet:
    """npm's ^X.Y.Z as a PEP 440 range (X >= 1 here)."""
    version = Version(spec.lstrip("^"))
    return SpecifierSet(f">={version},<{version.major + 1}")


def test_plan_is_the_conda_buildpack_for_python_311(plan):
    assert "Building conda environment for python=3.11" in plan[1], plan[1]


def test_plan_updates_the_notebook_env_from_binder_environment_yml(plan):
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"' in plan[0], plan[0]


def test_plan_runs_binder_postbuild_and_starts_through_binder_start(plan):
    dockerfile = plan[0]
    assert "RUN ./binder/postBuild" in dockerfile, dockerfile
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile, dockerfile


def test_pins_lift_repo2docker_base_jupyterlab_to_what_our_labextension_needs():
    import repo2docker

    lock = Path(repo2docker.__file__).parent / "buildpacks/conda/environment.py-3.11-linux-64.lock"
    base = dict(re.findall(r"/(jupyterlab|notebook)-(\d+\.\d+\.\d+)-", lock.read_text()))
    pins = conda_pins()
    lab, notebook = SpecifierSet(pins["jupyterlab"]), SpecifierSet(pins["notebook"])
    assert (lab, notebook) == (SpecifierSet(">=4.5,<5"), SpecifierSet(">=7.5,<8")), pins
    needs = json.loads((ROOT / "package.json").read_text())["dependencies"]
    wanted = caret_range(needs["@jupyterlab/application"])
    # the oldest JupyterLab the pin allows satisfies our ^4.5.0; the base image's, if older, is out
    lowest = Version(re.search(r">=([\d.]+)", pins["jupyterlab"]).group(1))
    assert lowest in wanted, (pins, needs["@jupyterlab/application"])
    if Version(base["jupyterlab"]) not in wanted:
        assert Version(base["jupyterlab"]) not in lab, (base, pins)


def test_makefile_and_binder_share_one_torch_version():
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-%: ; @echo $($*)",
         "print-TORCH_SPEC"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("TORCH_SPEC", "MAKEFLAGS")},
    )
    assert out.stdout.strip() == f"torch=={TORCH_VERSION}", out
    postbuild = (BINDER / "postBuild").read_text()
    assert "binder/torch-version" in postbuild and "TORCH_INDEX_URL" in postbuild


def test_binder_start_keeps_the_offline_flags():
    out = subprocess.run([str(BINDER / "start"), "env"], capture_output=True, text=True,
                         timeout=30, env={"PATH": os.environ["PATH"]})
    assert "HF_HUB_OFFLINE=1" in out.stdout.splitlines(), out.stdout
    assert "TRANSFORMERS_OFFLINE=1" in out.stdout.splitlines(), out.stdout


def check_extensions(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """binder/check-extensions (postBuild's gate) against this venv's real `jupyter`."""
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "data").mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    base.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
                JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
                JUPYTER_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([str(BINDER / "check-extensions")], capture_output=True, text=True,
                          timeout=120, env=base)


def test_postbuild_gate_passes_when_both_extensions_are_enabled_ok(tmp_path):
    out = check_extensions(tmp_path)
    assert out.returncode == 0, out.stderr
    assert "server extension and labextension enabled OK" in out.stdout


def test_postbuild_gate_fails_when_the_labextension_is_disabled(tmp_path):
    (tmp_path / "config" / "labconfig").mkdir(parents=True)
    (tmp_path / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"dlviz-lab": True}}))
    out = check_extensions(tmp_path)
    assert out.returncode != 0 and "dlviz-lab v" in out.stderr and "disabled" in out.stderr


def test_postbuild_gate_fails_when_the_server_extension_is_disabled(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"dlviz_lab": False}}}))
    out = check_extensions(tmp_path)
    assert out.returncode != 0 and "FAIL: dlviz_lab" in out.stderr, out.stdout + out.stderr


def test_postbuild_gate_fails_on_enabled_x_an_incompatible_labextension(tmp_path):
    # what Binder's JupyterLab 4.4 showed: the labextension listed, enabled, but "X"
    installed = ROOT / "dlviz_lab" / "labextension" / "package.json"
    meta = json.loads(installed.read_text())
    meta["dependencies"]["@jupyterlab/application"] = "^9.0.0"
    shadow = tmp_path / "data" / "labextensions" / "dlviz-lab"
    shadow.mkdir(parents=True)
    (shadow / "package.json").write_text(json.dumps(meta))
    out = check_extensions(tmp_path, JUPYTER_PREFER_ENV_PATH="0")
    assert out.returncode != 0, out.stdout
    assert "not compatible" in out.stderr, out.stderr
    assert re.search(r"dlviz-lab v\S+ enabled +X", out.stderr), out.stderr
