"""Images and labels held in the learner's notebook variables, found by name."""

from __future__ import annotations

import keyword
from typing import Any

import torch

from .. import protocol
from ..tasks import TaskError
from . import ImageData


def user_namespace() -> dict[str, Any]:
    """The running IPython's user namespace (empty outside IPython)."""
    shell = protocol.running_shell()
    return shell.user_ns if shell is not None else {}


def lookup(name: str, field: str, namespace: dict[str, Any] | None = None) -> Any:
    """The value of the notebook variable ``name``; names are looked up, never evaluated."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TaskError(f"{name!r} is not a variable name: use a plain name such as X_train.",
                        field)
    namespace = user_namespace() if namespace is None else namespace
    if name not in namespace:
        raise TaskError(f"There is no variable named {name!r} in your notebook. "
                        "Run the cell that defines it first.", field)
    return namespace[name]


def from_namespace(x_name: str, y_name: str,
                   namespace: dict[str, Any] | None = None) -> ImageData:
    """Images ``[N, H, W]`` or ``[N, C, H, W]`` and integer labels ``[N]`` from two variables."""
    x_value = lookup(x_name, "data.x", namespace)
    y_value = lookup(y_name, "data.y", namespace)
    x = _tensor(x_value, x_name, "data.x").to(torch.float32)
    y = _tensor(y_value, y_name, "data.y")
    if x.dim() == 3:
        x = x.unsqueeze(1)
    if x.dim() != 4:
        raise TaskError(f"{x_name} must hold images shaped [N, H, W] or [N, C, H, W], "
                        f"not {list(x.shape)}.", "data.x")
    y = y.reshape(-1) if y.dim() == 2 and y.shape[1] == 1 else y
    if y.dim() != 1 or y.shape[0] != x.shape[0]:
        raise TaskError(f"{y_name} must hold one label per image ({x.shape[0]}), "
                        f"but its shape is {list(y.shape)}.", "data.y")
    if y.is_floating_point() and not torch.equal(y, y.round()):
        raise TaskError(f"{y_name} must hold class numbers (integers), not fractions.", "data.y")
    if x.shape[0] < 4:
        raise TaskError(f"{x_name} holds {x.shape[0]} images; at least 4 are needed.", "data.x")
    if not torch.isfinite(x).all():
        raise TaskError(f"{x_name} holds NaN or infinite values.", "data.x")
    values, labels = torch.unique(y.to(torch.int64), return_inverse=True)
    if len(values) < 2:
        raise TaskError(f"{y_name} holds only one class; a classifier needs at least two.",
                        "data.y")
    low, high = float(x.min()), float(x.max())
    return ImageData(f"{x_name}, {y_name}", x.contiguous(), labels.to(torch.int64),
                     [str(int(v)) for v in values], (low, high if high > low else low + 1.0))


def _tensor(value: Any, name: str, field: str) -> torch.Tensor:
    """A detached CPU tensor from a tensor, numpy array or nested list."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    try:
        return torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise TaskError(f"{name} is a {type(value).__name__}, not a tensor or array.",
                        field) from None
