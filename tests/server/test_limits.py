"""Limits a course admin sets in the server config apply to the catalog and to every run."""

from __future__ import annotations

import pytest


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}},
            "DLVizLab": {"max_tokens": 64, "max_run_seconds": 300}}


async def test_server_max_tokens_shows_in_the_catalog_schema(api):
    _, catalog, _ = await api("catalog")
    (task,) = [t for t in catalog["tasks"] if t["id"] == "transformer.attention"]
    assert task["schema"]["properties"]["max_tokens"]["maximum"] == 64
    assert task["schema"]["properties"]["max_tokens"]["default"] <= 64


async def test_server_max_tokens_refuses_a_larger_request_naming_the_field(api, jp_serverapp):
    code, answer, _ = await api("runs", method="POST", body={
        "task": "transformer.attention", "params": {"text": "x", "max_tokens": 100}})
    assert code == 400
    assert answer["errors"][0]["field"] == "max_tokens"
    assert "params.max_tokens: 100 is greater than the maximum of 64" in answer["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []
