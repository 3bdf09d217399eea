"""Course presets: a task with chosen parameters, some of them locked or hidden from students.

A preset is JSON (its schema: `preset.schema.json` beside this file, also the item schema of the
`dlviz-lab:presets` settings):

    {"name": "cnn-small", "title": "A small CNN on digits", "instruction": "Press Run ...",
     "task": "cnn.train", "params": {"training": {"epochs": 3}},
     "locked": ["training.epochs"], "hidden": ["data.source"], "enforce": true, "view": "filters"}

The panel reads presets from JupyterLab's settings (so an admin's `overrides.json` reaches every
student), from the open notebook's metadata, and from a link (`?dlviz-preset=<name>`). The server
only trusts the admin's: `DLVizLab.presets` in the server's configuration and the
`dlviz-lab:presets` entry of JupyterLab's `overrides.json` (and `overrides.d/*.json`) in the
application settings folder, both outside a student's reach. For a task with presets marked
`enforce`, a run must keep the locked and hidden fields of one of them; any other request is
refused (400, naming the field) before it reaches a kernel. An enforced preset that is itself
wrong (unknown task, invalid parameters, a locked field the task does not have) refuses its task
altogether, naming the preset: a course that meant to bound its runs never runs unbounded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jsonschema import Draft202012Validator

from .catalog import Catalog, FieldError, ValidationFailed

SETTINGS_PLUGIN = "dlviz-lab:presets"
SCHEMA = json.loads((Path(__file__).parent / "preset.schema.json").read_text(encoding="utf-8"))
_MISSING = object()


@dataclass
class Preset:
    name: str
    task: str
    params: dict
    title: str = ""
    instruction: str = ""
    locked: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    enforce: bool = False
    view: str = ""
    source: str = ""
    # the preset's parameters with the task's defaults, once checked against its schema
    full_params: dict | None = None
    problem: str = ""

    @property
    def fixed(self) -> list:
        """Fields a student cannot change: the locked and the hidden ones, each once."""
        return list(dict.fromkeys([*self.locked, *self.hidden]))

    def as_dict(self) -> dict:
        out = {"name": self.name, "task": self.task, "params": self.params, "title": self.title,
               "instruction": self.instruction, "locked": self.locked, "hidden": self.hidden,
               "enforce": self.enforce, "source": self.source}
        if self.view:
            out["view"] = self.view
        if self.problem:
            out["problem"] = self.problem
        return out


def value_at(params: dict, dotted: str) -> Any:
    """The value of a dotted field ('training.epochs') in nested params, or _MISSING."""
    node: Any = params
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def schema_has(schema: dict, dotted: str) -> bool:
    """Whether a task's parameter schema has the dotted field."""
    node = schema
    for key in dotted.split("."):
        node = (node.get("properties") or {}).get(key) if isinstance(node, dict) else None
        if node is None:
            return False
    return True


def parse(raw: Any, source: str) -> tuple[list[Preset], list[str]]:
    """Presets from a list of JSON objects; (the well-formed ones, problems of the others)."""
    if not isinstance(raw, list):
        return [], [f"{source}: presets must be a list of objects"]
    validator = Draft202012Validator(SCHEMA)
    found, problems = [], []
    for i, item in enumerate(raw):
        errors = sorted(validator.iter_errors(item), key=lambda e: list(e.absolute_path))
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "preset"
            name = item.get("name") if isinstance(item, dict) else None
            problems.append(f"{source}: preset {name or i!r}: {where}: {errors[0].message}")
            continue
        found.append(Preset(name=item["name"], task=item["task"], params=item.get("params", {}),
                            title=item.get("title", ""), instruction=item.get("instruction", ""),
                            locked=list(item.get("locked", [])),
                            hidden=list(item.get("hidden", [])),
                            enforce=bool(item.get("enforce", False)), view=item.get("view", ""),
                            source=source))
    return found, problems


def check(preset: Preset, catalog: Catalog) -> Preset:
    """Check a preset against its task's schema; sets `full_params`, or `problem`."""
    schema = catalog.tasks().get(preset.task)
    if schema is None:
        preset.problem = f"unknown task {preset.task!r}"
        return preset
    missing = [f for f in preset.fixed if not schema_has(schema, f)]
    if missing:
        preset.problem = f"{preset.task} has no field {missing[0]!r}"
        return preset
    try:
        preset.full_params = catalog.validate_params(preset.task, preset.params)
    except ValidationFailed as err:
        preset.problem = f"its params are not valid for {preset.task}: {err.message}"
    return preset


def settings_files(settings_dir: str) -> list[Path]:
    """JupyterLab's override files in an application settings folder, in the order it reads them
    (`overrides.d/*.json`, then `overrides.json`; later ones win)."""
    folder = Path(settings_dir)
    return [*sorted((folder / "overrides.d").glob("*.json")), folder / "overrides.json"]


def from_settings(settings_dir: str) -> tuple[list[Preset], list[str]]:
    """The presets an admin put in JupyterLab's overrides for `dlviz-lab:presets`."""
    presets: dict[str, Preset] = {}
    problems: list[str] = []
    for path in settings_files(settings_dir):
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            problems.append(f"{path}: not readable JSON ({err})")
            continue
        entry = data.get(SETTINGS_PLUGIN) if isinstance(data, dict) else None
        if not isinstance(entry, dict) or "presets" not in entry:
            continue
        found, bad = parse(entry["presets"], str(path))
        problems += bad
        presets.update({p.name: p for p in found})  # a later file replaces a preset by name
    return list(presets.values()), problems


class CoursePresets:
    """The presets the server trusts, read again when their files change."""

    def __init__(self, catalog: Catalog, configured: list, settings_dir: Callable[[], str | None]):
        self.catalog = catalog
        self.configured = configured
        self.settings_dir = settings_dir
        self._signature: Any = None
        self._presets: list[Preset] = []
        self._problems: list[str] = []

    def _files_signature(self, folder: str | None) -> tuple:
        if not folder:
            return ()
        out = []
        for path in settings_files(folder):
            try:
                out.append((str(path), os.stat(path).st_mtime_ns))
            except OSError:
                continue
        return tuple(out)

    def _load(self) -> None:
        self.catalog.tasks()  # the task schemas, read again if they changed
        folder = self.settings_dir()
        signature = (folder, self._files_signature(folder), self.catalog._signature)
        if signature == self._signature and self._signature is not None:
            return
        presets, problems = parse(self.configured, "DLVizLab.presets")
        if folder:
            found, bad = from_settings(folder)
            names = {p.name for p in found}
            presets = [p for p in presets if p.name not in names] + found
            problems += bad
        for preset in presets:
            check(preset, self.catalog)
            if preset.problem:
                problems.append(f"{preset.source}: preset {preset.name!r}: {preset.problem}")
        self._presets, self._problems = presets, problems
        self._signature = (folder, self._files_signature(folder), self.catalog._signature)

    def listing(self) -> dict:
        """The `GET presets` answer: the trusted presets and what is wrong with any of them."""
        self._load()
        return {"presets": [p.as_dict() for p in self._presets], "problems": self._problems}

    def problems(self) -> list[str]:
        self._load()
        return list(self._problems)

    def enforce(self, task: str, params: dict) -> None:
        """Refuse (ValidationFailed) params of `task` outside every enforced preset of it."""
        self._load()
        enforced = [p for p in self._presets if p.enforce and p.task == task]
        if not enforced:
            return
        broken = [p for p in enforced if p.problem]
        if broken:
            message = (f"preset: this course's preset {broken[0].name!r} for {task} is not "
                       f"valid ({broken[0].problem}); ask your instructor to fix it")
            raise ValidationFailed(message=message,
                                   errors=[FieldError("preset", ["preset"], message)])
        best: list[FieldError] | None = None
        for preset in enforced:
            errors = []
            for dotted in preset.fixed:
                wanted = value_at(preset.full_params or {}, dotted)
                sent = value_at(params, dotted)
                if sent != wanted:
                    errors.append(FieldError(
                        dotted, dotted.split("."),
                        f"params.{dotted}: this course fixes it at {json.dumps(wanted)} "
                        f"(preset {preset.name!r}); the request has "
                        f"{json.dumps(None if sent is _MISSING else sent)}"))
            if not errors:
                return
            if best is None or len(errors) < len(best):
                best = errors
        raise ValidationFailed(message="; ".join(e.message for e in best), errors=best)
