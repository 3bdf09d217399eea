"""The kernel bridge: sends the fixed entry code into a kernel and reads its answers from iopub.

One cached client per kernel. The read loop uses `get_iopub_msg` / `get_shell_msg` (not
`execute_interactive`), so it works with local zmq clients and with `GatewayKernelClient`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

from .bundle import load_bundle

MIME_TYPE = "application/vnd.dlviz-lab.v1+json"
ENTRY_SOURCE = (Path(__file__).parent / "kernel_entry.py").read_text(encoding="ascii")
POLL = 0.25  # seconds between liveness / cancel checks while waiting for the kernel
INTERRUPT_DELAY = 0.2  # seconds after our execution started before a cancel interrupts it
INTERRUPT_GRACE = 10.0  # seconds to wait for an interrupted run to end before trying again


class KernelDied(Exception):
    """The kernel went away (killed, restarted or shut down) while we waited for it."""


class KernelTimeout(Exception):
    """The kernel did not finish in time."""


@dataclass
class Outcome:
    """What the kernel answered to one request."""

    result: dict | None = None
    error: str | None = None
    error_field: str | None = None
    models: list | None = None
    bootstrap_needed: bool = False
    reply_status: str | None = None
    ename: str | None = None
    evalue: str | None = None
    started: bool = False
    interrupted: bool = False


def entry_code(request: dict, bundle_hash: str, bundle_json: str | None) -> str:
    """The code of one execute_request: constant text plus `json.dumps` literals, nothing else.

    Every value is JSON text made ASCII first, then quoted with `json.dumps`: an ASCII JSON
    string literal is also a valid Python string literal with the same value.
    """
    request_json = json.dumps(request, ensure_ascii=True)
    bundle_literal = "None" if bundle_json is None else json.dumps(bundle_json)
    return (
        "exec(compile("
        + json.dumps(ENTRY_SOURCE)
        + ', "<dlviz-lab>", "exec"), {"REQUEST": '
        + json.dumps(request_json)
        + ', "BUNDLE_HASH": '
        + json.dumps(bundle_hash)
        + ', "BUNDLE": '
        + bundle_literal
        + "})"
    )


async def _maybe_await(value):
    if inspect.isawaitable(value):
        return await value
    return value


class KernelBridge:
    """Runs requests in kernels of the server's kernel manager, one at a time per kernel.

    Callers (the run manager) serialize requests per kernel; the bridge keeps the clients and
    remembers which runtime bundle each kernel was sent.
    """

    def __init__(self, kernel_manager, config, log):
        self.km = kernel_manager
        self.config = config
        self.log = log
        self._clients: dict = {}
        self._sent_hash: dict = {}
        self._locks: dict = {}

    # -- clients -----------------------------------------------------------------------------

    async def client(self, kernel_id: str):
        """The cached client of a kernel, connected and ready."""
        lock = self._locks.setdefault(kernel_id, asyncio.Lock())
        async with lock:
            client = self._clients.get(kernel_id)
            if client is not None:
                return client
            kernel = self._kernel(kernel_id)
            session = getattr(kernel, "session", None)
            if session is not None and hasattr(session, "clone"):
                # A session of our own: a shared one shares its replay-protection digest history
                # (a second client in this process would reject iopub messages), and a plain
                # clone repeats the msg_ids of the other clients.
                own = session.clone()
                own.session = uuid.uuid4().hex  # and msg_ids of our own
                client = kernel.client(session=own)
            else:
                client = kernel.client()
            await _maybe_await(client.start_channels())
            try:
                await asyncio.wait_for(
                    _maybe_await(client.wait_for_ready(timeout=self.config.kernel_ready_timeout)),
                    self.config.kernel_ready_timeout + 5,
                )
            except (RuntimeError, asyncio.TimeoutError) as err:
                await self._stop(client)
                if not await self._alive(kernel_id):
                    raise KernelDied(f"the kernel {kernel_id} is not running") from err
                raise KernelTimeout(
                    f"the kernel {kernel_id} did not answer within "
                    f"{self.config.kernel_ready_timeout:g} s (is a cell still running?)"
                ) from err
            self._clients[kernel_id] = client
            return client

    async def forget(self, kernel_id: str):
        """Drop the cached client (after the kernel died or was shut down)."""
        client = self._clients.pop(kernel_id, None)
        self._sent_hash.pop(kernel_id, None)
        if client is not None:
            await self._stop(client)

    async def close(self):
        for kernel_id in list(self._clients):
            await self.forget(kernel_id)

    async def _stop(self, client):
        try:
            await _maybe_await(client.stop_channels())
        except Exception:  # noqa: BLE001 (a dead kernel's channels may already be gone)
            self.log.debug("dlviz-lab: stopping a kernel client failed", exc_info=True)

    def _kernel(self, kernel_id: str):
        try:
            return self.km.get_kernel(kernel_id)
        except KeyError:
            raise KernelDied(f"the kernel {kernel_id} was shut down") from None

    async def _alive(self, kernel_id: str) -> bool:
        try:
            kernel = self.km.get_kernel(kernel_id)
        except KeyError:
            return False
        try:
            return bool(await _maybe_await(kernel.is_alive()))
        except Exception:  # noqa: BLE001
            return False

    def _process_token(self, kernel_id: str):
        """Something that changes when the kernel's process is replaced (restart)."""
        kernel = self._kernel(kernel_id)
        provisioner = getattr(kernel, "provisioner", None)
        if provisioner is None:
            return None
        return (id(getattr(provisioner, "process", None)), getattr(provisioner, "pid", None))

    # -- running -----------------------------------------------------------------------------

    async def run(self, kernel_id: str, request: dict, *, on_progress=None, on_started=None,
                  cancel: asyncio.Event | None = None, timeout: float | None = None,
                  interrupt_on_timeout: bool = True) -> Outcome:
        """Send `request` through kernel_entry.py; bootstrap the runtime when the kernel asks.

        Raises KernelDied or KernelTimeout; anything the kernel says comes back in an Outcome.
        """
        timeout = self.config.max_run_seconds if timeout is None else timeout
        deadline = time.monotonic() + timeout
        bundle = await asyncio.to_thread(load_bundle)
        send_bundle = self._sent_hash.get(kernel_id) != bundle.hash
        outcome = await self._execute(kernel_id, request, bundle, send_bundle, on_progress,
                                      on_started, cancel, deadline, interrupt_on_timeout, timeout)
        if outcome.bootstrap_needed and not send_bundle:
            # The kernel restarted since we sent the runtime: send it again, once.
            outcome = await self._execute(kernel_id, request, bundle, True, on_progress,
                                          on_started, cancel, deadline, interrupt_on_timeout,
                                          timeout)
        if outcome.bootstrap_needed:
            outcome.error = outcome.error or "the kernel could not load the dlviz-lab runtime"
        else:
            self._sent_hash[kernel_id] = bundle.hash
        return outcome

    async def _execute(self, kernel_id, request, bundle, send_bundle, on_progress, on_started,
                       cancel, deadline, interrupt_on_timeout, limit) -> Outcome:
        client = await self.client(kernel_id)
        token = self._process_token(kernel_id)
        await self._drain(client)
        code = entry_code(request, bundle.hash, bundle.json if send_bundle else None)
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
        if send_bundle:
            self._sent_hash[kernel_id] = bundle.hash
        outcome = Outcome()
        idle = False
        reply = None
        last_check = 0.0
        started_at = interrupted_at = None
        reinterrupted = False
        try:
            while not (idle and reply is not None):
                now = time.monotonic()
                if now > deadline:
                    if outcome.started and not idle and interrupt_on_timeout:
                        await self._interrupt(kernel_id)
                    raise KernelTimeout(f"the run did not finish within {limit:g} s")
                if cancel is not None and cancel.is_set() and outcome.started and not idle:
                    if started_at is None:
                        started_at = now
                    # a moment after busy: a SIGINT inside the kernel's own dispatch is lost
                    if not outcome.interrupted and now - started_at > INTERRUPT_DELAY:
                        outcome.interrupted, interrupted_at = True, now
                        await self._interrupt(kernel_id)
                    elif outcome.interrupted and now - interrupted_at > INTERRUPT_GRACE:
                        if reinterrupted:
                            # the kernel never confirmed: give the run up as cancelled
                            self.log.warning("dlviz-lab: kernel %s did not answer an interrupt",
                                             kernel_id)
                            return outcome
                        reinterrupted, interrupted_at = True, now
                        await self._interrupt(kernel_id)
                if now - last_check > 1.0:
                    last_check = now
                    await self._check_same_kernel(kernel_id, token)
                if not idle:
                    try:
                        msg = await client.get_iopub_msg(timeout=POLL)
                    except Empty:
                        continue
                    idle = await self._on_iopub(msg, msg_id, outcome, on_progress, on_started)
                else:
                    try:
                        msg = await client.get_shell_msg(timeout=POLL)
                    except Empty:
                        continue
                    if msg.get("parent_header", {}).get("msg_id") == msg_id:
                        reply = msg
        except KernelDied:
            await self.forget(kernel_id)
            raise
        content = reply.get("content", {})
        outcome.reply_status = content.get("status")
        outcome.ename = content.get("ename")
        outcome.evalue = content.get("evalue")
        return outcome

    async def _drain(self, client, most: int = 100_000):
        """Skip what iopub and shell hold from before this request (notebook output, restarts)."""
        for get in (client.get_iopub_msg, client.get_shell_msg):
            for _ in range(most):
                try:
                    await get(timeout=0)
                except Empty:
                    break

    async def _on_iopub(self, msg, msg_id, outcome, on_progress, on_started) -> bool:
        """Handle one iopub message; True once our execution is idle."""
        msg_type = msg.get("header", {}).get("msg_type") or msg.get("msg_type")
        content = msg.get("content", {})
        if (msg_type == "status" and outcome.started
                and content.get("execution_state") in ("starting", "restarting")):
            # only once our code runs: an earlier one is a restart before our request
            raise KernelDied("the kernel restarted")
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            return False
        if msg_type == "status":
            state = content.get("execution_state")
            if state == "busy" and not outcome.started:
                outcome.started = True
                if on_started is not None:
                    await _maybe_await(on_started())
            return state == "idle"
        if msg_type not in ("display_data", "update_display_data"):
            return False
        data = content.get("data", {}).get(MIME_TYPE)
        if isinstance(data, str):  # some transports keep JSON MIME data as text
            data = json.loads(data)
        if not isinstance(data, dict):
            return False
        kind = data.get("kind")
        if kind == "progress":
            if on_progress is not None:
                await _maybe_await(on_progress(data))
        elif kind == "result":
            outcome.result = data.get("result")
        elif kind == "error":
            outcome.error = data.get("message") or "the kernel reported an error"
            outcome.error_field = data.get("field")
        elif kind == "models":
            outcome.models = data.get("models", [])
        elif kind == "bootstrap_needed":
            outcome.bootstrap_needed = True
        return False

    async def _check_same_kernel(self, kernel_id, token):
        if not await self._alive(kernel_id):
            raise KernelDied("the kernel is not running")
        if self._process_token(kernel_id) != token:
            raise KernelDied("the kernel restarted")

    async def _interrupt(self, kernel_id):
        try:
            await _maybe_await(self.km.interrupt_kernel(kernel_id))
        except Exception:  # noqa: BLE001 (a kernel that is gone cannot be interrupted)
            self.log.warning("dlviz-lab: interrupting kernel %s failed", kernel_id, exc_info=True)
