"""Big result arrays stay on the server: stubs in GET runs/{id}, slices from runs/{id}/arrays/."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import numpy as np
import pytest

from dlviz_lab import arrays as array_store
from dlviz_lab.client import Client, decode_array, is_array_stub

ATTENTION = "transformer.attention"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "server"
# about 13 tokens a sentence: far more than 512 tokens in all, so the run is cut to 512
LONG_TEXT = "The cat sat on the mat because it was tired of the long day. " * 60


async def _succeeded(api, wait_run, params, timeout=300):
    code, body, _ = await api("runs", method="POST", body={"task": ATTENTION, "params": params})
    assert code == 202, body
    run = await wait_run(body["id"], timeout=timeout)
    assert run["status"] == "succeeded", run["error"]
    return run


async def _array(api, run_id, path, **query):
    """GET runs/{id}/arrays/{path}?... -> (code, json, body size in bytes)."""
    params = {"params": query} if query else {}
    code, answer, response = await api("runs", run_id, "arrays", path, **params)
    return code, answer, len(response.body or b"")


async def test_512_token_run_is_served_as_a_small_run_and_one_layer_at_a_time(api, wait_run):
    run = await _succeeded(api, wait_run, {"text": LONG_TEXT, "max_tokens": 512})
    run_id = run["id"]
    _, _, response = await api("runs", run_id)
    run_bytes = len(response.body)
    assert run_bytes < 1_000_000, run_bytes
    result = run["result"]
    assert len(result["tokens"]) == 512 and result["truncated"] is True
    stub = result["attention"]
    assert is_array_stub(stub)
    assert stub["shape"] == [6, 12, 512, 512]
    assert stub["href"] == f"runs/{run_id}/arrays/attention"
    # the kernel may send float32 or float16: nothing below depends on which
    assert stub["bytes"] == 6 * 12 * 512 * 512 * np.dtype(stub["dtype"]).itemsize

    code, whole, whole_bytes = await _array(api, run_id, "attention")
    assert code == 200
    full = decode_array(whole)
    assert full.shape == (6, 12, 512, 512)
    np.testing.assert_allclose(full.sum(-1), 1.0, atol=2e-2 if full.dtype == np.float16 else 1e-3)

    layer_bytes = {}
    for k in (0, 3, 5):
        code, answer, size = await _array(api, run_id, "attention", index=str(k))
        assert code == 200, answer
        layer = decode_array(answer)
        assert answer["shape"] == [12, 512, 512] and answer["dtype"] == stub["dtype"]
        np.testing.assert_array_equal(layer, full[k])
        layer_bytes[k] = size
    code, half, half_bytes = await _array(api, run_id, "attention", index="3", dtype="float16")
    assert code == 200 and half["dtype"] == "float16"
    np.testing.assert_allclose(decode_array(half).astype(np.float32), full[3], atol=1e-3)
    code, quantized, quantized_bytes = await _array(api, run_id, "attention", index="3",
                                                    dtype="uint8")
    assert code == 200 and quantized["dtype"] == "uint8" and "scale" in quantized
    levels = decode_array(quantized)
    # 256 levels between min and max: off by at most half a step
    assert np.abs(levels - full[3].astype(np.float32)).max() <= quantized["scale"] / 2 + 1e-3
    np.testing.assert_allclose(decode_array(half).astype(np.float32).sum(-1), 1.0, atol=2e-2)

    record = {
        "tokens": 512, "kernel_dtype": stub["dtype"], "run_json_bytes": run_bytes,
        "whole_attention_response_bytes": whole_bytes,
        "one_layer_response_bytes": layer_bytes[3],
        "one_layer_float16_response_bytes": half_bytes,
        "one_layer_uint8_response_bytes": quantized_bytes,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "layer_bytes.json").write_text(json.dumps(record, indent=2) + "\n")
    print("\nlayer bytes:", json.dumps(record))
    assert half_bytes < 12 * 512 * 512 * 2 * 1.4  # base64 of float16, plus a little JSON
    assert quantized_bytes < half_bytes * 0.6


async def test_array_route_names_the_unknown_path_the_bad_index_and_the_bad_dtype(api, wait_run):
    run = await _succeeded(api, wait_run, {"text": "The cat sat.", "max_tokens": 16})
    run_id = run["id"]
    code, answer, _ = await _array(api, run_id, "attentoin")
    assert code == 404
    assert "no array at 'attentoin'" in answer["message"] and "attention" in answer["message"]
    code, answer, _ = await _array(api, run_id, "attention", index="6")
    assert code == 400
    assert "index 6 is out of range" in answer["message"]
    assert "6 entries along axis 0 (0..5)" in answer["message"]
    code, answer, _ = await _array(api, run_id, "attention", index="-1")
    assert code == 400 and "out of range" in answer["message"]
    code, answer, _ = await _array(api, run_id, "attention", index="two")
    assert code == 400 and "index must be a whole number, not 'two'" in answer["message"]
    code, answer, _ = await _array(api, run_id, "attention", dtype="float8")
    assert code == 400 and "dtype must be one of float32, float16, uint8" in answer["message"]
    code, answer, _ = await _array(api, "f" * 32, "attention")
    assert code == 404 and "no run with id" in answer["message"]
    # a small array still inline in the result is served by the same route
    code, answer, _ = await _array(api, run_id, "attention", index="2")
    assert code == 200
    inline = decode_array(run["result"]["attention"])
    np.testing.assert_array_equal(decode_array(answer), inline[2])


async def test_array_route_of_a_failed_run_is_404_saying_it_failed(api, wait_run):
    code, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "x", "model": "/no/such/model/folder"}})
    run = await wait_run(body["id"])
    assert run["status"] == "failed"
    code, answer, _ = await _array(api, run["id"], "attention")
    assert code == 404 and "failed and has no result" in answer["message"]


@pytest.fixture
def client(jp_serverapp, http_server_client, jp_http_port, jp_base_url):
    return Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
                  token=jp_serverapp.identity_provider.token)


async def test_client_get_run_fetches_stubbed_arrays_whole_and_array_fetches_one_layer(client):
    # 128 tokens: 4.7 MB of float32 attention, over the 256 KiB inline threshold
    run = await asyncio.to_thread(client.run, ATTENTION, {"text": LONG_TEXT, "max_tokens": 128})
    attention = run["result"]["attention"]
    assert isinstance(attention, np.ndarray) and attention.shape == (6, 12, 128, 128)
    np.testing.assert_allclose(attention.astype(np.float32).sum(-1), 1.0, atol=2e-2)
    layer = await asyncio.to_thread(client.array, run["id"], "attention", index=4)
    np.testing.assert_array_equal(layer, attention[4])
    quantized = await asyncio.to_thread(client.array, run["id"], "attention", 4, "uint8")
    assert quantized.dtype == np.float32
    np.testing.assert_allclose(quantized, attention[4].astype(np.float32), atol=1 / 255)


def _encoded(values: np.ndarray) -> dict:
    return {"dtype": str(values.dtype), "shape": list(values.shape),
            "data": base64.b64encode(values.astype(values.dtype.newbyteorder("<")).tobytes())
            .decode()}


def test_split_result_stubs_only_arrays_over_the_threshold_at_their_dotted_path():
    big = np.arange(600, dtype=np.float32).reshape(6, 100)
    small = np.arange(4, dtype=np.int64)
    result = {"tokens": ["a"], "small": _encoded(small),
              "snapshots": {"layers": [{"name": "conv1", "filters": _encoded(big)}]}}
    public, stored = array_store.split_result(result, "r1", threshold=1024)
    assert public["small"] == result["small"] and public["tokens"] == ["a"]
    stub = public["snapshots"]["layers"][0]["filters"]
    assert stub == {"dtype": "float32", "shape": [6, 100], "bytes": 2400,
                    "href": "runs/r1/arrays/snapshots.layers.0.filters"}
    assert list(stored) == ["snapshots.layers.0.filters"]
    sliced = array_store.encode_slice(stored["snapshots.layers.0.filters"], "x", index=2)
    np.testing.assert_array_equal(decode_array(sliced), big[2])


def test_uint8_slice_of_a_quantized_array_keeps_its_scale_and_offset():
    levels = np.array([[0, 255], [10, 20]], dtype=np.uint8)
    stored = array_store.StoredArray("uint8", levels, scale=0.5, offset=-1.0)
    same = array_store.encode_slice(stored, "q", index=1)
    assert same["scale"] == 0.5 and same["offset"] == -1.0
    np.testing.assert_allclose(decode_array(same), [4.0, 9.0])
    half = array_store.encode_slice(stored, "q", index=0, dtype="float16")
    np.testing.assert_allclose(decode_array(half), [-1.0, 126.5])


def test_runs_holding_big_arrays_are_forgotten_oldest_first_beyond_the_byte_limit():
    from types import SimpleNamespace

    from dlviz_lab.config import DLVizLab
    from dlviz_lab.runs import Run, RunManager

    config = DLVizLab(max_array_bytes_kept=250)
    manager = RunManager(None, bridge=None, catalog=None, config=config,
                         log=SimpleNamespace())
    runs = []
    for name in ("old", "middle", "new"):
        run = Run(task=ATTENTION, params={}, kernel_id="k", id=name)
        manager.runs[run.id] = run
        run.arrays = {"attention": array_store.StoredArray("uint8", np.zeros(100, np.uint8))}
        runs.append(run)
    for run in runs:
        manager._finish(run, "succeeded", result={})
    assert list(manager.runs) == ["middle", "new"]
    assert manager.get("old") is None
