"""Every route's normal answer, against a real server, real ipykernel kernels and real MiniLM."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest

from dlviz_lab.client import decode_arrays

ATTENTION = "transformer.attention"


async def test_catalog_lists_transformer_attention_with_its_schema(api):
    code, catalog, _ = await api("catalog")
    assert code == 200
    tasks = {task["id"]: task for task in catalog["tasks"]}
    task = tasks[ATTENTION]
    assert task["family"] == "transformer"
    assert task["title"] and task["description"]
    assert task["schema"]["$id"] == ATTENTION
    assert task["schema"]["properties"]["max_tokens"]["maximum"] == 512
    assert catalog["version"]


async def test_post_run_answers_202_with_location_and_the_scratch_kernel(api, jp_serverapp,
                                                                        jp_base_url, wait_run):
    code, body, response = await api("runs", method="POST",
                                     body={"task": ATTENTION, "params": {"text": "Hi there."}})
    assert code == 202
    assert body["status"] == "queued"
    assert response.headers["Location"] == f"{jp_base_url}dlviz-lab/api/runs/{body['id']}"
    assert body["kernel_id"] in jp_serverapp.kernel_manager.list_kernel_ids()
    await wait_run(body["id"])


async def test_finished_run_has_attention_per_layer_and_head_with_rows_summing_to_one(
        api, wait_run):
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "The cat sat."}})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]
    assert run["params"]["model"] == "all-MiniLM-L6-v2"  # the schema default, applied
    result = decode_arrays(run["result"])
    tokens = result["tokens"]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and "cat" in tokens
    attention = result["attention"]
    assert isinstance(attention, np.ndarray)
    assert attention.shape == (6, 12, len(tokens), len(tokens))
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, atol=1e-3)
    assert run["finished"] >= run["started"] >= run["created"]
    assert run["progress"]["kind"] == "progress"


async def test_second_run_without_kernel_reuses_the_scratch_kernel(api, wait_run, jp_serverapp):
    _, first, _ = await api("runs", method="POST",
                            body={"task": ATTENTION, "params": {"text": "a"}})
    _, second, _ = await api("runs", method="POST",
                             body={"task": ATTENTION, "params": {"text": "b"}, "kernel_id": None})
    assert first["kernel_id"] == second["kernel_id"]
    assert len(jp_serverapp.kernel_manager.list_kernel_ids()) == 1
    assert (await wait_run(second["id"]))["status"] == "succeeded"


async def test_runs_list_is_newest_first_and_without_results(api, wait_run):
    ids = []
    for text in ("one", "two"):
        _, body, _ = await api("runs", method="POST",
                               body={"task": ATTENTION, "params": {"text": text}})
        ids.append(body["id"])
    await wait_run(ids[-1])
    code, listing, _ = await api("runs")
    assert code == 200
    assert [run["id"] for run in listing["runs"]] == ids[::-1]
    assert all("result" not in run for run in listing["runs"])
    assert listing["runs"][0]["params"]["text"] == "two"


def _parse_sse(text: str) -> list:
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


async def test_events_stream_sends_status_progress_and_ends_with_the_final_status(api, jp_fetch):
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "Stream me."}})
    response = await jp_fetch("dlviz-lab", "api", "runs", body["id"], "events",
                              request_timeout=240)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events = _parse_sse(response.body.decode())
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "status" and events[0][1]["status"] in ("queued", "running")
    assert "progress" in kinds
    progress = [data for kind, data in events if kind == "progress"]
    assert all(p["run_id"] == body["id"] for p in progress)
    assert [p["step"] for p in progress] == sorted(p["step"] for p in progress)
    assert events[-1] == ("status", events[-1][1]) and events[-1][1]["status"] == "succeeded"
    # a finished run's stream is its final status alone
    again = _parse_sse((await jp_fetch("dlviz-lab", "api", "runs", body["id"],
                                       "events")).body.decode())
    assert [(kind, data["status"]) for kind, data in again] == [("status", "succeeded")]


async def test_models_of_a_notebook_kernel_lists_its_linear_layer_with_8_parameters(
        api, start_kernel, notebook):
    kid = await start_kernel()
    cell = await (await notebook(kid)).execute("import torch\nnet = torch.nn.Linear(3, 2)")
    assert cell["status"] == "ok"
    code, body, _ = await api("kernels", kid, "models")
    assert code == 200, body
    assert body["kernel_id"] == kid
    models = {m["name"]: m for m in body["models"]}
    assert models["net"]["class_name"] == "Linear"
    assert models["net"]["parameters"] == 8
    assert models["net"]["kind"] == "module"


@pytest.mark.parametrize("name", ["bertviz/head_view.js", "bertviz/model_view.js",
                                  "bertviz/neuron_view.js"])
async def test_assets_serve_bertviz_scripts_as_cacheable_javascript(jp_fetch, name):
    response = await jp_fetch("dlviz-lab", "assets", name)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert "max-age" in response.headers["Cache-Control"]
    assert b"function" in response.body


async def test_assets_serve_offline_copies_of_d3_jquery_and_requirejs(jp_fetch):
    # `make setup` builds dlviz_lab/static/vendor; a missing copy is a broken install.
    for name in ("d3.min.js", "jquery.min.js", "require.js"):
        response = await jp_fetch("dlviz-lab", "assets", name)
        assert response.code == 200 and len(response.body) > 1000


@pytest.mark.parametrize("name", ["bertviz/util.py", "../routes.py", "bertviz/__init__.py",
                                  "other.js"])
async def test_assets_refuse_anything_off_the_list_with_404(jp_fetch, name):
    response = await jp_fetch("dlviz-lab", "assets", name, raise_error=False)
    assert response.code == 404


def test_decode_arrays_honours_uint8_scale_and_offset_and_nested_lists():
    raw = np.array([0, 128, 255], dtype=np.uint8)
    encoded = {"dtype": "uint8", "shape": [3], "data": base64.b64encode(raw.tobytes()).decode(),
               "scale": 0.5, "offset": -1.0}
    floats = np.arange(6, dtype="<f4").reshape(2, 3)
    other = {"dtype": "float32", "shape": [2, 3],
             "data": base64.b64encode(floats.tobytes()).decode()}
    decoded = decode_arrays({"a": [encoded, {"b": other}], "n": 1})
    np.testing.assert_allclose(decoded["a"][0], [-1.0, 63.0, 126.5])
    np.testing.assert_array_equal(decoded["a"][1]["b"], floats)
    assert decoded["n"] == 1


async def test_delete_drops_a_queued_run_and_the_run_before_it_still_succeeds(api, wait_run):
    _, first, _ = await api("runs", method="POST",
                            body={"task": ATTENTION, "params": {"text": "first"}})
    _, second, _ = await api("runs", method="POST",
                             body={"task": ATTENTION, "params": {"text": "second"}})
    code, cancelled, _ = await api("runs", second["id"], method="DELETE")
    assert code == 202
    assert cancelled["status"] == "cancelled"
    assert (await wait_run(first["id"]))["status"] == "succeeded"
    run = await wait_run(second["id"])
    assert run["status"] == "cancelled" and run["result"] is None
    code, again, _ = await api("runs", second["id"], method="DELETE")
    assert code == 409 and "already cancelled" in again["message"]
    await asyncio.sleep(0)
