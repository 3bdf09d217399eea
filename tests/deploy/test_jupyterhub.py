"""dlviz-lab behind a real JupyterHub: two students, the npm proxy, runs, events, per-user access.

Everything goes through the proxy's public address, `/user/{name}/dlviz-lab/api/...`, with hub API
tokens, as a student's browser or script would. The hub, proxy, both single-user servers and their
kernels start in the module fixture and must all be gone after it.
"""

from __future__ import annotations

import json
import shutil
import time

import jupyterhub  # noqa: F401 (the test extra: a missing hub fails here, it is not skipped)
import pytest

from dlviz_lab.client import Client
from dlviz_lab.run_record import TERMINAL

from .hub import CHP, USERS, Hub, marked_processes

pytestmark = [pytest.mark.slow]
# make setup installs both (npm ci): a missing proxy is a broken set-up, not a reason to skip
assert CHP.exists() and shutil.which("node"), "needs node and node_modules (npm ci)"

ALICE, BOB = USERS
SHORT_TEXT = {"text": "The cat sat on the mat."}
# six epochs (~2 s here): progress events spread over the run
TRAIN = {"training": {"epochs": 6}}
BOB_TRAIN = {"training": {"epochs": 1}}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("jupyterhub"))
    hub.created = {user: [] for user in USERS}
    try:
        hub.start()
        for user in USERS:
            hub.issue_token(user)
        hub.spawn(*USERS)
        yield hub
    except BaseException:
        print(hub.log_tail())
        raise
    finally:
        killed = hub.stop()
        print(f"\nhub timings (s): { {k: round(v, 1) for k, v in hub.timings.items()} }")
        left = [" ".join(p.cmdline())[:120] for p in marked_processes(hub.mark)]
        assert not left, f"processes outlived the hub: {left}"
        assert not killed, f"the hub's own shutdown left these behind (killed): {killed}"


def submit(hub, user, task, params) -> str:
    response = hub.call(user, "POST", hub.api_url(user, "runs"),
                        json={"task": task, "params": params})
    assert response.status_code == 202, response.text
    hub.created[user].append(response.json()["id"])
    return response.json()["id"]


def wait_run(hub, user, run_id, timeout=240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = hub.call(user, "GET", hub.api_url(user, "runs", run_id))
        assert response.status_code == 200, response.text
        run = response.json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.25)
    raise AssertionError(f"run {run_id} of {user} did not finish in {timeout} s: {run}")


def read_events(response):
    """(arrival time, event, data) for each server-sent event, as soon as its bytes arrive."""
    buffer = ""
    for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
        buffer += chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines()
                          if line and not line.startswith(":"))
            if "data" in fields:
                yield time.monotonic(), fields.get("event", "message"), json.loads(fields["data"])


@pytest.fixture(scope="module")
def bob_run(hub):
    """Bob's run, started early so his kernel warms up while Alice's tests run."""
    return submit(hub, BOB, "cnn.train", BOB_TRAIN)


def test_a_run_succeeds_through_the_proxy(hub, bob_run):
    run_id = submit(hub, ALICE, "transformer.attention", SHORT_TEXT)
    run = wait_run(hub, ALICE, run_id)
    assert run["status"] == "succeeded", run["error"]
    result = run["result"]
    assert result["tokens"][0] == "[CLS]" and "cat" in result["tokens"]
    assert (result["num_layers"], result["num_heads"]) == (6, 12)
    n = len(result["tokens"])
    assert result["attention"]["shape"] == [6, 12, n, n]
    # the Python client, given the student's server URL under the hub, does the same
    again = Client(f"{hub.url}/user/{ALICE}/", hub.tokens[ALICE]).run(
        "transformer.attention", SHORT_TEXT)
    hub.created[ALICE].append(again["id"])
    assert again["result"]["tokens"] == result["tokens"]
    assert again["result"]["attention"].shape == (6, 12, n, n)


