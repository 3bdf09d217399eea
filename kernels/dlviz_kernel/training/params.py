"""Nested parameters: defaults and checks inside objects and arrays of objects.

``tasks.with_defaults`` and ``tasks.check_params`` look at the top level; the training
forms nest (``training.learning_rate``, ``blocks.2.kernel_size``), so this walks down and
names the field at fault by its dotted path.
"""

from __future__ import annotations

import copy
from typing import Any

from ..tasks import TaskError, check_params


def complete(schema: dict[str, Any], params: dict[str, Any], prefix: str = "",
             label: str = "") -> dict[str, Any]:
    """A copy of ``params`` with defaults filled at every depth, checked against ``schema``.

    Raises TaskError whose ``field`` is the dotted path (``"blocks.2.kernel_size"``).
    """
    filled = copy.deepcopy(dict(params))
    properties = schema.get("properties", {})
    for name, spec in properties.items():
        if name not in filled and "default" in spec:
            filled[name] = copy.deepcopy(spec["default"])
    try:
        check_params(schema, filled)
    except TaskError as error:
        raise TaskError(f"{label}{error.message}", prefix + (error.field or "")) from None
    for name, value in filled.items():
        spec = properties.get(name, {})
        path = f"{prefix}{name}"
        if isinstance(value, dict) and "properties" in spec:
            filled[name] = complete(spec, value, path + ".", label)
        elif isinstance(value, list):
            filled[name] = _complete_items(spec, value, path, label)
    return filled


def _complete_items(spec: dict[str, Any], items: list, path: str, label: str) -> list:
    """Check an array's length and complete each of its items."""
    title = spec.get("title", path)
    if len(items) < spec.get("minItems", 0):
        raise TaskError(f"{label}{title} needs at least {spec['minItems']} item(s).", path)
    if "maxItems" in spec and len(items) > spec["maxItems"]:
        raise TaskError(f"{label}{title} can have at most {spec['maxItems']} items.", path)
    item_spec = spec.get("items", {})
    item_title = item_spec.get("title", title)
    done = []
    for index, item in enumerate(items):
        item_path = f"{path}.{index}"
        if "properties" in item_spec:
            if not isinstance(item, dict):
                raise TaskError(f"{item_title} {index + 1} must be an object.", item_path)
            done.append(complete(item_spec, item, item_path + ".",
                                 f"{item_title} {index + 1}: "))
        else:
            try:
                check_params({"properties": {"value": item_spec}}, {"value": item})
            except TaskError as error:
                raise TaskError(f"{label}{item_title} {index + 1}: {error.message}",
                                item_path) from None
            done.append(item)
    return done
