"""The Python client against a real server, and the OpenAPI description against the routes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import yaml

import dlviz_lab
from dlviz_lab.client import Client, DLVizError
from dlviz_lab.routes import ROUTES

SPEC = Path(dlviz_lab.__file__).parent / "openapi.yaml"


@pytest.fixture
def client(jp_serverapp, http_server_client, jp_http_port, jp_base_url):
    # http_server_client: the fixture that makes the test server accept connections
    return Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
                  token=jp_serverapp.identity_provider.token)


async def test_client_run_returns_numpy_attention_for_the_sentence(client):
    # requests blocks: keep it off the loop that serves the server
    run = await asyncio.to_thread(client.run, "transformer.attention",
                                  {"text": "Dogs bark.", "max_tokens": 16})
    assert run["status"] == "succeeded"
    attention = run["result"]["attention"]
    n = len(run["result"]["tokens"])
    assert isinstance(attention, np.ndarray) and attention.dtype == np.float32
    assert attention.shape == (6, 12, n, n)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-3)
    runs = await asyncio.to_thread(client.runs)
    assert runs[0]["id"] == run["id"]
    catalog = await asyncio.to_thread(client.catalog)
    assert "transformer.attention" in [t["id"] for t in catalog["tasks"]]


async def test_client_raises_the_servers_message_and_status(client):
    with pytest.raises(DLVizError) as info:
        await asyncio.to_thread(client.run, "transformer.attention",
                                {"text": "x", "max_tokens": 600})
    assert info.value.status == 400
    assert "params.max_tokens: 600 is greater than the maximum of 512" in info.value.message
    assert info.value.errors[0]["field"] == "max_tokens"
    with pytest.raises(DLVizError) as info:
        await asyncio.to_thread(client.cancel, "no-such-run")
    assert info.value.status == 404


async def test_client_without_token_is_refused(http_server_client, jp_http_port, jp_base_url):
    anonymous = Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}")
    with pytest.raises(DLVizError) as info:
        await asyncio.to_thread(anonymous.catalog)
    # jupyter_server answers an API request without valid credentials with 403, as the spec says
    assert info.value.status == 403


def _route_methods() -> dict:
    out = {}
    for template, handler in ROUTES:
        out[template] = {m for m in ("get", "post", "delete", "put", "patch")
                         if m in vars(handler)}
    return out


def test_openapi_lists_exactly_the_routes_and_methods_of_routes_py():
    spec = yaml.safe_load(SPEC.read_text())
    documented = {path: {m for m in item if m in ("get", "post", "delete", "put", "patch")}
                  for path, item in spec["paths"].items()}
    assert documented == _route_methods()


def test_openapi_is_a_valid_openapi_3_1_document():
    validator = pytest.importorskip("openapi_spec_validator")
    spec = yaml.safe_load(SPEC.read_text())
    assert spec["openapi"].startswith("3.1")
    validator.validate(spec)


def test_openapi_documents_403_and_json_errors_on_every_operation_and_no_401():
    spec = yaml.safe_load(SPEC.read_text())
    error = {"$ref": "#/components/schemas/Error"}
    shared = spec["components"]["responses"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "delete"):
                continue
            responses = operation["responses"]
            assert "403" in responses and "401" not in responses, (method, path)
            for code, response in responses.items():
                if "$ref" in response:
                    response = shared[response["$ref"].rsplit("/", 1)[1]]
                if code.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == error, (path, code)


def test_openapi_run_record_has_the_fields_of_the_servers_runs():
    from dlviz_lab.runs import Run

    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    run = Run(task="transformer.attention", params={"text": "x"}, kernel_id="k")
    sent = set(run.as_dict(with_result=False))
    summary = schemas["RunSummary"]
    # every required field is sent, every field sent is described
    assert set(summary["required"]) <= sent <= set(summary["properties"])
    full = set(run.as_dict()) - sent
    assert set(schemas["Run"]["allOf"][1]["required"]) == full == {"result", "code"}
    assert set(schemas["Run"]["allOf"][1]["properties"]) == full
    assert set(schemas["StatusEvent"]["required"]) == set(run.status_event())


def test_openapi_run_request_matches_the_body_fields_the_server_accepts():
    from dlviz_lab.catalog import BODY_FIELDS

    spec = yaml.safe_load(SPEC.read_text())
    request = spec["components"]["schemas"]["RunRequest"]
    assert set(request["properties"]) == set(BODY_FIELDS)
    assert request["additionalProperties"] is False


def test_client_from_notebook_picks_the_server_that_started_this_kernel(tmp_path):
    import json
    import os

    from dlviz_lab.client import Client

    other = {"url": "http://127.0.0.1:9001/", "token": "other", "pid": os.getppid() + 1}
    ours = {"url": "http://127.0.0.1:9002/hub/user/ada/", "token": "ours", "pid": os.getppid()}
    (tmp_path / "jpserver-1.json").write_text(json.dumps(other))
    (tmp_path / "jpserver-2.json").write_text(json.dumps(ours))
    client = Client.from_notebook(runtime_dir=str(tmp_path))
    assert client.base_url == "http://127.0.0.1:9002/hub/user/ada/"
    assert client.session.headers["Authorization"] == "token ours"
