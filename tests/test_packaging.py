"""The installed package is what a course admin gets: one wheel, nothing to build."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _jupyter(*args: str) -> str:
    out = subprocess.run(
        [str(BIN / "jupyter"), *args], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout + out.stderr


def test_server_extension_is_listed_enabled_and_ok():
    text = _jupyter("server", "extension", "list")
    lines = [line for line in text.splitlines() if "dlviz_lab" in line]
    assert any("enabled" in line for line in lines), text
    assert any("OK" in line for line in lines), text


def test_labextension_is_listed_enabled_and_ok():
    text = _jupyter("labextension", "list")
    lines = [line for line in text.splitlines() if "dlviz-lab" in line]
    assert lines, text
    assert "enabled" in lines[0] and "OK" in lines[0], text


@pytest.mark.slow
def test_wheel_carries_prebuilt_labextension_server_config_and_kernel_runtime(tmp_path):
    if not (ROOT / "dlviz_lab" / "labextension" / "package.json").exists():
        pytest.fail("build the labextension first (make setup)")
    env = dict(os.environ, HATCH_JUPYTER_BUILDER_SKIP_NPM="1")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        check=True, env=env, timeout=300,
    )
    (wheel,) = tmp_path.glob("dlviz_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    expected = {
        f"{data}/data/share/jupyter/labextensions/dlviz-lab/package.json",
        f"{data}/data/share/jupyter/labextensions/dlviz-lab/install.json",
        f"{data}/data/etc/jupyter/jupyter_server_config.d/dlviz_lab.json",
        "dlviz_kernel/__init__.py",
        "dlviz_kernel/transformer/attention.schema.json",
        "dlviz_lab/openapi.yaml",
        "dlviz_lab/static/vendor/d3.min.js",
        "dlviz_lab/static/vendor/jquery.min.js",
        "dlviz_lab/static/vendor/require.js",
    }
    assert expected <= names, sorted(expected - names)
    static = f"{data}/data/share/jupyter/labextensions/dlviz-lab/static/"
    assert any(n.startswith(static) for n in names)
    # `pip install dlviz-lab` then `jupyter lab` needs JupyterLab itself, one our labextension fits
    meta = zipfile.ZipFile(wheel).read(f"{data.removesuffix('.data')}.dist-info/METADATA")
    requires = [line for line in meta.decode().splitlines() if line.startswith("Requires-Dist:")]
    assert "Requires-Dist: jupyterlab<5,>=4.5" in requires, requires


def test_declared_jupyterlab_fits_the_labextension_it_ships():
    tomllib = pytest.importorskip("tomllib")
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (lab,) = [Requirement(d) for d in deps if Requirement(d).name == "jupyterlab"]
    caret = json.loads((ROOT / "package.json").read_text())["dependencies"][
        "@jupyterlab/application"]
    oldest = Version(caret.lstrip("^"))
    # every JupyterLab pip may pick is one the labextension accepts (^4.5.0: >=4.5.0, <5)
    below = f"{oldest.major}.{oldest.minor - 1}.99" if oldest.minor else f"{oldest.major - 1}.99"
    assert Version(below) not in lab.specifier, lab
    assert oldest in lab.specifier and Version(f"{oldest.major + 1}.0") not in lab.specifier, lab
