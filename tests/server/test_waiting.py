"""A run for a kernel busy with a notebook cell waits unsent; its clock starts when it starts.

The issue's scenario: max_run_seconds=10 and a notebook cell busy for 20 s. Before, the run was
failed after 10 s but still sent, and trained later in the student's kernel with nobody
listening. Now it shows "Waiting for the kernel", is sent once the cell is done, and succeeds.
"""

from __future__ import annotations

import asyncio
import time

import pytest

ATTENTION = "transformer.attention"
WAITING = "Waiting for the kernel: a notebook cell is still running"
# counts every execution the kernel starts, silent ones (ours) included
COUNT_EXECUTIONS = (
    "_dlviz_test_calls = []\n"
    "get_ipython().events.register('pre_execute', lambda: _dlviz_test_calls.append(1))"
)
CHECK = ("import sys\n"
         "print(len(_dlviz_test_calls) - 1, 'dlviz_kernel' in sys.modules)")


@pytest.fixture
def jp_server_config(request):
    limits = {"max_run_seconds": 300, **getattr(request, "param", {})}
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}}, "DLVizLab": limits}


async def _counted_kernel(start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(COUNT_EXECUTIONS))["status"] == "ok"
    return kid, cells


async def _executions(cells) -> tuple[int, bool]:
    """(executions before this check, whether the dlviz runtime was ever loaded)."""
    count, loaded = (await cells.execute(CHECK))["stdout"].split()
    return int(count), loaded == "True"


async def _until(api, run_id, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, run, _ = await api("runs", run_id)
        assert code == 200
        if predicate(run):
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} never got there: {run}")


async def test_a_run_waits_for_a_20_s_cell_unsent_then_runs_on_its_own_clock(
        api, wait_run, start_kernel, notebook, jp_serverapp):
    kid, cells = await _counted_kernel(start_kernel, notebook)
    # warm, with no limit yet: the runtime and MiniLM are loaded, so the run itself later takes
    # well under 10 s even on a loaded machine
    config = jp_serverapp.web_app.settings["dlviz_lab"].config
    _, warm, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "warm"}, "kernel_id": kid})
    warm = await wait_run(warm["id"])
    assert warm["status"] == "succeeded", warm["error"]
    config.max_run_seconds = 10  # the setting, from here on
    before, _ = await _executions(cells)

    cell = asyncio.ensure_future(cells.execute("import time\ntime.sleep(20)\nprint('slept')",
                                               timeout=60))
    await asyncio.sleep(1)
    posted = time.monotonic()
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "After the cell."},
                                 "kernel_id": kid})
    run = await _until(api, body["id"], lambda r: (r["progress"] or {}).get("phase") == "waiting")
    assert run["status"] == "queued"
    assert run["progress"]["message"] == WAITING
    # still waiting, unsent, well past max_run_seconds
    await asyncio.sleep(12)
    code, run, _ = await api("runs", body["id"])
    assert run["status"] == "queued" and run["started"] is None, run
    assert jp_serverapp.kernel_manager.get_kernel(kid).execution_state == "busy"

    out = await cell
    assert out["stdout"] == "slept\n" and out["status"] == "ok"  # the cell was not interrupted
    run = await wait_run(body["id"], timeout=60)
    assert run["status"] == "succeeded", run["error"]
    assert "cell" in run["result"]["tokens"]
    assert time.monotonic() - posted > 19  # far longer than max_run_seconds from the POST
    after, _ = await _executions(cells)
    # the first check, the 20 s cell, then our run (once): nothing else reached the kernel
    assert after - before == 3


async def _post_behind_a_cell(api, cells, kid, *, seconds: int, text: str):
    """A notebook cell sleeping `seconds`, then a run posted to its kernel: (cell future, body)."""
    cell = asyncio.ensure_future(cells.execute(f"import time\ntime.sleep({seconds})", timeout=60))
    await asyncio.sleep(1)
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": text}, "kernel_id": kid})
    return cell, body


