"""Large result arrays kept on the server and served a slice at a time.

When a run succeeds, every encoded array (`{"dtype", "shape", "data"}`, see docs/protocol.md)
whose raw data is bigger than `DLVizLab.inline_array_bytes` is decoded once and kept as numpy;
the run's result then holds a stub `{"dtype", "shape", "bytes", "href"}` in its place.
`GET runs/{id}/arrays/{path}` answers the whole array, one entry along axis 0, or either of them
converted to float16 / quantized uint8. Everything here is plain CPU work on bytes: the callers
run it in a thread so the server's event loop stays free.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

# The dtypes a client may ask a slice to be converted to (uint8 = quantized, with scale/offset).
CONVERSIONS = ("float32", "float16", "uint8")
# What both decoders (Python and TypeScript) understand; anything else stays inline as sent.
KNOWN_DTYPES = ("float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64")
# base64 is coded this many raw bytes at a time (a multiple of 3): binascii holds the GIL for a
# whole call, and a 40 MB array in one call would stall the server's event loop
B64_CHUNK = 3 * 256 * 1024


class ArrayRequestError(Exception):
    """A request for an array that cannot be answered; `status` is the HTTP status to send."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class StoredArray:
    """One array of a result, decoded: values in the sent dtype, plus scale/offset if quantized."""

    dtype: str
    values: np.ndarray
    scale: float | None = None
    offset: float | None = None

    @property
    def nbytes(self) -> int:
        return int(self.values.nbytes)

    @property
    def quantized(self) -> bool:
        return self.scale is not None or self.offset is not None

    def as_numpy(self) -> np.ndarray:
        """The values a user means: dequantized (float32) if quantized, in native byte order."""
        if self.quantized:
            return (self.offset + self.scale * self.values.astype(np.float32)).astype(np.float32)
        return self.values.astype(self.values.dtype.newbyteorder("="))


def is_encoded_array(obj) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("dtype"), str)
            and isinstance(obj.get("shape"), list) and isinstance(obj.get("data"), str))


def raw_size(encoded: dict) -> int:
    """Bytes of an encoded array's data, from the base64 length (no decoding)."""
    data = encoded["data"]
    return len(data) * 3 // 4 - data[-2:].count("=") if data else 0


def decode(encoded: dict) -> StoredArray | None:
    """An encoded array as numpy, or None when it is not one we can slice (left inline then)."""
    dtype = encoded["dtype"]
    if dtype not in KNOWN_DTYPES:
        return None
    try:
        raw = b64decode(encoded["data"])
        values = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
        values = values.reshape([int(n) for n in encoded["shape"]])
    except (ValueError, TypeError):
        return None
    scale, offset = encoded.get("scale"), encoded.get("offset")
    if scale is not None or offset is not None:
        scale = 1.0 if scale is None else float(scale)
        offset = 0.0 if offset is None else float(offset)
    return StoredArray(dtype, values, scale, offset)


def b64decode(text: str) -> bytes:
    """`base64.b64decode(text, validate=True)`, a few MB at a time."""
    step = B64_CHUNK // 3 * 4
    if len(text) <= step:
        return base64.b64decode(text, validate=True)
    return b"".join([base64.b64decode(text[i:i + step], validate=True)
                     for i in range(0, len(text), step)])


def b64encode(raw: bytes | memoryview) -> bytes:
    """`base64.b64encode(raw)`, a few MB at a time."""
    view = memoryview(raw).cast("B")
    return b"".join([base64.b64encode(view[i:i + B64_CHUNK])
                     for i in range(0, len(view), B64_CHUNK)])


def href(run_id: str, path: str) -> str:
    """Where the array at `path` is served, relative to `{base_url}dlviz-lab/api/`."""
    return f"runs/{run_id}/arrays/{quote(path, safe='.-_~')}"


def split_result(result, run_id: str, threshold: int):
    """(result with big arrays replaced by stubs, {dotted path: StoredArray}).

    Small arrays and everything else are kept as they are (the same objects).
    """
    stored: dict[str, StoredArray] = {}

    def walk(obj, path: list[str]):
        if is_encoded_array(obj):
            if raw_size(obj) <= threshold:
                return obj
            array = decode(obj)
            if array is None:
                return obj
            key = ".".join(path)
            stored[key] = array
            return {"dtype": obj["dtype"], "shape": list(array.values.shape),
                    "bytes": array.nbytes, "href": href(run_id, key)}
        if isinstance(obj, dict):
            return {k: walk(v, [*path, str(k)]) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v, [*path, str(i)]) for i, v in enumerate(obj)]
        return obj

    return walk(result, []), stored


