"""Result contracts: every task's real result fits its `<task>.result.schema.json`.

The tasks run for real, in-process and small (tiny networks, two epochs, short texts), in the
modes that change a result's shape: with and without text_b or queries and keys, float16 for
long inputs, a GPT-2-like model, notebook models, drawn inputs, a snapshot budget that keeps
only some epochs. Each result is checked twice: as the kernel sends it, and as `GET runs/{id}`
answers it with every array replaced by a stub (`dlviz_lab.arrays.split_result`).
"""

import copy
import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import dlviz_kernel
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import TASKS, schema_path
from dlviz_lab.arrays import split_result
from dlviz_lab.catalog import Catalog

# A tiny random GPT-2 (no token types, a fused c_attn) saved like a downloaded model.
from .test_transformer_views import gpt2_folder  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = ".result.schema.json"
# The tasks the catalog offered before result schemas existed: adding them must not change it.
CATALOG_TASKS = ["autoencoder.inspect", "autoencoder.train", "cnn.inspect", "cnn.train",
                 "mlp.train", "rnn.compare", "rnn.inspect", "rnn.train", "rnn.units",
                 "transformer.attention", "transformer.inspect", "transformer.projection",
                 "transformer.steps", "transformer.train"]
TINY_CNN = {"data": {"source": "shapes", "samples": 40},
            "blocks": [{"filters": 2, "batch_norm": False}, {"filters": 3, "pooling": "none"}],
            "dense": [{"units": 4}], "training": {"epochs": 2, "batch_size": 16}}
TINY_TRANSFORMER = {"text": "the cat sat.", "text_b": "a dog.", "embedding_size": 8,
                    "heads": 2, "layers": 1, "feed_forward": 8, "epochs": 2}


def result_schema_files():
    """Every *.result.schema.json in the kernel package."""
    found = []

    def walk(folder):
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(SUFFIX):
                found.append(entry)

    walk(resources.files("dlviz_kernel"))
    return found


def result_schema_file(task_id):
    """`<name>.result.schema.json` beside the task's parameter schema `<name>.schema.json`."""
    params = schema_path(task_id)
    return params.parent.joinpath(params.name.replace(".schema.json", SUFFIX))


SCHEMAS = {}
for _file in result_schema_files():
    _schema = json.loads(_file.read_text(encoding="utf-8"))
    SCHEMAS[_schema["$id"]] = _schema
# Schemas refer to each other by $id ("common.result#/$defs/float32").
REGISTRY = Registry().with_resources(
    (schema_id, Resource.from_contents(schema)) for schema_id, schema in SCHEMAS.items())


def errors_of(task_id, result):
    validator = Draft202012Validator(SCHEMAS[f"{task_id}.result"], registry=REGISTRY)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}"
            for e in validator.iter_errors(result)]


def assert_fits(task_id, result):
    """The result fits its schema as the kernel sends it and with every array a server stub."""
    assert errors_of(task_id, result) == []
    stubbed, stored = split_result(result, "run-1", 0)
    assert stored, "the result has arrays, so the server turns them into stubs"
    assert errors_of(task_id, stubbed) == []


def run(task, params, run_id, limits=None):
    request = {"run_id": run_id, "task": task, "params": params}
    if limits is not None:
        request["limits"] = limits
    message = dlviz_kernel.run_request(json.dumps(request), publisher=Recorder())
    assert message["kind"] == "result", message
    return message["result"]