@pytest.mark.parametrize("jp_server_config", [{"max_wait_seconds": 3}], indirect=True)
async def test_a_kernel_busy_past_max_wait_seconds_fails_the_run_and_never_gets_it(
        api, wait_run, start_kernel, notebook, jp_serverapp):
    kid, cells = await _counted_kernel(start_kernel, notebook)
    cell, body = await _post_behind_a_cell(api, cells, kid, seconds=8, text="never")
    run = await wait_run(body["id"], timeout=30)
    assert run["status"] == "failed"
    assert run["error"] == "the kernel stayed busy for 3 s; the run was not sent"
    assert run["started"] is None
    assert (await cell)["status"] == "ok"
    await asyncio.sleep(2)  # a run sent meanwhile would have started by now
    executions, loaded = await _executions(cells)
    assert executions == 1  # the sleeping cell alone
    assert loaded is False  # the dlviz runtime never came into this kernel
    # the server learns "idle" from iopub a moment after our client does: wait for it
    kernel = jp_serverapp.kernel_manager.get_kernel(kid)
    for _ in range(50):
        if kernel.execution_state == "idle":
            break
        await asyncio.sleep(0.1)
    assert kernel.execution_state == "idle"


async def test_a_waiting_run_cancelled_is_never_sent(api, wait_run, start_kernel, notebook):
    kid, cells = await _counted_kernel(start_kernel, notebook)
    cell, body = await _post_behind_a_cell(api, cells, kid, seconds=5, text="drop me")
    await _until(api, body["id"], lambda r: (r["progress"] or {}).get("phase") == "waiting")
    code, answer, _ = await api("runs", body["id"], method="DELETE")
    assert code == 202 and answer["status"] == "cancelled"
    assert (await cell)["status"] == "ok"
    await asyncio.sleep(2)
    assert await _executions(cells) == (1, False)
    # the kernel's queue goes on: the next run is sent and succeeds
    _, again, _ = await api("runs", method="POST",
                            body={"task": ATTENTION, "params": {"text": "next"}, "kernel_id": kid})
    again = await wait_run(again["id"], timeout=240)
    assert again["status"] == "succeeded", again["error"]


async def test_a_kernel_shut_down_while_runs_wait_fails_them_and_the_server_serves_on(
        api, wait_run, start_kernel, notebook, jp_fetch):
    kid, cells = await _counted_kernel(start_kernel, notebook)
    asyncio.ensure_future(cells.execute("import time\ntime.sleep(30)", timeout=60))
    await asyncio.sleep(1)
    ids = []
    for text in ("first", "second"):
        _, body, _ = await api("runs", method="POST",
                               body={"task": ATTENTION, "params": {"text": text},
                                     "kernel_id": kid})
        ids.append(body["id"])
    await _until(api, ids[0], lambda r: (r["progress"] or {}).get("phase") == "waiting")
    response = await jp_fetch("api", "kernels", kid, method="DELETE")
    assert response.code == 204
    for run_id in ids:
        run = await wait_run(run_id, timeout=30)
        assert run["status"] == "failed"
        assert run["error"] == "the kernel was shut down"
    assert (await api("catalog"))[0] == 200
    _, other, _ = await api("runs", method="POST",
                            body={"task": ATTENTION, "params": {"text": "elsewhere"}})
    other = await wait_run(other["id"], timeout=240)
    assert other["status"] == "succeeded", other["error"]


async def test_a_run_that_reaches_the_kernel_after_its_deadline_is_skipped(start_kernel, notebook):
    # the server gave up on a run queued behind cells it could not see coming; the kernel
    # must not start it later with nobody listening
    from dlviz_lab.bridge import entry_code

    kid = await start_kernel()
    cells = await notebook(kid)
    request = {"run_id": "late", "task": ATTENTION, "params": {"text": "too late"}}
    late = await cells.execute(entry_code(request, "0" * 64, None, not_after=time.time() - 1))
    assert late["status"] == "error" and late["reply"]["ename"] == "RuntimeError"
    assert "waited too long for the kernel" in late["reply"]["evalue"]
    check = "import sys\nprint('dlviz_kernel' in sys.modules)"
    assert (await cells.execute(check))["stdout"] == "False\n"
    # in time, the same code goes on to the runtime (here: it asks for the bundle)
    on_time = await cells.execute(entry_code(request, "0" * 64, None,
                                             not_after=time.time() + 60))
    assert on_time["status"] == "ok"
    kinds = [o["data"].get("application/vnd.dlviz-lab.v1+json", {}).get("kind")
             for o in on_time["outputs"]]
    assert kinds == ["bootstrap_needed"]
