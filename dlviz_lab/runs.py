"""The run manager: run records, one queue and worker per kernel, the scratch kernel, cancel."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from jupyter_core.utils import ensure_async

from . import arrays as array_store
from .bridge import KernelDied, KernelTimeout
from .eviction import runs_to_forget
from .run_record import TERMINAL, Run, _now
from .store import StoreWriter

__all__ = ["TERMINAL", "QueueFull", "Run", "RunManager", "UnknownKernel"]


# epoch-closing progress events kept per run for late listeners
MAX_MILESTONES = 10_000


class UnknownKernel(Exception):
    """No kernel with that id runs on this server."""


class QueueFull(Exception):
    """A kernel already has as many runs waiting as the server allows (answered with 429)."""


@dataclass
class _ModelsJob:
    future: asyncio.Future


@dataclass
class _WarmJob:
    """A run of the default transformer that nobody asked for: it loads what first runs need."""

    future: asyncio.Future


WARM_REQUEST = {"run_id": None, "task": "transformer.attention", "params": {"text": "warm up"}}


class RunManager:
    """Keeps the runs of this server and feeds them to kernels, in order, one kernel at a time.

    With a `store` (dlviz_lab.store.RunStore), finished runs are written to disk and read back
    when the server starts again.
    """

    def __init__(self, kernel_manager, *, bridge, catalog, config, log, store=None):
        self.km = kernel_manager
        self.bridge = bridge
        self.catalog = catalog
        self.config = config
        self.log = log
        self.store = store
        self._writer = StoreWriter(store, log) if store is not None else None
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._queues: dict = {}
        self._workers: dict = {}
        self._scratch_id: str | None = None
        self._scratch_lock = asyncio.Lock()
        self._stopping = False

    # -- the run store -----------------------------------------------------------------------

    def restore(self) -> int:
        """Read the finished runs of earlier server sessions back; returns how many."""
        if self.store is None:
            return 0
        for record, arrays in self.store.load():
            run = Run.from_record(record, arrays)
            self.runs[run.id] = run
        forgotten = runs_to_forget(list(self.runs.values()), max_runs=self.config.max_runs_kept,
                                   max_bytes=self.config.max_array_bytes_kept)
        for run in forgotten:
            del self.runs[run.id]
            self.store.delete(run.id)
        return len(self.runs)

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
                    await ensure_async(self.km.shutdown_kernel(kid, now=True))
                except Exception:  # noqa: BLE001
                    self.log.debug("dlviz-lab: shutting down a dead scratch kernel failed",
                                   exc_info=True)
            kid = await ensure_async(
                self.km.start_kernel(kernel_name=self.config.scratch_kernel_name))
            self.log.info("dlviz-lab: started scratch kernel %s (%s)", kid,
                          self.config.scratch_kernel_name)
            self._scratch_id = kid
            return kid

    async def kernel_gone(self, kernel_id: str):
        """A kernel was shut down: its waiting runs fail, its client is closed."""
        for run in list(self.runs.values()):
            if run.kernel_id == kernel_id and run.status == "queued":
                self._finish(run, "failed", error="the kernel was shut down")
        worker = self._workers.get(kernel_id)
        if worker is None or worker.done():
            await self.bridge.forget(kernel_id)
        # else: the run in flight notices the kernel is gone and its worker closes the client

    # -- runs --------------------------------------------------------------------------------

    async def submit(self, task: str, params: dict, kernel_id: str | None,
                     preset: str | None = None) -> Run:
        """Queue a validated run; raises UnknownKernel, or QueueFull past the per-kernel bound.

        `preset`: the name of the preset the request's form came from (the class at a glance
        groups runs by it); a label only, the params are what the server checked."""
        if kernel_id is None:
            kernel_id = await self.scratch_kernel()
        elif not self.has_kernel(kernel_id):
            raise UnknownKernel(kernel_id)
        waiting = sum(1 for r in self.runs.values()
                      if r.kernel_id == kernel_id and r.status == "queued")
        if waiting >= self.config.max_queued_runs:
            raise QueueFull(
                f"kernel {kernel_id} already has {waiting} runs waiting, the most this server "
                f"allows (DLVizLab.max_queued_runs); wait for one to finish or cancel one")
        run = Run(task=task, params=params, kernel_id=kernel_id, preset=preset)
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

    async def warm_up(self) -> str:
        """Start the scratch kernel and load PyTorch, transformers and the default model in it."""
        kernel_id = await self.scratch_kernel()
        future = asyncio.get_running_loop().create_future()
        self._enqueue(kernel_id, _WarmJob(future))
        await future
        self.log.info("dlviz-lab: scratch kernel %s is warm", kernel_id)
        return kernel_id

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
                elif isinstance(item, _WarmJob):
                    request = {**WARM_REQUEST, "limits": self.config.kernel_limits()}
                    outcome = await self.bridge.run(kernel_id, request)
                    item.future.set_result(outcome)
                elif not item.done:
                    await self._execute(item)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 (the worker must survive anything)
                self.log.exception("dlviz-lab: unexpected failure in kernel %s", kernel_id)
                if isinstance(item, Run) and not item.done:
                    self._finish(item, "failed", error=f"internal error: {err}")
                elif isinstance(item, (_ModelsJob, _WarmJob)) and not item.future.done():
                    item.future.set_exception(err)
        # no await between the empty check and this: nothing can be queued in between
        if self._workers.get(kernel_id) is asyncio.current_task():
            del self._workers[kernel_id]
            self._queues.pop(kernel_id, None)

    async def _execute(self, run: Run):
        if not self.has_kernel(run.kernel_id):
            self._finish(run, "failed", error="the kernel was shut down")
            return
        request = {"run_id": run.id, "task": run.task, "params": run.params,
                   "limits": self.config.kernel_limits()}

        def waiting(message: str):
            self.progress(run, {"phase": "waiting", "message": message})

        def sent():
            run.sent = True

        def started():
            run.status = "running"
            run.started = _now()
            self._notify(run, "status", run.status_event())

        try:
            outcome = await self.bridge.run(
                run.kernel_id, request, on_progress=lambda data: self.progress(run, data),
                on_started=started, on_waiting=waiting, on_sent=sent, cancel=run.cancel)
        except KernelDied as err:
            if not self.has_kernel(run.kernel_id) or str(err) == "the kernel was shut down":
                self._finish(run, "failed", error="the kernel was shut down")
            else:
                self._finish(run, "failed", error=(
                    f"the kernel died during the run ({err}); restart the kernel or start a new "
                    "one, then run again"))
            return
        except KernelTimeout as err:
            self._finish(run, "failed", error=str(err))
            return
        await self._conclude(run, outcome)

    def progress(self, run: Run, data: dict):
        run.progress = data
        if data.get("phase") == "epoch" and len(run.milestones) < MAX_MILESTONES:
            run.milestones.append(data)
        self._notify(run, "progress", data)

    async def _conclude(self, run: Run, outcome):
        """Finish a run from what the kernel answered."""
        if not outcome.sent:
            self._finish(run, "cancelled", error="cancelled before it started")
        elif outcome.reply_status == "error":
            if outcome.ename == "KeyboardInterrupt" and run.cancel.is_set():
                self._finish(run, "cancelled", error="cancelled while running")
            elif outcome.ename == "KeyboardInterrupt":
                self._finish(run, "failed", error="the kernel was interrupted")
            else:
                self._finish(run, "failed", error=f"{outcome.ename}: {outcome.evalue}")
        elif outcome.error is not None:
            self._finish(run, "failed", error=outcome.error, error_field=outcome.error_field)
        elif outcome.result is not None:
            await self._keep_result(run, outcome.result)
        elif run.cancel.is_set():
            self._finish(run, "cancelled", error="cancelled")
        else:
            self._finish(run, "failed", error="the kernel finished without sending a result")

    async def _keep_result(self, run: Run, result: dict):
        # decoding tens of MB of base64 takes a while: keep it off the event loop
        result, stored = await asyncio.to_thread(
            array_store.split_result, result, run.id, self.config.inline_array_bytes)
        nbytes = sum(a.nbytes for a in stored.values())
        if nbytes > self.config.max_array_bytes_kept:
            self._finish(run, "failed", error=(
                f"the result holds {nbytes / 2**20:.1f} MiB of arrays, more than the "
                f"{self.config.max_array_bytes_kept / 2**20:.1f} MiB this server keeps "
                "(DLVizLab.max_array_bytes_kept); ask for a smaller run"))
            return
        run.arrays = stored
        self._finish(run, "succeeded", result=result)

    async def _models_job(self, kernel_id: str, job: _ModelsJob):
        request = {"run_id": None, "task": "__models__"}
        try:
            outcome = await self.bridge.run(kernel_id, request, timeout=self.config.models_timeout,
                                            wait_timeout=self.config.models_timeout,
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
        if self._writer is not None and not self._stopping:
            self._writer.save(run)
        self._prune(keep=run)

    def _prune(self, keep: Run | None = None):
        forget = runs_to_forget(list(self.runs.values()), max_runs=self.config.max_runs_kept,
                                max_bytes=self.config.max_array_bytes_kept, keep=keep)
        for old in forget:
            del self.runs[old.id]
            if self._writer is not None and not self._stopping:
                self._writer.delete(old.id)

    # -- server stop -------------------------------------------------------------------------

    async def stop(self):
        """Close what the extension opened: workers, kernel clients, the store. Quick, never hangs.

        Runs still in flight fail ("the server stopped") and are stored as such, so a view
        reopened after the restart says what happened instead of "no such run".
        """
        self._stopping = True
        unfinished = [r for r in self.runs.values() if not r.done]
        for run in unfinished:
            self._finish(run, "failed", error="the server stopped during the run")
        workers = [w for w in self._workers.values() if not w.done()]
        for worker in workers:
            worker.cancel()
        if workers:
            await asyncio.wait(workers, timeout=2)
        try:
            await asyncio.wait_for(self.bridge.close(), 5)
        except Exception:  # noqa: BLE001 (stopping must go on)
            self.log.warning("dlviz-lab: closing kernel clients failed", exc_info=True)
        if self._writer is not None:
            await self._writer.close(unfinished)
