"""The README's user path, verbatim, in a fresh venv: CPU torch, then the wheel, then `jupyter lab`.

Opt-in (`make test-install`, or DLVIZ_TEST_INSTALL=1): a fresh venv with torch and JupyterLab
takes 3 to 7 minutes here (2 cores), too long for `make test`. TORCH_INDEX_URL picks torch's
index (the README's is https://download.pytorch.org/whl/cpu); unset, pip's configured indexes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .fresh_env import ROOT, TORCH_VERSION, FreshEnv, Lab

pytestmark = [
    pytest.mark.install,
    pytest.mark.skipif(os.environ.get("DLVIZ_TEST_INSTALL") != "1",
                       reason="opt-in, 3-7 minutes: make test-install"),
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> FreshEnv:
    if not (ROOT / "dlviz_lab" / "labextension" / "static" / "style.js").exists():
        pytest.fail("build the labextension first (make setup)")
    wheels = tmp_path_factory.mktemp("wheel")
    # the prebuilt labextension goes into the wheel as is, like the wheel a release ships
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT)],
        check=True, env=dict(os.environ, HATCH_JUPYTER_BUILDER_SKIP_NPM="1"), timeout=300,
    )
    (wheel,) = wheels.glob("dlviz_lab-*.whl")
    env = FreshEnv(tmp_path_factory.mktemp("user"))
    # README: `pip install torch --index-url .../whl/cpu`, then `pip install dlviz-lab`
    env.install_torch(os.environ.get("TORCH_INDEX_URL") or None)
    env.pip_install(str(wheel))
    return env


def test_torch_is_the_cpu_build_the_first_step_installed(fresh):
    out = fresh.python("import torch; print(torch.__version__, torch.version.cuda)")
    version, cuda = out.split()
    assert version.split("+")[0] == TORCH_VERSION, out
    assert cuda == "None", f"the wheel's dependencies replaced torch with a CUDA build: {out}"


def test_jupyter_lab_command_exists(fresh):
    out = fresh.sh(str(fresh.bin / "jupyter"), "lab", "--version")
    major, minor = (int(part) for part in out.strip().splitlines()[-1].split(".")[:2])
    assert (major, minor) >= (4, 5) and major < 5, out


def test_server_extension_enabled_ok(fresh):
    text = fresh.sh(str(fresh.bin / "jupyter"), "server", "extension", "list")
    print(text)  # shown by `make test-install` (pytest -s)
    lines = [line.strip() for line in text.splitlines() if "dlviz_lab" in line]
    assert "dlviz_lab enabled" in lines, text
    assert any(line.startswith("dlviz_lab ") and line.endswith(" OK") for line in lines), text


def test_labextension_enabled_ok_not_x(fresh):
    text = fresh.sh(str(fresh.bin / "jupyter"), "labextension", "list")
    print(text)
    lines = [line.split() for line in text.splitlines() if "dlviz-lab" in line]
    assert lines, text
    assert all(words[0] == "dlviz-lab" and words[2:4] == ["enabled", "OK"]
               for words in lines), text


def test_binder_check_accepts_the_fresh_install(fresh):
    out = fresh.sh(str(ROOT / "binder" / "check-extensions"))
    assert "server extension and labextension enabled OK" in out, out


def test_jupyter_lab_starts_and_serves_the_extension(fresh, tmp_path):
    (tmp_path / "notebooks").mkdir()
    with Lab(fresh, root_dir=tmp_path / "notebooks", **{"HF_HUB_OFFLINE": "1"}) as lab:
        status, page = lab.get("lab")
        assert status == 200, page[:500]
        assert b'"dlviz-lab"' in page, "the lab page's config does not load our labextension"
        status, body = lab.get("dlviz-lab/api/catalog")
        assert status == 200, body[:500]
        tasks = {task["id"] for task in json.loads(body)["tasks"]}
        assert "transformer.attention" in tasks, tasks
        # the Portuguese and Spanish catalogs travel in the wheel
        for lang, title in (("pt_BR", "Treinar uma rede convolucional"),
                            ("es_ES", "Entrenar una red convolucional")):
            status, body = lab.get(f"dlviz-lab/api/catalog?lang={lang}")
            catalog = json.loads(body)
            assert status == 200 and catalog["language"] == lang, body[:300]
            titles = {task["id"]: task["title"] for task in catalog["tasks"]}
            assert titles["cnn.train"] == title, f"{lang}: the catalog is not translated"
        # the first run of a new user: scratch kernel, the bundled MiniLM, no network
        status, run = lab.post("dlviz-lab/api/runs", {"task": "transformer.attention",
                                                      "params": {"text": "The cat sat."}})
        assert status == 202, run
        run = lab.wait_run(run["id"])
        assert run["status"] == "succeeded", (run.get("error"), lab.log())
        assert "cat" in run["result"]["tokens"], run["result"]["tokens"]
    assert lab.process.returncode is not None
