"""Runs in real kernels: data stays data, the notebook is left alone, cancel, dying kernels."""

from __future__ import annotations

import ast
import asyncio
import json

from dlviz_lab.bridge import entry_code

ATTENTION = "transformer.attention"

# Makes attention runs on "sleep please" slow (60 s), so cancel and kill hit a running run.
SLOW_TASK = """
import time as _t, dlviz_kernel.transformer.attention as _att
_orig = _att.run
def _slow(params, ctx):
    if params.get("text") == "sleep please":
        ctx.progress(1, 2, "sleeping")
        _t.sleep(60)
    return _orig(params, ctx)
_att.run = _slow
"""


async def _wait_status(api, run_id, status, timeout=60):
    for _ in range(int(timeout / 0.1)):
        code, run, _ = await api("runs", run_id)
        if run["status"] == status:
            return run
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} never became {status}: {run}")


def test_entry_code_is_one_call_whose_arguments_are_literals_only():
    hostile = {"text": '"); import os; os.system("touch X") #\n\'\'\' """ \\'}
    code = entry_code({"run_id": "r", "task": ATTENTION, "params": hostile}, "h" * 64, None)
    tree = ast.parse(code)
    (statement,) = tree.body
    call = statement.value
    assert call.func.id == "exec"
    compile_call, globals_dict = call.args
    assert compile_call.func.id == "compile"
    assert all(isinstance(arg, ast.Constant) for arg in compile_call.args)
    assert all(isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
               for k, v in zip(globals_dict.keys, globals_dict.values))
    request = ast.literal_eval(globals_dict.values[0])
    assert json.loads(request)["params"] == hostile


async def test_text_that_tries_to_break_out_of_the_string_comes_back_as_tokens(
        api, wait_run, tmp_path):
    target = tmp_path / "pwned"
    text = (f'"); import os; os.system("touch {target}") # \'\'\' """ \n'
            f"\\\"; open('{target}', 'w') \\n ''') ; exec('x')")
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": text}})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]
    tokens = run["result"]["tokens"]
    assert {"import", "os", "touch", "open"} <= set(tokens)
    assert run["params"]["text"] == text
    assert not target.exists()


async def test_run_in_a_notebook_kernel_leaves_its_variables_and_execution_count(
        api, wait_run, start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute("x = 41\ny = x + 1\nimport math"))["status"] == "ok"
    # the cells' own outputs (_, _2, ...) are IPython's; every other name is compared
    look = "print(sorted(k for k in globals() if not k.startswith('_')))\n%who_ls"
    before = await cells.execute(look)
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "Mine."}, "kernel_id": kid})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]
    assert run["kernel_id"] == kid
    after = await cells.execute(look)
    assert after["stdout"] == before["stdout"]
    assert after["data"] == before["data"] == "['math', 'x', 'y']"
    assert after["execution_count"] == before["execution_count"] + 1
    check = await cells.execute("x, y")
    assert check["data"] == "(41, 42)"


async def test_cancel_interrupts_the_running_run_and_the_kernel_runs_the_next_one(
        api, wait_run, start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(SLOW_TASK))["status"] == "ok"
    _, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "sleep please"}, "kernel_id": kid})
    await _wait_status(api, body["id"], "running")
    code, answer, _ = await api("runs", body["id"], method="DELETE")
    assert code == 202 and answer["cancel_requested"] is True
    run = await wait_run(body["id"], timeout=30)
    assert run["status"] == "cancelled", run
    _, again, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "Awake again."}, "kernel_id": kid})
    assert (await wait_run(again["id"]))["status"] == "succeeded"


async def test_cancel_before_the_kernel_starts_the_run_leaves_the_notebook_cell_alone(
        api, wait_run, start_kernel, notebook):
    kid = await start_kernel()
    cells = await notebook(kid)
    _, warm, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "warm up"}, "kernel_id": kid})
    assert (await wait_run(warm["id"]))["status"] == "succeeded"
    busy = asyncio.ensure_future(cells.execute("import time\ntime.sleep(3)\nprint('slept')"))
    await asyncio.sleep(0.5)
    _, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "after the cell"}, "kernel_id": kid})
    await asyncio.sleep(0.5)
    code, answer, _ = await api("runs", body["id"], method="DELETE")
    # never sent while the cell runs, so the cancel drops it at once
    assert code == 202 and answer["status"] == "cancelled"
    cell = await busy
    assert cell["status"] == "ok" and cell["stdout"] == "slept\n"  # not interrupted
    run = await wait_run(body["id"], timeout=60)
    assert run["status"] == "cancelled"
    assert (await cells.execute("print('still fine')"))["stdout"] == "still fine\n"


