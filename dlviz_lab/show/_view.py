"""What every `show.*` output is: a payload (data only) plus a one-line text, and small helpers.

Nothing here imports torch at import time: `from dlviz_lab import show` stays cheap.
"""

from __future__ import annotations

from typing import Any

VIEW_MIME_TYPE = "application/vnd.dlviz-lab.view.v1+json"


class View:
    """A cell output of dlviz-lab: `payload` goes out under VIEW_MIME_TYPE, `text` as text/plain."""

    def __init__(self, payload: dict[str, Any], text: str) -> None:
        self.payload = payload
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {VIEW_MIME_TYPE: self.payload, "text/plain": self.text}

    def __repr__(self) -> str:
        return self.text


def encode(values, dtype: str = "float32") -> dict[str, Any]:
    """An array as the JSON object every dlviz-lab view reads (base64, little-endian, C order)."""
    from dlviz_kernel import arrays

    return arrays.encode(values, dtype)


def tensor_of(value, name: str, dims: tuple[int, ...] | None = None):
    """`value` (tensor, numpy array, nested list) as a detached CPU torch tensor.

    `dims` lists the numbers of dimensions accepted; anything else is a ValueError naming `name`.
    """
    import torch

    try:
        found = value.detach().cpu() if isinstance(value, torch.Tensor) else torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"{name} must be a tensor, a numpy array or a list of numbers: "
                         f"{str(error).splitlines()[0]}") from None
    if dims is not None and found.dim() not in dims:
        wanted = " or ".join(str(d) for d in dims)
        raise ValueError(f"{name} must have {wanted} dimensions, not {found.dim()} "
                         f"(shape {list(found.shape)})")
    return found


def bounded_int(value, name: str, low: int, high: int) -> int:
    """`value` as an int between `low` and `high`, or a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be a whole number between {low} and {high}, not {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {number}")
    return number


def module_name(module) -> str:
    """What the text calls a module: its class name."""
    return type(module).__name__


def model_device_dtype(module):
    """The device and floating-point type of the module's first parameter (CPU float32 if none)."""
    import torch

    first = next(iter(module.parameters()), None) if hasattr(module, "parameters") else None
    if first is None or not first.is_floating_point():
        return torch.device("cpu"), torch.float32
    return first.device, first.dtype


class evaluating:
    """Eval mode and no gradients for the duration, then the module's own mode again."""

    def __init__(self, module, grad: bool = False) -> None:
        self.module = module
        self.grad = grad

    def __enter__(self):
        import torch

        self.was_training = bool(getattr(self.module, "training", False))
        if hasattr(self.module, "eval"):
            self.module.eval()
        self.context = torch.enable_grad() if self.grad else torch.no_grad()
        self.context.__enter__()
        return self.module

    def __exit__(self, *exc):
        self.context.__exit__(*exc)
        if hasattr(self.module, "train"):
            self.module.train(self.was_training)
        return False
