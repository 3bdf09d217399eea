"""Requests the server refuses: 400 naming the field (nothing runs), 404, and no token."""

from __future__ import annotations

import json

import pytest

ATTENTION = "transformer.attention"

COUNT_EXECUTIONS = (
    "_dlviz_test_calls = []\n"
    "get_ipython().events.register('pre_execute', lambda: _dlviz_test_calls.append(1))\n"
    "sentinel = 'untouched'"
)


@pytest.fixture
async def watched_kernel(start_kernel, notebook):
    """A notebook kernel that counts every execution it gets (silent ones included)."""
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(COUNT_EXECUTIONS))["status"] == "ok"
    return kid, cells


async def _executions(cells) -> int:
    """How many executions the kernel had before this check (the check itself excluded)."""
    out = await cells.execute("print(len(_dlviz_test_calls) - 1, sentinel)")
    count, sentinel = out["stdout"].split()
    assert sentinel == "untouched"
    return int(count)


BAD_BODIES = [
    ({"task": "transformer.nope", "params": {"text": "x"}}, "task", "unknown task"),
    ({"task": ATTENTION, "params": {"text": 5}}, "text", "params.text: 5 is not of type"),
    ({"task": ATTENTION, "params": {"text": "x", "max_tokens": 0}}, "max_tokens",
     "params.max_tokens: 0 is less than the minimum of 1"),
    ({"task": ATTENTION, "params": {"text": "x", "max_tokens": 513}}, "max_tokens",
     "params.max_tokens: 513 is greater than the maximum of 512"),
    ({"task": ATTENTION, "params": {"text": "x", "max_tokens": "many"}}, "max_tokens",
     "params.max_tokens: 'many' is not of type 'integer'"),
    ({"task": ATTENTION, "params": {"text": "x", "colour": "red"}}, "colour",
     "unknown field 'colour'"),
    ({"task": ATTENTION, "params": {}}, "text", "params.text: is required"),
    ({"task": ATTENTION, "params": "text=x"}, "params", "params: must be an object"),
    ({"task": ATTENTION, "params": {"text": "x"}, "code": "print(1)"}, "code",
     "unknown field 'code'"),
    ({"params": {"text": "x"}}, "task", "task: a task id is required"),
    ({"task": 7}, "task", "task: must be a string"),
    ({"task": ATTENTION, "params": {"text": "x"}, "preset": "../etc"}, "preset",
     "preset: a preset's name"),
    ({"task": ATTENTION, "params": {"text": "x"}, "preset": "p" * 65}, "preset",
     "preset: a preset's name"),
    ({"task": ATTENTION, "params": {"text": "x"}, "preset": 3}, "preset",
     "preset: must be a string"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_BODIES,
                         ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_BODIES)])
async def test_invalid_run_is_400_naming_the_field_and_starts_no_kernel(
        api, jp_serverapp, body, field, message):
    code, answer, _ = await api("runs", method="POST", body=body)
    assert code == 400, answer
    assert message in answer["message"]
    assert answer["errors"][0]["field"] == field
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_invalid_runs_for_a_notebook_kernel_execute_nothing_there(api, watched_kernel,
                                                                        wait_run):
    kid, cells = watched_kernel
    for body, field, _ in BAD_BODIES:
        code, answer, _ = await api("runs", method="POST", body={**body, "kernel_id": kid})
        assert code == 400 and answer["errors"][0]["field"] == field
    for raw in (b"not json", b"[1, 2]", b""):
        code, answer, _ = await api("runs", method="POST", body=raw)
        assert code == 400 and answer["message"]
    assert await _executions(cells) == 0
    # the counter does see our (silent) executions: a valid run is counted
    _, ok, _ = await api("runs", method="POST",
                         body={"task": ATTENTION, "params": {"text": "ok"}, "kernel_id": kid})
    assert (await wait_run(ok["id"]))["status"] == "succeeded"
    assert await _executions(cells) >= 1


async def test_nested_unknown_field_message_uses_the_dotted_path():
    from dlviz_lab.catalog import Catalog, ValidationFailed

    catalog = Catalog()
    catalog._tasks = {"t.nested": {
        "type": "object", "additionalProperties": False,
        "properties": {"layers": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"size": {"type": "integer", "maximum": 64}}}}}}}
    catalog._load = lambda: None
    with pytest.raises(ValidationFailed) as info:
        catalog.validate_params("t.nested", {"layers": [{"size": 8}, {"size": 65, "x": 1}]})
    fields = {e.field for e in info.value.errors}
    assert fields == {"layers.1.size", "layers.1.x"}
    assert "params.layers.1.size: 65 is greater than the maximum of 64" in info.value.message


async def test_unknown_run_is_404_on_every_run_route(api):
    for parts, method in ((("runs", "f" * 32), "GET"), (("runs", "nope"), "DELETE"),
                          (("runs", "nope", "events"), "GET")):
        code, answer, _ = await api(*parts, method=method)
        assert code == 404, parts
        assert "no run with id" in answer["message"]


async def test_unknown_kernel_is_404_and_nothing_is_queued(api, jp_serverapp):
    code, answer, _ = await api("runs", method="POST",
                                body={"task": ATTENTION, "params": {"text": "x"},
                                      "kernel_id": "00000000-dead-beef-0000-000000000000"})
    assert code == 404 and answer["errors"][0]["field"] == "kernel_id"
    code, answer, _ = await api("kernels", "00000000-dead-beef-0000-000000000000", "models")
    assert code == 404
    assert (await api("runs"))[1]["runs"] == []
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


ROUTES_WITHOUT_TOKEN = [
    ("GET", "dlviz-lab/api/catalog", None),
    ("GET", "dlviz-lab/api/runs", None),
    ("POST", "dlviz-lab/api/runs", json.dumps({"task": ATTENTION, "params": {"text": "x"}})),
    ("GET", "dlviz-lab/api/runs/0123", None),
    ("DELETE", "dlviz-lab/api/runs/0123", None),
    ("GET", "dlviz-lab/api/runs/0123/events", None),
    ("GET", "dlviz-lab/api/runs/0123/arrays/attention?index=0", None),
    ("GET", "dlviz-lab/api/kernels/0123/models", None),
    ("GET", "dlviz-lab/assets/bertviz/head_view.js", None),
    ("GET", "dlviz-lab/assets/d3.min.js", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES_WITHOUT_TOKEN,
                         ids=[f"{m} {p}" for m, p, _ in ROUTES_WITHOUT_TOKEN])
async def test_every_route_refuses_a_request_without_token(
        http_server_client, jp_base_url, jp_serverapp, method, path, body):
    response = await http_server_client.fetch(
        jp_base_url + path, method=method, body=body, raise_error=False,
        follow_redirects=False, allow_nonstandard_methods=True)
    assert response.code in (401, 403), (response.code, response.body[:200])
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_every_route_refuses_a_wrong_token(http_server_client, jp_base_url):
    response = await http_server_client.fetch(
        jp_base_url + "dlviz-lab/api/catalog", headers={"Authorization": "token wrong"},
        raise_error=False, follow_redirects=False)
    assert response.code in (401, 403)
