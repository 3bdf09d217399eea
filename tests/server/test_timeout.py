"""A run that takes longer than max_run_seconds fails with a clear message; the kernel lives on."""

from __future__ import annotations

import pytest

from .test_kernels import SLOW_TASK


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}},
            "DLVizLab": {"max_run_seconds": 4}}


async def test_run_longer_than_max_run_seconds_fails_and_its_kernel_is_interrupted(
        api, wait_run, start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(SLOW_TASK + "\nimport torch, transformers"))["status"] == "ok"
    _, body, _ = await api("runs", method="POST", body={
        "task": "transformer.attention", "params": {"text": "sleep please"}, "kernel_id": kid})
    run = await wait_run(body["id"], timeout=30)
    assert run["status"] == "failed"
    assert run["error"] == "the run did not finish within 4 s"
    # interrupted, not left sleeping for a minute: the notebook gets its kernel back at once
    out = await cells.execute("print('mine again')", timeout=10)
    assert out["stdout"] == "mine again\n"
