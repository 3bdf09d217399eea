"""Arrays travel as base64 little-endian bytes and come back with the same values."""

import base64
import struct

import numpy as np
import pytest
import torch

from dlviz_kernel.arrays import decode, encode


def test_float32_round_trip_keeps_values_shape_and_dtype():
    values = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(0))
    encoded = encode(values)
    assert encoded["dtype"] == "float32" and encoded["shape"] == [2, 3, 4]
    decoded = decode(encoded)
    assert decoded.dtype == np.float32
    np.testing.assert_array_equal(decoded, values.numpy())


def test_float16_round_trip_is_exact_for_float16_values_and_half_the_size():
    values = np.array([[0.5, -1.25, 65504.0], [1e-3, 0.0, -2.0]], dtype=np.float32)
    encoded = encode(values, dtype="float16")
    assert len(base64.b64decode(encoded["data"])) == 6 * 2
    np.testing.assert_array_equal(decode(encoded), values.astype(np.float16))


def test_bytes_are_little_endian_and_c_order():
    encoded = encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert base64.b64decode(encoded["data"]) == struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
    encoded = encode(np.array([1, 256], dtype=">i4"), dtype="int32")
    assert base64.b64decode(encoded["data"]) == struct.pack("<2i", 1, 256)


def test_a_transposed_tensor_is_sent_in_its_own_c_order():
    values = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
    np.testing.assert_array_equal(decode(encode(values)), values.numpy())


def test_uint8_quantization_has_scale_and_offset_and_is_within_half_a_step():
    values = torch.linspace(-3.0, 5.0, 1000).reshape(10, 100)
    encoded = encode(values, dtype="uint8")
    assert encoded["dtype"] == "uint8"
    assert encoded["offset"] == pytest.approx(-3.0)
    assert encoded["scale"] == pytest.approx(8.0 / 255)
    raw = np.frombuffer(base64.b64decode(encoded["data"]), dtype=np.uint8)
    assert raw.min() == 0 and raw.max() == 255
    decoded = decode(encoded)
    assert decoded.shape == (10, 100)
    assert np.abs(decoded - values.numpy()).max() <= encoded["scale"] / 2 + 1e-6


def test_quantizing_a_constant_array_gives_back_the_constant():
    encoded = encode(torch.full((3,), 0.25), dtype="uint8")
    np.testing.assert_allclose(decode(encoded), [0.25, 0.25, 0.25])


def test_integers_stored_as_uint8_are_not_quantized():
    encoded = encode(np.array([0, 7, 255]), dtype="uint8")
    assert "scale" not in encoded
    np.testing.assert_array_equal(decode(encoded), [0, 7, 255])


def test_int64_bfloat16_and_empty_arrays_encode():
    assert decode(encode(torch.tensor([1, -2**40]), dtype="int64")).tolist() == [1, -2**40]
    bf16 = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
    np.testing.assert_array_equal(decode(encode(bf16)), [1.5, -2.0])
    empty = encode(torch.zeros(0, 4))
    assert empty["shape"] == [0, 4] and empty["data"] == ""


def test_tensors_that_require_grad_encode_without_error():
    weights = torch.nn.Linear(3, 2).weight
    np.testing.assert_array_equal(decode(encode(weights)), weights.detach().numpy())


def test_unknown_dtype_and_out_of_range_integers_are_refused():
    with pytest.raises(ValueError, match="dtype"):
        encode(torch.zeros(2), dtype="complex64")
    with pytest.raises(ValueError, match="0..255"):
        encode(torch.tensor([300]), dtype="uint8")
    with pytest.raises(ValueError, match="NaN"):
        encode(torch.tensor([1.0, float("nan")]), dtype="uint8")
