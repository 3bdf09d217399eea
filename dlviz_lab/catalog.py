"""Task catalog and request validation, both from the runtime's parameter `*.schema.json` files."""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator

from dlviz_kernel.tasks import with_defaults  # torch-free: the kernel's own default filling

from . import __version__
from .bundle import runtime_files
from .translations import translate_schema

BODY_FIELDS = {"task": str, "params": dict, "kernel_id": str, "preset": str}
# A preset's name (a run says which preset it came from), checked by preset.schema.json's rule.
_PRESET_SCHEMA = Path(__file__).parent / "preset.schema.json"
PRESET_NAME = Draft202012Validator(
    json.loads(_PRESET_SCHEMA.read_text(encoding="utf-8"))["properties"]["name"])
# Params the server limits itself, besides the schema: param name -> config trait name.
SERVER_LIMITS = ("max_tokens",)
# Files that describe a task's result, not its parameters: never a catalog entry.
RESULT_SCHEMA_SUFFIX = ".result.schema.json"


@dataclass
class FieldError:
    field: str | None
    path: list
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "path": self.path, "message": self.message}


@dataclass
class ValidationFailed(Exception):
    """A request that must not reach a kernel; answered with 400."""

    message: str
    errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"message": self.message, "errors": [e.as_dict() for e in self.errors]}


def _fail(errors: list) -> ValidationFailed:
    message = "; ".join(e.message for e in errors)
    return ValidationFailed(message=message, errors=errors)


def _dotted(path) -> str:
    return ".".join(str(p) for p in path)


