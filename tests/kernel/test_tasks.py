"""The task registry, its schemas, defaults, parameter checks and how a request is run."""

import json
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import dlviz_kernel
from dlviz_kernel import tasks
from dlviz_kernel.tasks import TASKS, TaskError, check_params, load_schema, with_defaults

PACKAGE_DIR = Path(dlviz_kernel.__file__).parent


def all_schema_files():
    """Every parameter schema (*.schema.json but not *.result.schema.json) in the package, found
    the way the server finds them."""
    found = []

    def walk(folder):
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(".schema.json") and not entry.name.endswith(
                    ".result.schema.json"):
                found.append(entry)

    walk(resources.files("dlviz_kernel"))
    return found


def test_every_schema_file_is_valid_json_schema_2020_12_with_catalog_keys():
    files = all_schema_files()
    assert files, "no *.schema.json found in the package"
    for file in files:
        schema = json.loads(file.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        for key in ("$id", "title", "description", "x-family", "properties"):
            assert schema.get(key), f"{file.name} lacks {key}"
        assert schema["additionalProperties"] is False
        assert schema["$id"].split(".")[0] == schema["x-family"]
        for name, spec in schema["properties"].items():
            assert spec.get("title") and spec.get("description"), f"{file.name}: {name}"
            if name not in schema.get("required", []):
                assert "default" in spec, f"{file.name}: optional {name} has no default"


def test_every_registered_task_has_its_schema_beside_it_with_matching_id():
    ids = {json.loads(f.read_text(encoding="utf-8"))["$id"] for f in all_schema_files()}
    assert set(TASKS) == ids
    for task_id in TASKS:
        assert load_schema(task_id)["$id"] == task_id
        assert callable(tasks.task_function(task_id))


def test_schema_defaults_are_valid_parameters():
    for task_id in TASKS:
        schema = load_schema(task_id)
        Draft202012Validator(schema).validate(with_defaults(schema, {}))


def test_with_defaults_fills_missing_values_and_keeps_given_ones():
    schema = load_schema("transformer.attention")
    given = {"text": "Hi there", "max_tokens": 9}
    filled = with_defaults(schema, given)
    assert filled == {"text": "Hi there", "max_tokens": 9, "text_b": None,
                      "model": "all-MiniLM-L6-v2", "model_variable": None,
                      "tokenizer_variable": None, "run": None, "epoch": -1,
                      "include_qk": False}
    assert given == {"text": "Hi there", "max_tokens": 9}, "the input must not change"
    assert with_defaults(schema, None)["text"] == "The cat sat on the mat because it was tired."


def test_with_defaults_fills_nested_objects():
    schema = {"properties": {"optimizer": {"type": "object", "default": {},
                                           "properties": {"lr": {"default": 0.1}}}}}
    # a default object gets its own properties' defaults too (as the server always filled them)
    assert with_defaults(schema, {}) == {"optimizer": {"lr": 0.1}}
    assert with_defaults(schema, {"optimizer": {"momentum": 0.9}}) == {
        "optimizer": {"momentum": 0.9, "lr": 0.1}}
    given = {"optimizer": {"momentum": 0.9}}
    with_defaults(schema, given)
    assert given == {"optimizer": {"momentum": 0.9}}  # the caller's params are not changed


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"text": "hi", "colour": "red"}, "colour", "not a setting"),
        ({"text": ""}, "text", "must not be empty"),
        ({"text": 3}, "text", "type string"),
        ({"text": "hi", "max_tokens": 0}, "max_tokens", "at least 1"),
        ({"text": "hi", "max_tokens": 513}, "max_tokens", "at most 512"),
        ({"text": "hi", "max_tokens": 12.5}, "max_tokens", "type integer"),
        ({"text": "hi", "max_tokens": True}, "max_tokens", "type integer"),
        ({"text": "hi", "text_b": 5}, "text_b", "string or null"),
    ],
)
def test_kernel_rechecks_params_and_names_the_field(params, field, words):
    schema = load_schema("transformer.attention")
    with pytest.raises(TaskError) as caught:
        check_params(schema, with_defaults(schema, params))
    assert caught.value.field == field
    assert words in caught.value.message


def test_missing_required_field_is_named():
    with pytest.raises(TaskError) as caught:
        check_params({"required": ["text"], "properties": {"text": {}}}, {})
    assert caught.value.field == "text"


def test_bad_params_in_a_request_publish_an_error_naming_the_field(run_task, recorder):
    message = run_task("transformer.attention", {"text": "hi", "max_tokens": -1}, run_id="r9")
    assert message == {"kind": "error", "run_id": "r9", "field": "max_tokens",
                       "message": "Maximum number of tokens must be at least 1."}
    assert recorder.messages == [message]


def test_unknown_task_publishes_an_error(run_task):
    message = run_task("cnn.nothing-like-this")
    assert message["kind"] == "error" and message["field"] is None
    assert "cnn.nothing-like-this" in message["message"]


@pytest.fixture
def sample_tasks(tmp_path, monkeypatch):
    """A real task package outside dlviz_kernel, registered for the test only."""
    package = tmp_path / "dlviz_sample_tasks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sample.py").write_text(textwrap.dedent("""
        from dlviz_kernel.tasks import TaskError

        def run(params, ctx):
            ctx.progress(1, 1, "working", loss=0.5)
            if params["what"] == "interrupt":
                raise KeyboardInterrupt
            if params["what"] == "crash":
                raise RuntimeError("a bug in the task")
            if params["what"] == "refuse":
                raise TaskError("Pick something else.", "what")
            ctx.keep_model(params["what"])
            return {"echo": params["what"], "run_id": ctx.run_id, "limits": ctx.limits}
    """))
    (package / "sample.schema.json").write_text(json.dumps({
        "$id": "sample.task", "type": "object", "additionalProperties": False,
        "properties": {"what": {"type": "string", "default": "ok"}},
    }))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(TASKS, "sample.task", "dlviz_sample_tasks.sample:run")
    yield "sample.task"
    sys.modules.pop("dlviz_sample_tasks.sample", None)
    sys.modules.pop("dlviz_sample_tasks", None)


def test_a_task_gets_defaults_limits_and_run_id_and_its_result_is_published(
        sample_tasks, run_task, recorder):
    message = run_task(sample_tasks, {}, limits={"max_tokens": 64}, run_id="r3")
    assert message == {"kind": "result", "run_id": "r3",
                       "result": {"echo": "ok", "run_id": "r3", "limits": {"max_tokens": 64}}}
    assert recorder.messages[0] == {"kind": "progress", "run_id": "r3", "step": 1, "total": 1,
                                    "message": "working", "loss": 0.5}
    assert dlviz_kernel.get_model("r3") == "ok"


def test_task_error_becomes_an_error_message_naming_the_field(sample_tasks, run_task):
    message = run_task(sample_tasks, {"what": "refuse"}, run_id="r4")
    assert message == {"kind": "error", "run_id": "r4", "message": "Pick something else.",
                       "field": "what"}


def test_unexpected_exception_propagates_and_publishes_no_result(sample_tasks, run_task, recorder):
    with pytest.raises(RuntimeError, match="a bug in the task"):
        run_task(sample_tasks, {"what": "crash"})
    assert recorder.of_kind("result") == [] and recorder.of_kind("error") == []


def test_keyboard_interrupt_propagates_so_the_run_counts_as_cancelled(
        sample_tasks, run_task, recorder):
    with pytest.raises(KeyboardInterrupt):
        run_task(sample_tasks, {"what": "interrupt"})
    assert recorder.of_kind("result") == [] and recorder.of_kind("error") == []


def test_progress_numbers_cannot_overwrite_the_message_fields(recorder):
    ctx = tasks.RunContext("r5", publisher=recorder)
    with pytest.raises(ValueError, match="kind"):
        ctx.progress(1, 2, "x", kind="result")
    assert recorder.messages == []


def test_a_plain_directory_copy_imports_fast_without_torch_and_finds_its_schemas(tmp_path):
    # The server writes the package into a temporary folder of a remote kernel.
    shutil.copytree(PACKAGE_DIR, tmp_path / "dlviz_kernel",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import dlviz_kernel
        from dlviz_kernel import tasks
        assert dlviz_kernel.__file__.startswith({str(tmp_path)!r}), dlviz_kernel.__file__
        print(tasks.load_schema("transformer.attention")["$id"])
        print("torch" in sys.modules, "transformers" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60, cwd=tmp_path)
    assert out.stdout.split("\n")[:2] == ["transformer.attention", "False False"]


def test_package_exposes_version_mime_type_and_entry_points():
    assert dlviz_kernel.MIME_TYPE == "application/vnd.dlviz-lab.v1+json"
    assert isinstance(dlviz_kernel.__version__, str)
    assert callable(dlviz_kernel.run_request) and callable(dlviz_kernel.list_models)
    assert callable(dlviz_kernel.get_model)
