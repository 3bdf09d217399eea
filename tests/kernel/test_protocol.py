"""Messages leave the kernel as display_data of our MIME type, with a harmless text/plain."""

import subprocess
import sys

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import dlviz_kernel
from dlviz_kernel.protocol import MIME_TYPE, DisplayPublisher


@pytest.fixture(scope="module")
def shell():
    """A real IPython shell, as in a kernel (its display output can be captured)."""
    return InteractiveShell.instance()


def test_published_message_is_display_data_with_our_mime_type_and_plain_text(shell):
    message = {"kind": "progress", "run_id": "r1", "step": 2, "total": 4,
               "message": "Running the model"}
    with capture_output() as captured:
        DisplayPublisher().publish(message)
    (output,) = captured.outputs
    assert output.data[MIME_TYPE] == message
    assert output.data["text/plain"] == "dlviz-lab: Running the model (2/4)"


def test_list_models_reads_the_ipython_user_namespace_without_changing_it(shell):
    shell.user_ns["classifier"] = torch.nn.Linear(5, 2)
    names_before = set(shell.user_ns)
    try:
        with capture_output() as captured:
            found = dlviz_kernel.list_models()
    finally:
        del shell.user_ns["classifier"]
    assert {"name": "classifier", "class_name": "Linear", "kind": "module",
            "parameters": 12} in found
    assert set(shell.user_ns) == names_before - {"classifier"}
    (output,) = captured.outputs
    assert output.data[MIME_TYPE] == {"kind": "models", "models": found}


def test_outside_ipython_only_the_short_text_is_printed():
    code = (
        "from dlviz_kernel.protocol import DisplayPublisher\n"
        "DisplayPublisher().publish({'kind': 'error', 'run_id': 'r', 'field': 'model',"
        " 'message': 'No such model.'})\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout == "dlviz-lab error: No such model.\n"
