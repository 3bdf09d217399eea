"""Strict JSON in and out: request bodies are bounded and checked before anything reads them.

A body is refused with 400 (a `ValidationFailed` naming the place) when it is larger than
`DLVizLab.max_request_bytes`, not UTF-8, not JSON, nested deeper than `DLVizLab.max_json_depth`,
or holds NaN, Infinity or -Infinity (or a number too large for a float), which JSON does not
allow. Answers are strict JSON too: `dumps` never writes NaN, and `finite` turns non-finite
floats that come from a kernel into null.
"""

from __future__ import annotations

import json
import math
import re

from .catalog import FieldError, ValidationFailed

# strings (skipped whole, escapes included) and the brackets that open or close a level
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _NonFinite:
    """Stands for a NaN/Infinity literal (or an overflowing number) until its place is named."""

    def __init__(self, text: str):
        self.text = text


def _constant(text: str):
    return _NonFinite(text)


def _float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def _refuse(message: str, field: str | None = None, path: list | None = None):
    return ValidationFailed(message=message, errors=[FieldError(field, path or [], message)])


def _place(path: list) -> tuple[str | None, list, str]:
    """(field, path, name in messages) of a place in a body, as catalog.py names them.

    A place inside `params` is named by its path within params, like schema errors are.
    """
    if not path:
        return None, [], "the request body"
    dotted = ".".join(str(p) for p in path)
    if path[0] == "params" and len(path) > 1:
        return ".".join(str(p) for p in path[1:]), list(path[1:]), dotted
    return dotted, list(path), dotted


def check_size(content_length: str | None, body: bytes | None, max_bytes: int) -> None:
    """Refuse a body larger than `max_bytes`: its Content-Length first, then its real size."""
    declared = None
    if content_length:
        try:
            declared = int(content_length)
        except ValueError:
            declared = None
    size = len(body or b"")
    for n in (declared, size):
        if n is not None and n > max_bytes:
            raise _refuse(f"the request body is {n} bytes; this server accepts at most "
                          f"{max_bytes} (DLVizLab.max_request_bytes)")


def parse(body: bytes | None, max_depth: int):
    """The JSON value of a body, checked for encoding, nesting and non-finite numbers."""
    try:
        text = (body or b"").decode("utf-8")
    except UnicodeDecodeError as err:
        raise _refuse(f"the request body is not UTF-8 text (byte {err.start} is not valid "
                      "UTF-8); send JSON encoded as UTF-8") from None
    if not text.strip():
        raise _refuse("the request body is empty; send a JSON object")
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        # far deeper than any limit: the parser gave up before we could walk it
        raise _refuse(f"the request body nests arrays and objects more than {max_depth} "
                      f"levels deep (DLVizLab.max_json_depth), first at character "
                      f"{_too_deep_at(text, max_depth)}") from None
    except ValueError as err:
        raise _refuse(f"the request body is not JSON: {err}") from None
    errors = []
    _walk(value, max_depth, errors)
    if errors:
        raise ValidationFailed(message="; ".join(e.message for e in errors[:10]), errors=errors)
    return value


def _too_deep_at(text: str, max_depth: int) -> int:
    """Where (character offset) a JSON text first opens more than `max_depth` levels."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return 0


def _walk(value, max_depth: int, errors: list) -> None:
    """Collect the places of non-finite numbers and of nesting deeper than `max_depth`."""
    # iterative, so a body the parser accepted never meets Python's own recursion limit
    stack = [(value, [], 0)]
    while stack:
        obj, path, depth = stack.pop()
        if isinstance(obj, _NonFinite):
            field, rel, name = _place(path)
            errors.append(FieldError(field, rel, f"{name}: {obj.text} is not a finite number "
                                                 "(JSON allows finite numbers only)"))
            continue
        if not isinstance(obj, (dict, list)):
            continue
        if depth >= max_depth:
            field, rel, name = _place(path)
            errors.append(FieldError(field, rel, f"{name}: nested more than {max_depth} levels "
                                                 "deep (DLVizLab.max_json_depth)"))
            continue
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        # plain numbers and strings need no look: only containers and NaN go on the stack
        children = [(child, [*path, key], depth + 1) for key, child in items
                    if isinstance(child, (dict, list, _NonFinite))]
        stack.extend(reversed(children))


def finite(value):
    """`value` with every NaN/Infinity float replaced by None (a kernel's numbers may hold them).

    Returns the same objects where nothing changes, so big results are not copied.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        out = None
        for key, child in value.items():
            clean = finite(child)
            if clean is not child:
                out = dict(value) if out is None else out
                out[key] = clean
        return value if out is None else out
    if isinstance(value, list):
        out = None
        for i, child in enumerate(value):
            clean = finite(child)
            if clean is not child:
                out = list(value) if out is None else out
                out[i] = clean
        return value if out is None else out
    return value


def dumps(value) -> str:
    """Strict JSON text (no NaN or Infinity): what every answer of the API is made of."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        # a non-finite float slipped through (an old stored run): it is sent as null
        return json.dumps(finite(value), allow_nan=False)
