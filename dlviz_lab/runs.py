"""The run manager: run records, one queue and worker per kernel, the scratch kernel, cancel."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import arrays as array_store
from .bridge import KernelDied, KernelTimeout

TERMINAL = ("succeeded", "failed", "cancelled")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _maybe_await(value):
    if inspect.isawaitable(value):
        return await value
    return value


# epoch-closing progress events kept per run for late listeners
MAX_MILESTONES = 10_000


class UnknownKernel(Exception):
    """No kernel with that id runs on this server."""


@dataclass
class Run:
    """One request to run a task, as the REST API shows it."""

    task: str
    params: dict
    kernel_id: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = "queued"
    progress: dict | None = None
    result: dict | None = None
    error: str | None = None
    error_field: str | None = None
    created: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    sent: bool = field(default=False, repr=False)
    cancel: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    listeners: list = field(default_factory=list, repr=False)
    # the progress events that close an epoch, replayed to a listener that joins late (a page
    # reloaded mid-training redraws its curves from the start)
    milestones: list = field(default_factory=list, repr=False)
    # dotted path -> StoredArray: the result's big arrays, replaced by stubs in `result`
    arrays: dict = field(default_factory=dict, repr=False)

    @property
    def array_bytes(self) -> int:
        return sum(array.nbytes for array in self.arrays.values())

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def as_dict(self, with_result: bool = True) -> dict:
        out = {
            "id": self.id, "task": self.task, "params": self.params, "kernel_id": self.kernel_id,
            "status": self.status, "progress": self.progress, "error": self.error,
            "error_field": self.error_field, "cancel_requested": self.cancel.is_set(),
            "created": self.created, "started": self.started, "finished": self.finished,
        }
        if with_result:
            out["result"] = self.result
        return out

    def status_event(self) -> dict:
        return {"id": self.id, "status": self.status, "error": self.error,
                "error_field": self.error_field, "finished": self.finished}


@dataclass
class _ModelsJob:
    future: asyncio.Future


class RunManager:
    """Keeps the runs of this server and feeds them to kernels, in order, one kernel at a time."""

    def __init__(self, kernel_manager, *, bridge, catalog, config, log):
        self.km = kernel_manager
        self.bridge = bridge
        self.catalog = catalog
        self.config = config
        self.log = log
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._queues: dict = {}
        self._workers: dict = {}
        self._scratch_id: str | None = None
        self._scratch_lock = asyncio.Lock()

    # -- kernels -----------------------------------------------------------------------------

    def has_kernel(self, kernel_id: str) -> bool:
        return kernel_id in self.km

    async def scratch_kernel(self) -> str:
        """The id of the scratch kernel, started on first use and again if it died."""
        async with self._scratch_lock:
            kid = self._scratch_id
            if kid is not None and kid in self.km:
                if await self.bridge._alive(kid):
                    return kid
                await self.bridge.forget(kid)
                try:
                    await _maybe_await(self.km.shutdown_kernel(kid, now=True))
                except Exception:  # noqa: BLE001
                    self.log.debug("dlviz-lab: shutting down a dead scratch kernel failed",
                                   exc_info=True)
            kid = await _maybe_await(
                self.km.start_kernel(kernel_name=self.config.scratch_kernel_name))
            self.log.info("dlviz-lab: started scratch kernel %s (%s)", kid,
                          self.config.scratch_kernel_name)
            self._scratch_id = kid
            return kid

    # -- runs --------------------------------------------------------------------------------

    async def submit(self, task: str, params: dict, kernel_id: str | None) -> Run:
        """Queue a validated run; raises UnknownKernel for a kernel that does not exist."""
        if kernel_id is None:
            kernel_id = await self.scratch_kernel()
        elif not self.has_kernel(kernel_id):
            raise UnknownKernel(kernel_id)
        run = Run(task=task, params=params, kernel_id=kernel_id)
        self.runs[run.id] = run
        self.runs.move_to_end(run.id)
        self._enqueue(kernel_id, run)
        return run

    def get(self, run_id: str) -> Run | None:
        return self.runs.get(run_id)

    def list(self) -> list:
        return list(reversed(self.runs.values()))

    async def cancel(self, run: Run) -> Run:
        """Drop a queued run; interrupt a running one once its code runs in the kernel."""
        if run.done:
            return run
        run.cancel.set()
        if run.status == "queued" and not run.sent:
            self._finish(run, "cancelled", error="cancelled before it started")
        return run

    async def list_models(self, kernel_id: str) -> list:
        """The models in a kernel's user namespace, asked in that kernel's queue."""
        if not self.has_kernel(kernel_id):
            raise UnknownKernel(kernel_id)
        future = asyncio.get_running_loop().create_future()
        self._enqueue(kernel_id, _ModelsJob(future))
        return await future

    # -- listeners (server-sent events) ------------------------------------------------------

    def subscribe(self, run: Run) -> asyncio.Queue:
        """A queue of (event, data) for one listener, starting with the run's past milestones."""
        queue: asyncio.Queue = asyncio.Queue()
        # no await between the copy and the append: no event is missed or sent twice
        for data in run.milestones if not run.done else ():
            queue.put_nowait(("progress", data))
        run.listeners.append(queue)
        return queue

    def unsubscribe(self, run: Run, queue: asyncio.Queue):
        if queue in run.listeners:
            run.listeners.remove(queue)

    def _notify(self, run: Run, event: str, data: dict):
        for queue in list(run.listeners):
            queue.put_nowait((event, data))

    # -- workers -----------------------------------------------------------------------------

    def _enqueue(self, kernel_id: str, item):
        queue = self._queues.setdefault(kernel_id, asyncio.Queue())
        queue.put_nowait(item)
        worker = self._workers.get(kernel_id)
        if worker is None or worker.done():
            self._workers[kernel_id] = asyncio.ensure_future(self._work(kernel_id, queue))

    async def _work(self, kernel_id: str, queue: asyncio.Queue):
        while not queue.empty():
            item = queue.get_nowait()
            try:
                if isinstance(item, _ModelsJob):
                    await self._models_job(kernel_id, item)
                elif not item.done:
                    await self._execute(item)
            except Exception as err:  # noqa: BLE001 (the worker must survive anything)
                self.log.exception("dlviz-lab: unexpected failure in kernel %s", kernel_id)
                if isinstance(item, Run) and not item.done:
                    self._finish(item, "failed", error=f"internal error: {err}")
                elif isinstance(item, _ModelsJob) and not item.future.done():
                    item.future.set_exception(err)
        # no await between the empty check and this: nothing can be queued in between
        if self._workers.get(kernel_id) is asyncio.current_task():
            del self._workers[kernel_id]
            self._queues.pop(kernel_id, None)

    async def _execute(self, run: Run):
        request = {
            "run_id": run.id, "task": run.task, "params": run.params,
            "limits": {"max_tokens": self.config.max_tokens},
        }
        run.sent = True

        def started():
            run.status = "running"
            run.started = _now()
            self._notify(run, "status", run.status_event())

        def progress(data: dict):
            run.progress = data
            if data.get("phase") == "epoch" and len(run.milestones) < MAX_MILESTONES:
                run.milestones.append(data)
            self._notify(run, "progress", data)

        try:
            outcome = await self.bridge.run(run.kernel_id, request, on_progress=progress,
                                            on_started=started, cancel=run.cancel)
        except KernelDied as err:
            self._finish(run, "failed", error=(
                f"the kernel died during the run ({err}); restart the kernel or start a new "
                "one, then run again"))
            return
        except KernelTimeout as err:
            self._finish(run, "failed", error=str(err))
            return
        if outcome.reply_status == "error":
            if outcome.ename == "KeyboardInterrupt" and run.cancel.is_set():
                self._finish(run, "cancelled", error="cancelled while running")
            elif outcome.ename == "KeyboardInterrupt":
                self._finish(run, "failed", error="the kernel was interrupted")
            else:
                self._finish(run, "failed", error=f"{outcome.ename}: {outcome.evalue}")
        elif outcome.error is not None:
            self._finish(run, "failed", error=outcome.error, error_field=outcome.error_field)
        elif outcome.result is not None:
            # decoding tens of MB of base64 takes a while: keep it off the event loop
            result, stored = await asyncio.to_thread(
                array_store.split_result, outcome.result, run.id, self.config.inline_array_bytes)
            run.arrays = stored
            self._finish(run, "succeeded", result=result)
        elif run.cancel.is_set():
            self._finish(run, "cancelled", error="cancelled")
        else:
            self._finish(run, "failed", error="the kernel finished without sending a result")

    async def _models_job(self, kernel_id: str, job: _ModelsJob):
        request = {"run_id": None, "task": "__models__"}
        try:
            outcome = await self.bridge.run(kernel_id, request, timeout=self.config.models_timeout,
                                            interrupt_on_timeout=False)
        except (KernelDied, KernelTimeout) as err:
            job.future.set_exception(err)
            return
        if outcome.models is not None:
            job.future.set_result(outcome.models)
        elif outcome.error is not None:
            job.future.set_exception(RuntimeError(outcome.error))
        else:
            job.future.set_exception(RuntimeError(
                f"the kernel did not list its models ({outcome.ename}: {outcome.evalue})"))

    def _finish(self, run: Run, status: str, *, result=None, error=None, error_field=None):
        run.status = status
        run.result = result
        run.error = error
        run.error_field = error_field
        run.finished = _now()
        self._notify(run, "status", run.status_event())
        self._prune()

    def _prune(self):
        finished = [rid for rid, r in self.runs.items() if r.done]
        for rid in finished[: max(0, len(finished) - self.config.max_runs_kept)]:
            del self.runs[rid]
        # big arrays weigh far more than the count of runs: bound their memory too
        finished = [r for r in self.runs.values() if r.done]
        kept = sum(r.array_bytes for r in finished)
        for old in finished[:-1]:
            if kept <= self.config.max_array_bytes_kept:
                break
            kept -= old.array_bytes
            if old.array_bytes:
                del self.runs[old.id]
