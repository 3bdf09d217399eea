"""The clocks of one run, and the wait for a kernel that is busy with a notebook cell.

A run is not sent while the kernel runs a notebook cell: it would only queue behind the cell,
and its time limit would tick while it cannot start. It waits instead ("Waiting for the kernel"),
for at most `wait_limit` seconds from the call; its own `run_limit` starts when the kernel starts
the run.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from jupyter_core.utils import ensure_async

POLL = 0.25  # seconds between looks at a busy kernel once the wait was announced
FIRST_POLL = 0.05  # before that: the kernel is usually idle again at once
ANNOUNCE_AFTER = 0.5  # busy this long means a notebook cell (not the tail of our last run)
SETTLE = 0.5  # after a wait, idle this long before sending ("Run all" cells come in a row)
WAITING_MESSAGE = "Waiting for the kernel: a notebook cell is still running"


class KernelDied(Exception):
    """The kernel went away (killed, restarted or shut down) while we waited for it."""


class KernelTimeout(Exception):
    """The kernel did not finish in time (or stayed busy too long to send the run)."""


@dataclass
class RunClock:
    """The caller's callbacks and the clocks of one `run` (shared by its two executions)."""

    on_progress: object = None
    on_started: object = None
    on_waiting: object = None
    on_sent: object = None
    cancel: asyncio.Event | None = None
    run_limit: float = 0.0
    wait_limit: float = 0.0
    interrupt_on_timeout: bool = True
    called_at: float = 0.0
    started_at: float | None = None
    announced: bool = False
    told_sent: bool = False

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    @property
    def wait_deadline(self) -> float:
        return self.called_at + self.wait_limit

    async def waiting(self):
        """Tell the caller, once, that the run waits for a notebook cell."""
        if not self.announced:
            self.announced = True
            if self.on_waiting is not None:
                await ensure_async(self.on_waiting(WAITING_MESSAGE))

    async def sent(self):
        if not self.told_sent:
            self.told_sent = True
            if self.on_sent is not None:
                await ensure_async(self.on_sent())

    async def started(self):
        """Our code runs: the run's clock starts (once, even if the runtime is sent twice)."""
        if self.started_at is None:
            self.started_at = time.monotonic()
            if self.on_started is not None:
                await ensure_async(self.on_started())


async def wait_until_free(clock: RunClock, busy, check_alive) -> bool:
    """Wait while the kernel is busy (`busy()`); False if the run is cancelled meanwhile.

    `check_alive()` raises KernelDied for a kernel that is gone. Raises KernelTimeout when the
    kernel is still busy `clock.wait_limit` seconds after the call: nothing was sent then.
    """
    if not busy():
        return True
    busy_since, idle_since, last_check = time.monotonic(), None, 0.0
    while True:
        if clock.cancelled:
            return False
        now = time.monotonic()
        if now - last_check > 1.0:
            last_check = now
            await check_alive()
        if busy():
            idle_since = None
            if now - busy_since >= ANNOUNCE_AFTER:
                await clock.waiting()
            if now > clock.wait_deadline:
                raise KernelTimeout(f"the kernel stayed busy for {clock.wait_limit:g} s; "
                                    "the run was not sent")
        elif not clock.announced:
            return True  # busy only for a moment: the tail of the previous run
        else:
            idle_since = idle_since or now
            if now - idle_since >= SETTLE:
                return True
        await asyncio.sleep(POLL if clock.announced else FIRST_POLL)