def find(result, stored: dict, path: str) -> StoredArray:
    """The array at a dotted path: a kept big one, or a small one still inline in the result."""
    if path in stored:
        return stored[path]
    obj = result
    for part in path.split(".") if path else []:
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            obj = None
            break
    array = decode(obj) if is_encoded_array(obj) else None
    if array is None:
        raise ArrayRequestError(404, f"the result has no array at '{path}'"
                                     + _known(result, stored))
    return array


def _known(result, stored: dict) -> str:
    """A hint listing the array paths of a result (at most a few)."""
    paths = list(stored)

    def walk(obj, path):
        if is_encoded_array(obj):
            paths.append(".".join(path))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, [*path, str(k)])
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, [*path, str(i)])

    walk(result, [])
    if not paths:
        return " (it has no arrays)"
    shown = ", ".join(sorted(paths)[:8]) + (", ..." if len(paths) > 8 else "")
    return f" (its arrays: {shown})"


def parse_index(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ArrayRequestError(400, f"index must be a whole number, not '{text}'") from None


def parse_dtype(text: str | None) -> str | None:
    if text is None or text == "":
        return None
    if text not in CONVERSIONS:
        raise ArrayRequestError(
            400, f"dtype must be one of {', '.join(CONVERSIONS)}, not '{text}'")
    return text


def encode_slice(array: StoredArray, path: str, index: int | None = None,
                 dtype: str | None = None) -> dict:
    """The array (or its entry `index` along axis 0), encoded, converted to `dtype` if given."""
    header, data = _slice(array, path, index, dtype)
    return {**header, "data": data.decode("ascii")}


def encode_slice_json(array: StoredArray, path: str, index: int | None = None,
                      dtype: str | None = None) -> bytes:
    """`encode_slice` as JSON bytes, made without one long json.dumps (which holds the GIL)."""
    from .request_body import dumps

    header, data = _slice(array, path, index, dtype)
    head = dumps(header).encode("ascii")
    # base64 needs no escaping inside a JSON string
    return b"".join([head[:-1], b', "data": "', data, b'"}'])


def _slice(array: StoredArray, path: str, index: int | None,
           dtype: str | None) -> tuple[dict, bytes]:
    """(everything of the encoded array but its data, the base64 data)."""
    values = array.values
    if index is not None:
        if values.ndim == 0:
            raise ArrayRequestError(400, f"the array at '{path}' is a single number: "
                                         "it has no axis 0 to index")
        if not 0 <= index < values.shape[0]:
            raise ArrayRequestError(
                400, f"index {index} is out of range: the array at '{path}' has "
                     f"{values.shape[0]} entries along axis 0 (0..{values.shape[0] - 1})")
        values = values[index]
    if dtype is None or (dtype == array.dtype and not array.quantized):
        header, data = _encode_raw(values, array.dtype)
        if array.quantized:
            header.update(scale=array.scale, offset=array.offset)
        return header, data
    # convert the values themselves (quantized ones first back to floats)
    if array.quantized:
        values = array.offset + array.scale * values.astype(np.float64)
    if dtype == "uint8":
        levels, scale, offset = quantize(values, path)
        header, data = _encode_raw(levels, "uint8")
        return {**header, "scale": scale, "offset": offset}, data
    return _encode_raw(values.astype(np.dtype(dtype).newbyteorder("<")), dtype)


def quantize(values: np.ndarray, path: str = ""):
    """256 levels between the minimum and the maximum: (uint8 levels, scale, offset)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values.astype(np.uint8), 1.0, 0.0
    low, high = float(values.min()), float(values.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ArrayRequestError(400, f"the array at '{path}' holds NaN or infinity and "
                                     "cannot be quantized to uint8; ask for float16")
    # a constant array keeps scale 1 so no decoder divides 0 by 0
    scale = (high - low) / 255.0 if high > low else 1.0
    levels = np.clip(np.rint((values - low) / scale), 0, 255).astype(np.uint8)
    return levels, scale, low


def _encode_raw(values: np.ndarray, dtype: str) -> tuple[dict, bytes]:
    little = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    # memoryview: no copy of the array's bytes before base64
    return {"dtype": dtype, "shape": list(values.shape)}, b64encode(little.data)