class Catalog:
    """The tasks the kernel runtime offers; reloaded when its files change."""

    def __init__(self, max_tokens: int = 512):
        self.max_tokens = max_tokens
        self._signature = None
        # language -> (signature, when it was last checked, the catalog answer as JSON bytes)
        self._answers: dict = {}
        self.checking = False  # a look at the files for GET catalog is under way
        self._tasks: dict = {}

    def _load(self):
        files = [(rel, path) for rel, path in runtime_files()
                 if rel.endswith(".schema.json") and not rel.endswith(RESULT_SCHEMA_SUFFIX)]
        signature = tuple((rel, path.stat().st_mtime_ns) for rel, path in files)
        if signature == self._signature:
            return
        tasks = {}
        for rel, path in files:
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            task_id = schema.get("$id") or rel[: -len(".schema.json")].replace("/", ".")
            tasks[task_id] = self._limited(schema)
        self._tasks, self._signature = tasks, signature

    def _limited(self, schema: dict) -> dict:
        """The schema with the server's limits written in, so forms show the real maximum."""
        schema = copy.deepcopy(schema)
        prop = (schema.get("properties") or {}).get("max_tokens")
        if isinstance(prop, dict) and prop.get("type") in ("integer", "number"):
            prop["maximum"] = min(prop.get("maximum", self.max_tokens), self.max_tokens)
            if isinstance(prop.get("default"), (int, float)):
                prop["default"] = min(prop["default"], prop["maximum"])
        return schema

    def tasks(self) -> dict:
        self._load()
        return self._tasks

    def answer(self, language: str | None = None) -> bytes:
        """The `GET catalog` answer as JSON bytes, in a language of `translations` (None: English).

        Made again only when a schema file changed."""
        self._load()
        cached = self._answers.get(language)
        if cached is None or cached[0] != self._signature:
            data = json.dumps(self.as_json(language), allow_nan=False).encode("utf-8")
            cached = (self._signature, time.monotonic(), data)
        else:
            cached = (self._signature, time.monotonic(), cached[2])
        self._answers[language] = cached
        return cached[2]

    def last_answer(self, language: str | None = None) -> tuple[bytes, float] | None:
        """(the last answer, seconds since its files were checked), without any file access.

        The handler serves it from the event loop, with no thread, so the catalog answers at
        once even while threads decode a big result; it re-checks the files now and then.
        """
        cached = self._answers.get(language)
        if cached is None:
            return None
        return cached[2], time.monotonic() - cached[1]

    def as_json(self, language: str | None = None) -> dict:
        """The catalog document of `GET catalog`; titles and descriptions in `language`."""
        tasks = []
        for task_id, english in sorted(self.tasks().items()):
            schema = translate_schema(english, language)
            tasks.append({
                "id": task_id,
                "family": schema.get("x-family") or task_id.split(".")[0],
                "title": schema.get("title", task_id),
                "description": schema.get("description", ""),
                "schema": schema,
            })
        return {"version": __version__, "language": language or "en", "tasks": tasks}

    def validate_body(self, body) -> tuple[str, dict, str | None, str | None]:
        """Check a `POST runs` body; returns (task, params with defaults, kernel_id, preset)."""
        if not isinstance(body, dict):
            raise _fail([FieldError(None, [], "the request body must be a JSON object")])
        errors = []
        for key in body:
            if key not in BODY_FIELDS:
                errors.append(FieldError(key, [key], f"unknown field '{key}'"))
        if "task" not in body:
            errors.append(FieldError("task", ["task"], "task: a task id is required"))
        for key, kind in BODY_FIELDS.items():
            if key in body and body[key] is None and key != "task":
                continue  # null means "not given" for the optional fields
            if key in body and not isinstance(body[key], kind):
                name = "an object" if kind is dict else "a string"
                errors.append(FieldError(key, [key], f"{key}: must be {name}"))
        preset = body.get("preset")
        if isinstance(preset, str) and not PRESET_NAME.is_valid(preset):
            errors.append(FieldError("preset", ["preset"], "preset: a preset's name: letters, "
                                     "digits, '_', '.' and '-', at most 64, starting with a "
                                     "letter or digit"))
        if errors:
            raise _fail(errors)
        params = self.validate_params(body["task"], body.get("params") or {})
        return body["task"], params, body.get("kernel_id") or None, preset

    def validate_params(self, task: str, params) -> dict:
        """Validate params of one task; returns them with the schema defaults applied."""
        schema = self.tasks().get(task)
        if schema is None:
            known = ", ".join(sorted(self.tasks())) or "none"
            raise _fail([FieldError("task", ["task"],
                                    f"task: unknown task '{task}' (known tasks: {known})")])
        errors = []
        validator = Draft202012Validator(schema)
        for err in sorted(validator.iter_errors(params), key=lambda e: list(e.absolute_path)):
            errors.extend(self._field_errors(err))
        if errors:
            raise _fail(errors)
        params = with_defaults(schema, params)
        errors = []
        for name in SERVER_LIMITS:
            limit = getattr(self, name)
            value = params.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > limit:
                errors.append(FieldError(name, [name], f"params.{name}: {value} is greater than "
                                         f"the maximum of {limit} set by this server"))
        if errors:
            raise _fail(errors)
        return params

    @staticmethod
    def _field_errors(err) -> list:
        path = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            schema = err.schema
            allowed = set(schema.get("properties") or {})
            patterns = list(schema.get("patternProperties") or {})
            extra = [k for k in err.instance
                     if k not in allowed and not any(re.search(p, k) for p in patterns)]
            return [FieldError(_dotted(path + [k]), path + [k],
                               f"params: unknown field '{_dotted(path + [k])}'") for k in extra]
        if err.validator == "required" and isinstance(err.instance, dict):
            missing = [k for k in err.validator_value if k not in err.instance]
            return [FieldError(_dotted(path + [k]), path + [k],
                               f"params.{_dotted(path + [k])}: is required") for k in missing]
        message = _short_message(err)
        if not path:
            return [FieldError("params", [], f"params: {message}")]
        return [FieldError(_dotted(path), path, f"params.{_dotted(path)}: {message}")]


MESSAGE_CHARS = 300  # a refused 1 MB text must not come back whole in the error


def _short_message(err) -> str:
    """jsonschema's message, without repeating a long value (it quotes the value whole)."""
    if len(err.message) <= MESSAGE_CHARS:
        return err.message
    instance = err.instance
    if err.validator == "maxLength" and isinstance(instance, str):
        return (f"is too long: {len(instance)} characters, at most {err.validator_value} "
                "are allowed")
    if err.validator == "maxItems" and isinstance(instance, list):
        return f"has too many items: {len(instance)}, at most {err.validator_value} are allowed"
    if err.validator == "maxProperties" and isinstance(instance, dict):
        return (f"has too many fields: {len(instance)}, at most {err.validator_value} are "
                "allowed")
    return err.message[:MESSAGE_CHARS] + "..."