def test_every_result_schema_is_valid_and_every_task_has_one_beside_its_schema():
    ids = set()
    for file in result_schema_files():
        schema = json.loads(file.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        ids.add(schema["$id"])
    assert ids == {f"{task}.result" for task in TASKS} | {"common.result"}
    for task_id in Catalog().tasks():
        file = result_schema_file(task_id)
        assert file.is_file(), f"{task_id} has no {file.name}"
        assert json.loads(file.read_text(encoding="utf-8"))["$id"] == f"{task_id}.result"


def test_result_schemas_are_not_catalog_tasks():
    catalog = Catalog()
    assert sorted(catalog.tasks()) == CATALOG_TASKS == sorted(TASKS)
    assert [task["id"] for task in catalog.as_json()["tasks"]] == CATALOG_TASKS


@pytest.fixture(scope="module")
def cnn_run():
    return run("cnn.train", TINY_CNN, "rs-cnn")


@pytest.fixture(scope="module")
def transformer_run():
    return run("transformer.train", TINY_TRANSFORMER, "rs-tt")


def test_cnn_train_result_fits(cnn_run):
    assert cnn_run["kept"]["message"] is None
    assert_fits("cnn.train", cnn_run)


def test_cnn_train_result_with_a_snapshot_budget_that_leaves_epochs_out_fits():
    # 12 KiB of snapshots hold 2 of the 4 epochs (0..3): the plan keeps every 2nd and the last.
    params = {**TINY_CNN, "training": {"epochs": 3, "batch_size": 16}}
    result = run("cnn.train", params, "rs-cnn-budget", limits={"max_result_bytes": 24_000})
    assert result["kept"]["message"] and result["kept"]["every"] != 1
    assert_fits("cnn.train", result)


@pytest.mark.parametrize("params", [
    {"epoch": 0, "input": {"index": 3}},
    {"input": {"pixels": [[0.5] * 16] * 16}},
], ids=["epoch-0", "drawing"])
def test_cnn_inspect_result_of_a_run_fits(cnn_run, params):
    result = run("cnn.inspect", {"run": cnn_run["run_id"], **params}, "rs-ci")
    assert_fits("cnn.inspect", result)


def test_cnn_inspect_results_of_notebook_models_fit(shell):
    shell.run_cell(
        "import torch\nfrom torch import nn\n"
        "net = nn.Sequential(nn.Conv2d(1, 2, 3, padding='same'), nn.ReLU(), nn.Flatten(),\n"
        "                    nn.Linear(512, 4))\n"
        "class Unused(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(1, 1, 3)\n"
        "        self.fc = nn.Linear(256, 4)\n"
        "    def forward(self, x):\n"
        "        return self.fc(x.flatten(1))\n"
        "unused = Unused()\n")
    data = {"source": "shapes", "samples": 40}
    result = run("cnn.inspect", {"model": "net", "data": data}, "rs-nb")
    assert result["layers"][0]["padding"] == "same" and result["source"]["run"] is None
    assert_fits("cnn.inspect", result)
    # A conv that never runs: no layers, no selectivity, no Grad-CAM.
    result = run("cnn.inspect", {"model": "unused", "data": data}, "rs-nb2")
    assert result["grad_cam"] is None and result["layers"] == []
    assert_fits("cnn.inspect", result)


def test_transformer_train_results_fit(transformer_run):
    assert_fits("transformer.train", transformer_run)
    masked = run("transformer.train", {**TINY_TRANSFORMER, "text_b": None,
                                       "mask": "bidirectional"}, "rs-tt2")
    assert masked["objective"] == "masked_token" and masked["sentence_b_start"] is None
    assert_fits("transformer.train", masked)
    # A budget for one epoch only: just the last is kept (every null).
    tight = run("transformer.train", TINY_TRANSFORMER, "rs-tt3",
                limits={"max_result_bytes": 4_000})
    assert tight["kept"]["every"] is None and tight["kept"]["message"]
    assert_fits("transformer.train", tight)


@pytest.mark.parametrize("view", ["attention", "neuron", "steps", "projection"])
def test_transformer_inspect_results_of_every_view_fit(transformer_run, view):
    result = run("transformer.inspect", {"run": transformer_run["run_id"], "view": view},
                 "rs-ti")
    assert result["view"] == view
    assert_fits("transformer.inspect", result)


@pytest.mark.parametrize("task, params", [
    ("transformer.attention", {"text": "Hi there"}),
    ("transformer.attention", {"text": "Hi there", "text_b": "yes", "include_qk": True}),
    ("transformer.attention", {"text": "word " * 140, "max_tokens": 130}),
    ("transformer.steps", {"text": "Hi there", "layer": 1, "head": 2}),
    ("transformer.projection", {"text": "Hi there", "text_b": "yes"}),
], ids=["attention", "neuron-pair", "attention-float16", "steps", "projection"])
def test_transformer_view_results_of_minilm_fit(task, params):
    result = run(task, params, "rs-view")
    assert_fits(task, result)


@pytest.mark.parametrize("task", ["transformer.attention", "transformer.steps"])
def test_transformer_view_results_of_a_gpt2_like_model_fit(gpt2_folder, task):  # noqa: F811
    result = run(task, {"text": "the cat sat .", "model": str(gpt2_folder)}, "rs-gpt2")
    assert result["causal"] is True
    assert_fits(task, result)


def test_a_result_with_a_key_missing_or_a_wrong_type_does_not_fit(cnn_run, transformer_run):
    broken = copy.deepcopy(cnn_run)
    del broken["final"]["saliency"]
    assert any("saliency" in e for e in errors_of("cnn.train", broken))
    broken = copy.deepcopy(cnn_run)
    broken["kept"]["every"] = "2"
    assert errors_of("cnn.train", broken)
    broken = copy.deepcopy(cnn_run)
    broken["surprise"] = 1
    assert errors_of("cnn.train", broken)
    broken = copy.deepcopy(transformer_run)
    broken["snapshots"]["attention"].pop("data")  # neither an encoded array nor a stub
    assert errors_of("transformer.train", broken)
    broken = copy.deepcopy(transformer_run)
    broken["snapshots"]["attention"]["dtype"] = "float16"  # the schema says float32
    assert errors_of("transformer.train", broken)


def test_an_inspect_result_must_match_its_view():
    fields = run("transformer.projection", {"text": "Hi"}, "rs-p")
    source = {"run": "r", "epoch": 1}
    assert errors_of("transformer.inspect", {**fields, "view": "projection", "source": source}) \
        == []
    assert errors_of("transformer.inspect", {**fields, "view": "steps", "source": source})
    assert errors_of("transformer.inspect", {**fields, "view": "projection"})


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_typescript_result_types_are_generated_from_these_schemas():
    """`npm run build:types` output is committed; it must match the schemas and hold no `any`."""
    check = subprocess.run(["node", "labextension/scripts/result-types.js", "--check"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    index = ROOT / "labextension/src/api/resultTypes.generated.ts"
    text = index.read_text(encoding="utf-8")
    for family in sorted((ROOT / "labextension/src/api/results").glob("*.generated.ts")):
        assert not re.search(r"[:|&<(,=]\s*any\b", family.read_text(encoding="utf-8")), family
    for task_id in TASKS:
        name = "".join(part.capitalize() for part in task_id.split(".")) + "Result"
        assert f"  '{task_id}': {name};" in text
