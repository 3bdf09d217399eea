"""The tasks the kernel can run, their schemas, and how one request is run.

A task is a function ``run(params, ctx) -> dict`` plus a JSON Schema file beside it
(``transformer/attention.py`` + ``transformer/attention.schema.json``). ``TASKS`` maps
the task id to the function; the schema says which parameters the task takes.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from importlib import resources
from typing import Any

from . import protocol, sizes

# Task id -> "module:function". Modules are imported only when their task runs.
TASKS: dict[str, str] = {
    "transformer.attention": "dlviz_kernel.transformer.attention:run",
    "transformer.steps": "dlviz_kernel.transformer.steps:run",
    "transformer.projection": "dlviz_kernel.transformer.projection:run",
    "transformer.train": "dlviz_kernel.transformer.train:run",
    "transformer.inspect": "dlviz_kernel.transformer.inspect:run",
    "cnn.train": "dlviz_kernel.cnn.train:run",
    "cnn.inspect": "dlviz_kernel.cnn.inspect:run",
    "rnn.train": "dlviz_kernel.rnn.train:run",
    "rnn.inspect": "dlviz_kernel.rnn.inspect:run",
    "rnn.units": "dlviz_kernel.rnn.units:run",
    "rnn.compare": "dlviz_kernel.rnn.compare:run",
    "mlp.train": "dlviz_kernel.mlp.train:run",
    "autoencoder.train": "dlviz_kernel.autoencoder.train:run",
    "autoencoder.inspect": "dlviz_kernel.autoencoder.inspect:run",
}

# Asks for a listing of the notebook's models instead of running a task.
MODELS_TASK = "__models__"

# The parameter that most drives each task's result size, and what the learner can lower.
RESULT_SIZE_FIELDS: dict[str, tuple[str | None, str]] = {
    "transformer.attention": ("max_tokens", "a smaller maximum number of tokens"),
    "transformer.steps": ("max_tokens", "a smaller maximum number of tokens"),
    "transformer.projection": ("max_tokens", "a smaller maximum number of tokens"),
    "transformer.inspect": ("max_tokens", "a smaller maximum number of tokens"),
    "transformer.train": ("epochs", "fewer epochs, layers or heads"),
    "cnn.train": ("blocks", "fewer or smaller filters in the conv blocks"),
    "cnn.inspect": (None, "a smaller model"),
    "rnn.train": ("epochs", "fewer epochs, a smaller hidden size or shorter sequences"),
    "rnn.inspect": ("max_steps", "a shorter sequence"),
    "rnn.units": ("max_steps", "a shorter sequence"),
    "rnn.compare": ("epochs", "fewer epochs, a smaller hidden size or shorter sequences"),
    "mlp.train": ("epochs", "fewer epochs or a smaller network"),
    "autoencoder.train": ("epochs", "fewer epochs or a smaller latent size"),
    "autoencoder.inspect": ("max_images", "fewer images or a smaller grid"),
}


class TaskError(Exception):
    """An expected failure the learner can fix, such as a model that is not on this machine.

    ``field`` names the parameter at fault (or None); the form shows the message there.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RunContext:
    """What a task gets besides its parameters: its run id, limits and a way to report progress."""

    def __init__(self, run_id: str | None, limits: dict[str, Any] | None = None,
                 publisher: Any = None) -> None:
        self.run_id = run_id
        self.limits = dict(limits or {})
        self.publisher = publisher or protocol.default_publisher

    def limit(self, name: str) -> int:
        """The byte limit ``name`` of this request, or its default (``sizes.DEFAULT_LIMITS``)."""
        value = self.limits.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        return sizes.DEFAULT_LIMITS[name]

    def max_result_bytes(self) -> int:
        """Largest result (raw bytes of its arrays) this run may send; default 64 MiB."""
        return self.limit("max_result_bytes")

    def max_kept_model_bytes(self) -> int:
        """Bytes the kernel may keep for its trained runs and models; default 256 MiB."""
        return self.limit("max_kept_model_bytes")

    def snapshot_budget(self) -> int:
        """Bytes a training run may spend on per-epoch snapshots: half the result limit.

        The other half leaves room for the rest of the result (the final views).
        """
        return self.max_result_bytes() // 2

    def progress(self, step: int, total: int, message: str, **numbers: Any) -> None:
        """Tell the learner how far the run is: step ``step`` of ``total``, with a short message.

        Extra keyword numbers (``loss=0.3``, ``epoch=2``) travel with the event, for charts.
        """
        clash = set(numbers) & {"kind", "run_id", "step", "total", "message"}
        if clash:
            raise ValueError(f"progress numbers cannot be named {sorted(clash)}")
        self.publisher.publish({"kind": "progress", "run_id": self.run_id, "step": step,
                                "total": total, "message": message, **numbers})

    def keep_model(self, model: Any) -> None:
        """Keep a model this run made, so the notebook can get it with ``get_model(run_id)``."""
        from . import models

        models.keep(self.run_id, model, self.max_kept_model_bytes())


def schema_path(task_id: str):
    """Where the schema of ``task_id`` lies: beside the task's module, as ``<name>.schema.json``."""
    module_name = TASKS[task_id].split(":")[0]
    package, _, name = module_name.rpartition(".")
    return resources.files(package).joinpath(f"{name}.schema.json")


def load_schema(task_id: str) -> dict[str, Any]:
    """The JSON Schema (a dict) of one task."""
    return json.loads(schema_path(task_id).read_text(encoding="utf-8"))


def load_schemas() -> dict[str, dict[str, Any]]:
    """The schemas of every registered task, by task id."""
    return {task_id: load_schema(task_id) for task_id in TASKS}


