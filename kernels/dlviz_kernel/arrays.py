"""Arrays as JSON: ``{"dtype", "shape", "data"}`` with the raw bytes in base64.

The bytes are little-endian and in C order (last index changes fastest), so the
browser can wrap them in a typed array without copying. ``encode(x, "uint8")`` on a
float array quantizes it to 256 levels and adds ``scale`` and ``offset``
(value = offset + scale * byte), a quarter of the size of float32.
"""

from __future__ import annotations

import base64
import ctypes
import sys
from typing import Any

import torch

# The dtypes both decoders (Python and TypeScript) understand.
DTYPES = {
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
}


def encode(x: Any, dtype: str = "float32") -> dict[str, Any]:
    """Turn a tensor, numpy array or nested list into a JSON-able array description.

    ``dtype`` is the type stored in ``data``. With ``dtype="uint8"`` a floating-point
    input is quantized (``scale`` and ``offset`` are added); an integer input is stored
    as is and must lie within 0..255.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, not {dtype!r}")
    tensor = _as_cpu_tensor(x)
    extra: dict[str, float] = {}
    if dtype == "uint8" and tensor.is_floating_point():
        tensor, scale, offset = _quantize(tensor)
        extra = {"scale": scale, "offset": offset}
    elif dtype == "uint8" and tensor.numel() and (tensor.min() < 0 or tensor.max() > 255):
        raise ValueError("integer values outside 0..255 cannot be stored as uint8")
    else:
        tensor = tensor.to(DTYPES[dtype])
    return {
        "dtype": dtype,
        "shape": list(tensor.shape),
        "data": base64.b64encode(_little_endian_bytes(tensor)).decode("ascii"),
        **extra,
    }


def decode(array: dict[str, Any]):
    """Turn an encoded array back into a numpy array (float32 for quantized ones)."""
    import numpy as np

    raw = base64.b64decode(array["data"])
    values = np.frombuffer(raw, dtype=np.dtype(array["dtype"]).newbyteorder("<"))
    values = values.reshape(array["shape"])
    if "scale" in array:
        return (array["offset"] + array["scale"] * values.astype(np.float32)).astype(np.float32)
    return values.astype(np.dtype(array["dtype"]))


def _as_cpu_tensor(x: Any) -> torch.Tensor:
    """A detached CPU tensor holding the same values as ``x``."""
    byteorder = getattr(getattr(x, "dtype", None), "byteorder", "=")
    if byteorder not in ("=", "|"):
        # torch reads only native byte order; numpy can swap (e.g. arrays read from files).
        x = x.astype(x.dtype.newbyteorder("="))
    tensor = x.detach() if isinstance(x, torch.Tensor) else torch.as_tensor(x)
    tensor = tensor.cpu()
    if tensor.dtype in (torch.bfloat16, torch.bool):
        # Neither has a typed array in the browser; float32 / uint8 carry the same values.
        tensor = tensor.float() if tensor.dtype == torch.bfloat16 else tensor.to(torch.uint8)
    return tensor


def _quantize(tensor: torch.Tensor) -> tuple[torch.Tensor, float, float]:
    """Map floats onto 0..255 linearly between their minimum and maximum."""
    values = tensor.to(torch.float64)
    if values.numel() == 0:
        return values.to(torch.uint8), 1.0, 0.0
    if not torch.isfinite(values).all():
        raise ValueError("cannot quantize an array that holds NaN or infinity")
    low, high = values.min().item(), values.max().item()
    # A constant array keeps scale 1 so decoders never multiply by a meaningless 0/0.
    scale = (high - low) / 255.0 if high > low else 1.0
    levels = torch.round((values - low) / scale).clamp(0, 255).to(torch.uint8)
    return levels, scale, low


def _little_endian_bytes(tensor: torch.Tensor) -> bytes:
    """The tensor's bytes in C order, little-endian, read without numpy."""
    tensor = tensor.contiguous()
    size = tensor.numel() * tensor.element_size()
    if size == 0:
        return b""
    if sys.byteorder != "little":
        # Rare big-endian machines: let numpy swap the bytes.
        array = tensor.numpy()
        return array.astype(array.dtype.newbyteorder("<")).tobytes()
    # Reading the memory directly keeps numpy optional in the kernel.
    return ctypes.string_at(tensor.data_ptr(), size)
