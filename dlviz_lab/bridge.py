"""The kernel bridge: sends the fixed entry code into a kernel and reads its answers from iopub.

One cached client per kernel. The read loop uses iopub messages one at a time (`iopub.py`: big
ones parsed off the event loop) and `get_shell_msg`, not `execute_interactive`, so it works with
local zmq clients and with gateway clients (`gateway.py`).

Timing of one run (all limits are DLVizLab traitlets):
- While the kernel is busy with a notebook cell, nothing is sent: the run waits (`on_waiting` is
  told once), at most `max_wait_seconds` (or `wait_timeout`) from the call; then KernelTimeout,
  and the kernel never sees the run.
- Once sent, the run must start within that same wait budget, or `kernel_ready_timeout` after
  sending if that is later (a cell queued just before ours runs first). The code carries that
  deadline: a kernel that reaches it later skips it, so no run ever goes on with nobody listening.
- The run's own clock (`max_run_seconds`, or `timeout`) starts when the kernel starts our code.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import time
from dataclasses import dataclass
from queue import Empty

from jupyter_core.utils import ensure_async
from tornado import web

from . import iopub
from .bundle import load_bundle
from .kernel_client import drain, own_client, reply_if_any, stop
from .kernel_code import ENTRY_SOURCE, MIME_TYPE, entry_code
from .request_body import finite
from .run_clock import ANNOUNCE_AFTER, KernelDied, KernelTimeout, RunClock, wait_until_free

__all__ = ["ENTRY_SOURCE", "MIME_TYPE", "KernelBridge", "KernelDied", "KernelTimeout", "Outcome",
           "entry_code"]

POLL = 0.25  # seconds between liveness / cancel checks while waiting for the kernel
INTERRUPT_DELAY = 0.2  # seconds after our execution started before a cancel interrupts it
INTERRUPT_GRACE = 10.0  # seconds to wait for an interrupted run to end before trying again
START_GRACE = 2.0  # seconds we still listen after the start deadline the kernel checks itself
STALE_BUSY = 60.0  # seconds of silence after which a kernel's "busy" is not trusted
REPLY_GRACE = 10.0  # seconds we wait for iopub to say idle once the shell reply came
SHUT_DOWN = "the kernel was shut down"


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
    sent: bool = False  # False: the kernel never got the request (cancelled while waiting)


def _gone(err: BaseException) -> bool:
    """Whether an error of the kernel manager means "no such kernel" (KeyError or HTTP 404)."""
    return isinstance(err, KeyError) or (isinstance(err, web.HTTPError)
                                         and err.status_code == 404)


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
        self._client_tokens: dict = {}

    # -- clients -----------------------------------------------------------------------------

    async def client(self, kernel_id: str):
        """The cached client of a kernel, connected and ready; a fresh one after a restart.

        A client kept across a restart can lose what it sends or hears while its sockets find
        the new process again, so a new process gets a new client.
        """
        lock = self._locks.setdefault(kernel_id, asyncio.Lock())
        async with lock:
            token = self._process_token(kernel_id)
            client = self._clients.get(kernel_id)
            if client is not None and self._client_tokens.get(kernel_id) == token:
                return client
            if client is not None:
                self._clients.pop(kernel_id, None)
                await self._stop(client)
            client = own_client(self._kernel(kernel_id))
            try:
                await ensure_async(client.start_channels())
                await asyncio.wait_for(
                    ensure_async(client.wait_for_ready(timeout=self.config.kernel_ready_timeout)),
                    self.config.kernel_ready_timeout + 5,
                )
            except (RuntimeError, asyncio.TimeoutError) as err:
                await self._stop(client)
                if kernel_id not in self.km:
                    raise KernelDied(SHUT_DOWN) from err
                if not await self._alive(kernel_id):
                    raise KernelDied(f"the kernel {kernel_id} is not running") from err
                raise KernelTimeout(
                    f"the kernel {kernel_id} did not answer within "
                    f"{self.config.kernel_ready_timeout:g} s (is a cell still running?)"
                ) from err
            except BaseException:
                # cancelled (server stop) or anything else: never leave a client open
                await self._stop(client)
                raise
            self._clients[kernel_id] = client
            self._client_tokens[kernel_id] = token
            return client

    async def forget(self, kernel_id: str):
        """Drop the cached client (after the kernel died or was shut down)."""
        client = self._clients.pop(kernel_id, None)
        self._sent_hash.pop(kernel_id, None)
        self._client_tokens.pop(kernel_id, None)
        self._locks.pop(kernel_id, None)
        if client is not None:
            await self._stop(client)

    async def close(self):
        """Stop every client (server stop): closing sockets is quick, no kernel is waited on."""
        for kernel_id in list(self._clients):
            await self.forget(kernel_id)

    async def _stop(self, client):
        await stop(client, self.log)

    def _kernel(self, kernel_id: str):
        try:
            return self.km.get_kernel(kernel_id)
        except (KeyError, web.HTTPError) as err:
            if _gone(err):
                raise KernelDied(SHUT_DOWN) from None
            raise

    async def _alive(self, kernel_id: str) -> bool:
        try:
            kernel = self._kernel(kernel_id)
        except KernelDied:
            return False
        try:
            return bool(await ensure_async(kernel.is_alive()))
        except Exception:  # noqa: BLE001
            return False

    def _busy(self, kernel_id: str) -> bool:
        """Whether the kernel runs something now, as jupyter_server saw it on iopub.

        Gateway kernels report what the gateway said when their model was last refreshed.
        A "busy" with no kernel activity for STALE_BUSY seconds may be left over from a process
        that was killed and restarted (the server can miss the new process's "idle"): the run
        is then sent, and the kernel still starts it only after any cell it runs, within the
        deadline the code carries.
        """
        kernel = self._kernel(kernel_id)
        if getattr(kernel, "execution_state", None) != "busy":
            return False
        last = getattr(kernel, "last_activity", None)
        if isinstance(last, datetime.datetime):
            now = datetime.datetime.now(last.tzinfo or datetime.timezone.utc)
            if last.tzinfo is None:
                now = now.replace(tzinfo=None)
            if (now - last).total_seconds() > STALE_BUSY:
                return False
        return True

    def _process_token(self, kernel_id: str):
        """Something that changes when the kernel's process is replaced (restart)."""
        kernel = self._kernel(kernel_id)
        provisioner = getattr(kernel, "provisioner", None)
        if provisioner is None:
            return None
        return (id(getattr(provisioner, "process", None)), getattr(provisioner, "pid", None))

    async def _check_alive(self, kernel_id):
        if kernel_id not in self.km:
            raise KernelDied(SHUT_DOWN)
        if not await self._alive(kernel_id):
            # a kernel shut down through /api/kernels stops before it leaves the manager: let
            # it leave first, so that callers see it gone
            shutting_down = False
            for _ in range(100):
                if kernel_id not in self.km:
                    raise KernelDied(SHUT_DOWN)
                shutting_down = getattr(self._kernel(kernel_id), "shutting_down", False)
                if not shutting_down:
                    break
                await asyncio.sleep(0.1)
            raise KernelDied(SHUT_DOWN if shutting_down else "the kernel is not running")

    async def _check_same_kernel(self, kernel_id, token):
        await self._check_alive(kernel_id)
        if self._process_token(kernel_id) != token:
            raise KernelDied("the kernel restarted")

    # -- running -----------------------------------------------------------------------------

    async def run(self, kernel_id: str, request: dict, *, on_progress=None, on_started=None,
                  on_waiting=None, on_sent=None, cancel: asyncio.Event | None = None,
                  timeout: float | None = None, wait_timeout: float | None = None,
                  interrupt_on_timeout: bool = True) -> Outcome:
        """Send `request` through kernel_entry.py; bootstrap the runtime when the kernel asks.

        `timeout` (default max_run_seconds) counts from when the kernel starts the run;
        `wait_timeout` (default max_wait_seconds) bounds the wait for a busy kernel before.
        Raises KernelDied or KernelTimeout; anything the kernel says comes back in an Outcome
        (`sent=False`: cancelled before the kernel got it).
        """
        clock = RunClock(
            on_progress=on_progress, on_started=on_started, on_waiting=on_waiting,
            on_sent=on_sent, cancel=cancel, interrupt_on_timeout=interrupt_on_timeout,
            run_limit=self.config.max_run_seconds if timeout is None else timeout,
            wait_limit=self.config.max_wait_seconds if wait_timeout is None else wait_timeout,
            called_at=time.monotonic())
        if clock.cancelled:
            return Outcome()
        bundle = await asyncio.to_thread(load_bundle)
        send_bundle = self._sent_hash.get(kernel_id) != bundle.hash
        try:
            outcome = await self._execute(kernel_id, request, bundle, send_bundle, clock)
            if outcome.bootstrap_needed and not send_bundle:
                # The kernel restarted since we sent the runtime: send it again, once.
                outcome = await self._execute(kernel_id, request, bundle, True, clock)
                outcome.sent = True  # the first execution did reach the kernel
        except KernelDied:
            await self.forget(kernel_id)  # whichever step found the kernel gone
            raise
        if outcome.bootstrap_needed:
            outcome.error = outcome.error or "the kernel could not load the dlviz-lab runtime"
        elif outcome.sent:
            self._sent_hash[kernel_id] = bundle.hash
        return outcome

    async def _execute(self, kernel_id, request, bundle, send_bundle, clock: RunClock) -> Outcome:
        if not await wait_until_free(clock, lambda: self._busy(kernel_id),
                                     lambda: self._check_alive(kernel_id)):
            return Outcome()
        client = await self.client(kernel_id)
        token = self._process_token(kernel_id)
        await drain(client)
        if clock.cancelled:
            return Outcome()
        sent_at = time.monotonic()
        start_by = max(clock.called_at + clock.wait_limit,
                       sent_at + self.config.kernel_ready_timeout)
        code = entry_code(request, bundle.hash, bundle.json if send_bundle else None,
                          not_after=time.time() + (start_by - sent_at))
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False,
                                stop_on_error=False)
        outcome = Outcome(sent=True)
        if send_bundle:
            self._sent_hash[kernel_id] = bundle.hash
        await clock.sent()
        reply = await self._follow(kernel_id, client, msg_id, outcome, clock, token, sent_at,
                                   start_by)
        if reply is None:  # an interrupt the kernel never confirmed: given up as cancelled
            return outcome
        content = reply.get("content", {})
        outcome.reply_status = content.get("status")
        outcome.ename = content.get("ename")
        outcome.evalue = content.get("evalue")
        return outcome

    async def _follow(self, kernel_id, client, msg_id, outcome, clock, token, sent_at,
                      start_by):
        """Read iopub, then the shell reply, of our execution; enforce the clocks and cancel."""
        idle = False
        reply = None
        last_check = 0.0
        started_at = interrupted_at = replied_at = None
        reinterrupted = False
        while not (idle and reply is not None):
            now = time.monotonic()
            if not outcome.started:
                if now > start_by + START_GRACE:
                    raise KernelTimeout(
                        f"the kernel did not start the run within {now - clock.called_at:.0f} s "
                        "(a notebook cell kept it busy); the run was given up and the kernel "
                        "will skip it")
                if now - sent_at >= ANNOUNCE_AFTER and self._busy(kernel_id):
                    await clock.waiting()  # a cell queued just before ours runs first
            elif now > clock.started_at + clock.run_limit:
                if not idle and clock.interrupt_on_timeout:
                    await self._interrupt(kernel_id)
                raise KernelTimeout(f"the run did not finish within {clock.run_limit:g} s")
            if clock.cancelled and outcome.started and not idle:
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
                        return None
                    reinterrupted, interrupted_at = True, now
                    await self._interrupt(kernel_id)
            if now - last_check > 1.0:
                last_check = now
                await self._check_same_kernel(kernel_id, token)
            if not idle:
                try:
                    msg = await iopub.next_message(client, POLL)
                except Empty:
                    # iopub can miss a run's first messages (sockets still joining): our reply
                    # on shell says it ran all the same
                    if reply is None:
                        reply = await reply_if_any(client, msg_id)
                        if reply is not None:
                            replied_at = now
                            if not outcome.started:
                                outcome.started = True
                                await clock.started()
                    elif now - replied_at > REPLY_GRACE:
                        self.log.warning("dlviz-lab: kernel %s replied but iopub never said "
                                         "idle", kernel_id)
                        break
                    continue
                idle = await self._on_iopub(msg, msg_id, outcome, clock)
            else:
                try:
                    msg = await ensure_async(client.get_shell_msg(timeout=POLL))
                except Empty:
                    continue
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    reply = msg
        return reply

    async def _on_iopub(self, msg, msg_id, outcome, clock: RunClock) -> bool:
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
                await clock.started()
            return state == "idle"
        if msg_type not in ("display_data", "update_display_data"):
            return False
        data = content.get("data", {}).get(MIME_TYPE)
        if isinstance(data, str):  # some transports keep JSON MIME data as text
            data = json.loads(data, parse_constant=lambda _name: None)
        if not isinstance(data, dict):
            return False
        kind = data.get("kind")
        if kind == "progress":
            if clock.on_progress is not None:
                await ensure_async(clock.on_progress(finite(data)))
        elif kind == "result":
            # a result is big: NaN/Infinity (not JSON) become null in a thread
            outcome.result = await asyncio.to_thread(finite, data.get("result"))
        elif kind == "error":
            outcome.error = data.get("message") or "the kernel reported an error"
            outcome.error_field = data.get("field")
        elif kind == "models":
            outcome.models = finite(data.get("models", []))
        elif kind == "bootstrap_needed":
            outcome.bootstrap_needed = True
        return False

    async def _interrupt(self, kernel_id):
        try:
            await ensure_async(self.km.interrupt_kernel(kernel_id))
        except Exception:  # noqa: BLE001 (a kernel that is gone cannot be interrupted)
            self.log.warning("dlviz-lab: interrupting kernel %s failed", kernel_id, exc_info=True)
