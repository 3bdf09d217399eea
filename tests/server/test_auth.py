"""Least privilege: run data is kernel output, so reading it needs `execute` on `kernels`.

A real server whose Authorizer grants only `read` (what jupyter_server gives for kernel metadata)
gets 403 on every route that reads or makes run data, and 200 on the catalog and the assets.
"""

from __future__ import annotations

import pytest
from jupyter_server.auth import Authorizer

ATTENTION = "transformer.attention"


class ReadOnlyAuthorizer(Authorizer):
    """Allows everything while `everything` is set (to make a real run), then `read` only."""

    everything = True
    asked: list = []

    def is_authorized(self, handler, user, action, resource):
        ReadOnlyAuthorizer.asked.append((action, resource))
        return ReadOnlyAuthorizer.everything or action == "read"


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True},
                          "authorizer_class": ReadOnlyAuthorizer},
            "DLVizLab": {"max_run_seconds": 300}}


@pytest.fixture
def read_only():
    ReadOnlyAuthorizer.everything = True
    ReadOnlyAuthorizer.asked = []
    yield ReadOnlyAuthorizer
    ReadOnlyAuthorizer.everything = True


async def test_a_read_only_principal_gets_403_on_every_run_data_route(
        api, jp_fetch, wait_run, start_kernel, read_only):
    # a real run with a real result, made while everything is allowed
    kid = await start_kernel()
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "Private words."},
                                 "kernel_id": kid})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]
    assert "private" in run["result"]["tokens"]
    code, _, _ = await api("runs", run["id"], "arrays", "attention", params={"index": 0})
    assert code == 200

    read_only.everything = False
    refused = [
        (("runs",), "GET", None),
        (("runs", run["id"]), "GET", None),
        (("runs", run["id"], "events"), "GET", None),
        (("runs", run["id"], "arrays", "attention"), "GET", None),
        (("runs",), "POST", {"task": ATTENTION, "params": {"text": "x"}, "kernel_id": kid}),
        (("runs", run["id"]), "DELETE", None),
        (("kernels", kid, "models"), "GET", None),
    ]
    for parts, method, payload in refused:
        code, answer, _ = await api(*parts, method=method, body=payload)
        assert code == 403, (parts, method, code, answer)
        assert "Private" not in str(answer)  # nothing of the run leaks into the refusal
    assert ("execute", "kernels") in read_only.asked

    # what needs only `read` still answers
    code, catalog, _ = await api("catalog")
    assert code == 200 and catalog["tasks"]
    response = await jp_fetch("dlviz-lab", "assets", "d3.min.js")
    assert response.code == 200

    # and nothing ran meanwhile: the refused POST queued no run
    read_only.everything = True
    code, listing, _ = await api("runs")
    assert code == 200 and [r["id"] for r in listing["runs"]] == [run["id"]]


ROUTES = [
    ("GET", "dlviz-lab/api/catalog", None),
    ("GET", "dlviz-lab/api/runs", None),
    ("GET", "dlviz-lab/api/presets", None),
    ("POST", "dlviz-lab/api/runs", '{"task": "transformer.attention", "params": {"text": "x"}}'),
    ("GET", "dlviz-lab/api/runs/0123", None),
    ("DELETE", "dlviz-lab/api/runs/0123", None),
    ("GET", "dlviz-lab/api/runs/0123/events", None),
    ("GET", "dlviz-lab/api/runs/0123/arrays/attention", None),
    ("GET", "dlviz-lab/api/kernels/0123/models", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_a_request_without_token_gets_403_like_jupyter_api_handlers(
        http_server_client, jp_base_url, method, path, body):
    # jupyter_server's APIHandler answers 403 (never a login redirect, never 401) to a request
    # that is not logged in; a POST without token fails the XSRF check first, also with 403
    response = await http_server_client.fetch(
        jp_base_url + path, method=method, body=body, raise_error=False,
        follow_redirects=False, allow_nonstandard_methods=True)
    assert response.code == 403, (response.code, response.body[:200])
