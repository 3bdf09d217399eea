"""Bounded queues, which runs are forgotten first, and kernels shut down under queued runs."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from dlviz_lab.eviction import runs_to_forget
from dlviz_lab.run_record import Run

TEXT = {"task": "transformer.attention", "params": {"text": "a cat"}}


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}},
            "DLVizLab": {"max_run_seconds": 300, "max_queued_runs": 5, "max_runs_kept": 4}}


async def busy_kernel(start_kernel, notebook, seconds: int):
    """A notebook kernel busy with a long cell, so every run sent to it has to wait."""
    kernel_id = await start_kernel()
    cell = await notebook(kernel_id)
    msg_id = cell.client.execute(f"import time; time.sleep({seconds})")
    while True:  # until the kernel has really taken the cell
        msg = await cell.client.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id
                and msg["content"].get("execution_state") == "busy"):
            return kernel_id


async def test_200_posts_to_one_kernel_get_429_past_the_queue_bound(
        api, start_kernel, notebook, jp_serverapp):
    kernel_id = await busy_kernel(start_kernel, notebook, 60)
    codes = []
    for _ in range(200):
        code, answer, _ = await api("runs", method="POST", body={**TEXT, "kernel_id": kernel_id})
        codes.append(code)
        if code == 429:
            assert "5 runs waiting" in answer["message"]
            assert "max_queued_runs" in answer["message"]
    assert codes[:5] == [202] * 5
    assert set(codes[5:]) == {429}
    manager = jp_serverapp.web_app.settings["dlviz_lab"]
    assert len(manager.runs) == 5
    # cancelling one frees a place in the queue
    _, runs, _ = await api("runs")
    code, _, _ = await api("runs", runs["runs"][0]["id"], method="DELETE")
    assert code == 202
    code, _, _ = await api("runs", method="POST", body={**TEXT, "kernel_id": kernel_id})
    assert code == 202


async def test_shutting_down_a_kernel_fails_its_queued_runs_and_the_server_goes_on(
        api, start_kernel, notebook, jp_fetch, wait_run, jp_serverapp):
    kernel_id = await busy_kernel(start_kernel, notebook, 60)
    ids = []
    for _ in range(3):
        code, created, _ = await api("runs", method="POST", body={**TEXT, "kernel_id": kernel_id})
        assert code == 202
        ids.append(created["id"])
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    for run_id in ids:
        run = await wait_run(run_id, timeout=30)
        assert run["status"] == "failed"
        assert run["error"] == "the kernel was shut down"
    bridge = jp_serverapp.web_app.settings["dlviz_lab"].bridge
    for _ in range(50):
        if kernel_id not in bridge._clients:
            break
        await asyncio.sleep(0.1)
    assert kernel_id not in bridge._clients
    code, _, _ = await api("catalog")
    assert code == 200
    code, created, _ = await api("runs", method="POST", body=TEXT)  # the scratch kernel
    assert code == 202
    run = await wait_run(created["id"])
    assert run["status"] == "succeeded", run


async def test_inspect_runs_of_an_explorer_do_not_push_out_the_training_run(api, wait_run):
    code, training, _ = await api("runs", method="POST", body={
        "task": "cnn.train", "params": {"training": {"epochs": 1}}})
    assert code == 202
    assert (await wait_run(training["id"]))["status"] == "succeeded"
    inspects = []
    for epoch in (0, 1, 0, 1, 0, 1):  # an epoch slider moved back and forth
        code, created, _ = await api("runs", method="POST", body={
            "task": "cnn.inspect", "params": {"run": training["id"], "epoch": epoch}})
        assert code == 202, created
        inspects.append(created["id"])
        assert (await wait_run(created["id"]))["status"] == "succeeded"
    # max_runs_kept is 4: the training run and the three newest inspect runs stay
    code, _, _ = await api("runs", training["id"])
    assert code == 200
    kept = [r["id"] for r in (await api("runs"))[1]["runs"]]
    assert kept == inspects[-3:][::-1] + [training["id"]]
    code, _, _ = await api("runs", inspects[0])
    assert code == 404


def finished(run_id, status="succeeded", params=None, nbytes=0):
    run = Run(task="t", params=params or {}, kernel_id="k", id=run_id, status=status)
    run.arrays = {"a": SimpleNamespace(nbytes=nbytes)} if nbytes else {}
    return run


def test_failed_and_cancelled_runs_are_forgotten_before_older_good_ones():
    runs = [finished("good-old"), finished("failed", "failed"), finished("good"),
            finished("cancelled", "cancelled"), finished("newest")]
    forget = runs_to_forget(runs, max_runs=3, max_bytes=10**9, keep=runs[-1])
    assert [r.id for r in forget] == ["failed", "cancelled"]


def test_the_byte_budget_forgets_the_oldest_holders_of_bytes_but_never_the_newest_run():
    runs = [finished("a", nbytes=60), finished("small"), finished("b", nbytes=60),
            finished("c", nbytes=60)]
    forget = runs_to_forget(runs, max_runs=100, max_bytes=100, keep=runs[-1])
    assert [r.id for r in forget] == ["a", "b"]
    alone = [finished("huge", nbytes=500)]
    assert runs_to_forget(alone, max_runs=100, max_bytes=100, keep=alone[0]) == []


def test_a_run_still_needed_by_a_kept_run_goes_last():
    runs = [finished("train", nbytes=60), finished("x1", params={"run": "train"}, nbytes=30),
            finished("x2", params={"run": "train"}, nbytes=30)]
    forget = runs_to_forget(runs, max_runs=100, max_bytes=100, keep=runs[-1])
    assert [r.id for r in forget] == ["x1"]