def with_defaults(schema: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of ``params`` with every missing property filled with the schema's ``default``.

    Nested objects too, also those a default just put in. The one implementation: the server's
    request validation (``dlviz_lab.catalog``) fills defaults with it as well.
    """
    filled = copy.deepcopy(dict(params or {}))
    _fill(schema, filled)
    return filled


def _fill(schema: Any, value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(schema, dict):
        return
    for name, spec in (schema.get("properties") or {}).items():
        if name not in value and isinstance(spec, dict) and "default" in spec:
            value[name] = copy.deepcopy(spec["default"])
        if name in value:
            _fill(spec, value[name])


# JSON Schema type names and the Python values that fit them.
_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def check_params(schema: dict[str, Any], params: dict[str, Any]) -> None:
    """Raise TaskError naming the field when ``params`` break the schema's simple rules.

    The server validates fully; this second look covers what a task relies on (unknown or
    missing fields, types, ranges, lengths, choices), so a kernel never trusts its input.
    """
    properties = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        for name in params:
            if name not in properties:
                raise TaskError(f"'{name}' is not a setting of this task.", name)
    for name in schema.get("required", []):
        if name not in params:
            raise TaskError(f"'{name}' is required.", name)
    for name, value in params.items():
        if name in properties:
            _check_value(name, properties[name], value)


def _check_value(name: str, spec: dict[str, Any], value: Any) -> None:
    """Check one value against the type, enum, range and length rules of its schema."""
    title = spec.get("title", name)
    types = spec.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_TYPE_CHECKS.get(t, lambda v: True)(value) for t in types):
            raise TaskError(f"{title} must be of type {' or '.join(types)}.", name)
    if "enum" in spec and value not in spec["enum"]:
        raise TaskError(f"{title} must be one of {spec['enum']}.", name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            raise TaskError(f"{title} must be at least {spec['minimum']}.", name)
        if "maximum" in spec and value > spec["maximum"]:
            raise TaskError(f"{title} must be at most {spec['maximum']}.", name)
    if isinstance(value, str):
        if len(value) < spec.get("minLength", 0):
            raise TaskError(f"{title} must not be empty." if spec["minLength"] == 1
                            else f"{title} needs at least {spec['minLength']} characters.", name)
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            raise TaskError(f"{title} can have at most {spec['maxLength']} characters.", name)
        if "pattern" in spec and value and not re.search(spec["pattern"], value):
            raise TaskError(f"{title}: {value[:100]!r} is not a variable name; use a plain "
                            "name such as my_model (letters, digits and _, not starting with a "
                            "digit).", name)
    if isinstance(value, list):
        if len(value) < spec.get("minItems", 0):
            raise TaskError(f"{title} needs at least {spec['minItems']} item(s).", name)
        if "maxItems" in spec and len(value) > spec["maxItems"]:
            raise TaskError(f"{title} can have at most {spec['maxItems']} items.", name)
        items = spec.get("items")
        # Objects inside arrays are checked field by field by training.params.complete.
        if isinstance(items, dict) and "properties" not in items:
            # "Drawing, row 2, value 5": rows for arrays of arrays, values for the rest.
            kind = "row" if items.get("type") == "array" else "value"
            for index, item in enumerate(value):
                _check_value(f"{name}.{index}", {**items, "title": f"{title}, {kind} {index + 1}"},
                             item)


def check_result_size(task_id: str, result: Any, limit: int) -> None:
    """Refuse a result whose arrays exceed ``limit`` raw bytes, saying what to lower.

    The error names the parameter that most drives the size (``RESULT_SIZE_FIELDS``).
    """
    found = sizes.array_sizes(result)
    total = sum(size for _, size in found)
    if total <= limit:
        return
    field, advice = RESULT_SIZE_FIELDS.get(task_id, (None, "smaller settings"))
    largest, largest_size = max(found, key=lambda item: item[1])
    raise TaskError(
        f"This result would be {sizes.format_bytes(total)} of arrays, more than the "
        f"{sizes.format_bytes(limit)} a run may send (the server's max_result_bytes); the "
        f"largest is '{largest}' ({sizes.format_bytes(largest_size)}). Try again with "
        f"{advice}.", field)


def task_function(task_id: str):
    """Import and return the function that runs ``task_id``."""
    module_name, _, function_name = TASKS[task_id].partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def run_request(request_json: str, publisher: Any = None) -> dict[str, Any]:
    """Run one request from the server and publish its ``result`` or ``error`` message.

    ``request_json`` is ``{"run_id", "task", "params", "limits"}`` as a JSON string. A
    TaskError becomes an ``error`` message; any other exception (and KeyboardInterrupt,
    when the run is cancelled) propagates, so the server reads it from the execute reply.
    Returns the message that was published.
    """
    publisher = publisher or protocol.default_publisher
    request = json.loads(request_json)
    run_id = request.get("run_id")
    task_id = request.get("task")
    if task_id == MODELS_TASK:
        from . import models

        return {"kind": "models", "models": models.list_models(publisher=publisher)}
    try:
        if task_id not in TASKS:
            raise TaskError(f"This kernel does not know the task {task_id!r}.")
        schema = load_schema(task_id)
        params = with_defaults(schema, request.get("params"))
        check_params(schema, params)
        ctx = RunContext(run_id, request.get("limits"), publisher)
        result = task_function(task_id)(params, ctx)
        check_result_size(task_id, result, ctx.max_result_bytes())
    except TaskError as error:
        message = {"kind": "error", "run_id": run_id, "message": error.message,
                   "field": error.field}
    else:
        message = {"kind": "result", "run_id": run_id, "result": result}
    publisher.publish(message)
    return message