async def test_kernel_killed_during_a_run_fails_it_and_a_restarted_kernel_runs_again(
        api, wait_run, start_kernel, notebook, jp_serverapp, jp_fetch):
    kid = await start_kernel()
    cells = await notebook(kid)
    assert (await cells.execute(SLOW_TASK))["status"] == "ok"
    _, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "sleep please"}, "kernel_id": kid})
    await _wait_status(api, body["id"], "running")
    await jp_serverapp.kernel_manager.get_kernel(kid).provisioner.kill()
    run = await wait_run(body["id"], timeout=30)
    assert run["status"] == "failed"
    assert "the kernel died during the run" in run["error"]
    assert (await api("catalog"))[0] == 200  # the server still answers
    # the server's auto-restarter may be restarting it already: retry until restart answers
    for _ in range(30):
        response = await jp_fetch("api", "kernels", kid, "restart", method="POST", body="{}",
                                  request_timeout=60, raise_error=False)
        if response.code == 200:
            break
        await asyncio.sleep(1)
    assert response.code == 200
    _, again, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "Back to life."}, "kernel_id": kid})
    run = await wait_run(again["id"])
    assert run["status"] == "succeeded", run["error"]


async def test_scratch_kernel_is_started_again_after_it_was_shut_down(api, wait_run, jp_fetch):
    _, first, _ = await api("runs", method="POST",
                            body={"task": ATTENTION, "params": {"text": "one"}})
    await wait_run(first["id"])
    await jp_fetch("api", "kernels", first["kernel_id"], method="DELETE")
    _, second, _ = await api("runs", method="POST",
                             body={"task": ATTENTION, "params": {"text": "two"}})
    assert second["kernel_id"] != first["kernel_id"]
    assert (await wait_run(second["id"]))["status"] == "succeeded"


async def test_kernel_without_the_runtime_gets_it_from_the_server_as_a_bundle(
        api, wait_run, start_kernel, notebook, monkeypatch, jp_fetch):
    from dlviz_lab import bridge
    from dlviz_lab.bundle import Bundle, load_bundle

    real = load_bundle()
    files = dict(real.files)
    files["_bundled_marker.py"] = "HERE = True\n"
    # different files, different hash: the kernel's installed copy no longer matches
    monkeypatch.setattr(bridge, "load_bundle",
                        lambda: Bundle(files=files, hash="f" * 64, signature=()))
    kid = await start_kernel()
    _, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "Shipped in."}, "kernel_id": kid})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]
    cells = await notebook(kid)
    out = await cells.execute(
        "import sys\nm = sys.modules['dlviz_kernel']\n"
        "print(m.__bundle_hash__[:4], 'dlviz-lab-' in m.__file__)\n"
        "import dlviz_kernel._bundled_marker as b\nprint(b.HERE)")
    assert out["stdout"] == "ffff True\nTrue\n"
    # after a restart the kernel has lost it: it answers bootstrap_needed and gets it again
    await jp_fetch("api", "kernels", kid, "restart", method="POST", body="{}",
                   request_timeout=60)
    _, body, _ = await api("runs", method="POST", body={
        "task": ATTENTION, "params": {"text": "Shipped again."}, "kernel_id": kid})
    run = await wait_run(body["id"])
    assert run["status"] == "succeeded", run["error"]


async def test_runs_right_after_rest_restarts_start_on_a_fresh_client(
        api, wait_run, start_kernel, jp_fetch, jp_serverapp):
    """A restart replaces the kernel's process: the next run must not wait on old sockets."""
    bridge = jp_serverapp.web_app.settings["dlviz_lab"].bridge
    kid = await start_kernel()
    clients = []
    for n in range(3):
        _, body, _ = await api("runs", method="POST", body={
            "task": ATTENTION, "params": {"text": f"Round {n}."}, "kernel_id": kid})
        run = await wait_run(body["id"], timeout=90)
        assert run["status"] == "succeeded", run["error"]
        clients.append(bridge._clients[kid])
        await jp_fetch("api", "kernels", kid, "restart", method="POST", body="{}",
                       request_timeout=60)
    # one client per process: none was reused across a restart
    assert len({id(client) for client in clients}) == 3


async def test_a_busy_state_left_from_a_dead_process_does_not_hold_runs_forever(
        api, wait_run, start_kernel, jp_serverapp):
    """The server can miss a restarted process's "idle" (a REST restart racing the
    auto-restarter): a "busy" with no activity for a minute is not trusted."""
    import datetime

    kid = await start_kernel()
    kernel = jp_serverapp.kernel_manager.get_kernel(kid)
    _, warm, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "warm"}, "kernel_id": kid})
    assert (await wait_run(warm["id"]))["status"] == "succeeded"
    kernel.execution_state = "busy"  # what the server kept from the killed process
    kernel.last_activity = kernel.last_activity - datetime.timedelta(minutes=2)
    _, body, _ = await api("runs", method="POST",
                           body={"task": ATTENTION, "params": {"text": "Not stuck."},
                                 "kernel_id": kid})
    run = await wait_run(body["id"], timeout=60)
    assert run["status"] == "succeeded", run["error"]