def test_events_stream_while_the_run_runs(hub):
    run_id = submit(hub, ALICE, "cnn.train", TRAIN)
    url = hub.api_url(ALICE, "runs", run_id, "events")
    with hub.call(ALICE, "GET", url, stream=True, timeout=(10, 120)) as response:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/event-stream")
        events = list(read_events(response))
    final_at, kind, final = events[-1]
    assert (kind, final["status"]) == ("status", "succeeded"), events[-3:]
    epochs = [(at, data) for at, kind, data in events
              if kind == "progress" and data.get("phase") == "epoch"]
    assert [data["epoch"] for _, data in epochs] == [1, 2, 3, 4, 5, 6]
    # streamed, not buffered: the epochs reach us about as far apart as the kernel made them
    arrival_spread = epochs[-1][0] - epochs[0][0]
    kernel_spread = epochs[-1][1]["elapsed"] - epochs[0][1]["elapsed"]
    assert arrival_spread > 0.3, [round(at - final_at, 2) for at, _ in epochs]
    assert arrival_spread > 0.5 * kernel_spread, (arrival_spread, kernel_spread)
    assert final_at - epochs[0][0] > 0.3


def test_each_user_lists_only_their_own_runs(hub, bob_run):
    assert wait_run(hub, BOB, bob_run)["status"] == "succeeded"
    for user in USERS:
        response = hub.call(user, "GET", hub.api_url(user, "runs"))
        assert response.status_code == 200, response.text
        listed = [run["id"] for run in response.json()["runs"]]
        assert sorted(listed) == sorted(hub.created[user]), (user, listed, hub.created)


def bob_routes(hub, run: dict) -> list[tuple[str, str, dict]]:
    """(method, url, request kwargs) for every dlviz-lab route of Bob's server."""
    api = lambda *parts: hub.api_url(BOB, *parts)  # noqa: E731
    run_id, kernel_id = run["id"], run["kernel_id"]
    return [
        ("GET", api("catalog"), {}),
        ("GET", api("runs"), {}),
        ("POST", api("runs"), {"json": {"task": "cnn.train", "params": BOB_TRAIN}}),
        ("GET", api("runs", run_id), {}),
        ("GET", api("runs", run_id, "events"), {}),
        ("GET", api("runs", run_id, "arrays", "snapshots.layers.0.filters"), {}),
        ("DELETE", api("runs", run_id), {}),
        ("GET", api("kernels", kernel_id, "models"), {}),
        ("GET", f"{hub.url}/user/{BOB}/dlviz-lab/assets/d3.min.js", {}),
    ]


def test_every_route_of_another_user_is_forbidden(hub, bob_run):
    run = wait_run(hub, BOB, bob_run)
    routes = bob_routes(hub, run)
    # Alice's valid hub token, on Bob's server: the single-user server refuses it outright
    answers = {(m, url): hub.call(ALICE, m, url, **kw).status_code for m, url, kw in routes}
    assert set(answers.values()) == {403}, answers
    # no token at all: also 403 (API handlers answer 403 instead of redirecting to the login)
    anonymous = {(m, url): hub.call(None, m, url, **kw).status_code for m, url, kw in routes}
    assert set(anonymous.values()) == {403}, anonymous
    # Bob's own token reaches every route; Alice's POST and DELETE changed nothing
    own = {}
    for method, url, kwargs in routes:
        if method == "POST":  # an invalid body: the route answers without starting a run
            kwargs = {"json": {"task": "cnn.train", "params": {"training": {"epochs": 0}}}}
        own[method, url] = hub.call(BOB, method, url, **kwargs).status_code
    expected = [200, 200, 400, 200, 200, 200, 409, 200, 200]  # 409: the run already finished
    assert list(own.values()) == expected, own
    listed = hub.call(BOB, "GET", hub.api_url(BOB, "runs")).json()["runs"]
    assert [(r["id"], r["status"]) for r in listed] == [(run["id"], "succeeded")]
