"""How many bytes things take: tensors held in the kernel, and arrays a result sends.

The byte limits a kernel respects arrive with every request (``limits``, see
docs/protocol.md); ``DEFAULT_LIMITS`` applies when a request or the notebook API gives none.
Importing this module is cheap: torch is only looked at when it is already loaded.
"""

from __future__ import annotations

import sys
from typing import Any

MiB = 1024 * 1024

# Defaults that fit a 2 GB course pod; the server's DLVizLab traitlets send the same numbers.
DEFAULT_LIMITS = {
    "max_result_bytes": 64 * MiB,
    "max_kept_model_bytes": 256 * MiB,
}


def format_bytes(count: int) -> str:
    """A byte count as a learner reads it: ``"32 MiB"``, ``"1.5 GiB"``, ``"820 bytes"``."""
    if count < 1024:
        return f"{int(count)} bytes"
    value = count / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            text = f"{value:.0f}" if value >= 100 else f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
        value /= 1024
    return f"{value:.0f} GiB"


def storages(*objects: Any) -> dict[int, int]:
    """The distinct tensor storages reachable from ``objects``: data address -> bytes.

    Walks dicts, lists, tuples and sets, ``torch.nn.Module`` parameters and buffers, and
    the attributes of this package's own objects (runs, snapshots, data sets). A storage
    that several tensors share (a view, a tied weight) is counted once.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    found: dict[int, int] = {}
    seen: set[int] = set()
    stack = list(objects)
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None or isinstance(item, (str, bytes, int, float, bool)):
            continue
        seen.add(id(item))
        if isinstance(item, torch.Tensor):
            storage = item.untyped_storage()
            found[storage.data_ptr()] = storage.nbytes()
        elif isinstance(item, torch.nn.Module):
            stack.extend(item.parameters())
            stack.extend(item.buffers())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif type(item).__module__.startswith("dlviz_kernel"):
            # Our own records (TrainedRun, Snapshots, ImageData, ...): look at what they hold.
            stack.extend(getattr(item, "__dict__", {}).values())
    return found


def tensor_bytes(*objects: Any) -> int:
    """Bytes of the distinct tensor storages reachable from ``objects`` (see ``storages``)."""
    return sum(storages(*objects).values())


def is_encoded_array(value: Any) -> bool:
    """Whether ``value`` is an array as ``arrays.encode`` makes it (``data`` in base64)."""
    return (isinstance(value, dict) and isinstance(value.get("data"), str)
            and "dtype" in value and "shape" in value)


def encoded_bytes(array: dict[str, Any]) -> int:
    """Raw bytes of one encoded array: its base64 length times 3/4, less the padding."""
    data = array["data"]
    return len(data) * 3 // 4 - data[-2:].count("=") if data else 0


def array_sizes(result: Any, path: str = "") -> list[tuple[str, int]]:
    """``(path, raw bytes)`` of every encoded array in a result; paths as ``snapshots.layers.0``."""
    found: list[tuple[str, int]] = []
    stack: list[tuple[str, Any]] = [(path, result)]
    while stack:
        where, value = stack.pop()
        if is_encoded_array(value):
            found.append((where, encoded_bytes(value)))
            continue
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        # only containers can hold an array: numbers and strings (most of a long history or
        # a playground's frames) are passed over without a path made for each
        stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in items
                     if isinstance(v, (dict, list)))
    return found


def result_bytes(result: Any) -> int:
    """Raw bytes of all encoded arrays of a result (what the server stores and serves)."""
    return sum(size for _, size in array_sizes(result))
