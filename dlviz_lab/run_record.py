"""One run as the REST API shows it: the record the server keeps and stores."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from dlviz_kernel.notebook import TRAINABLE, code_for  # torch-free

TERMINAL = ("succeeded", "failed", "cancelled")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    # the name of the preset the panel's form came from, if any
    preset: str | None = None
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
            "preset": self.preset,
        }
        if with_result:
            out["result"] = self.result
            out["code"] = self.code
        return out

    @property
    def code(self) -> str | None:
        """The notebook cell that repeats a training run ("Insert code"), made by the kernel
        runtime's own `code_for`, so the panel, the views and `dlviz_kernel.code_for_run` give
        the same text; None for tasks that do not train."""
        if self.task not in TRAINABLE:
            return None
        return code_for(self.task, self.params)

    def status_event(self) -> dict:
        return {"id": self.id, "status": self.status, "error": self.error,
                "error_field": self.error_field, "finished": self.finished}

    @classmethod
    def from_record(cls, record: dict, arrays: dict) -> Run:
        """A finished run read back from the run store."""
        run = cls(task=record["task"], params=record["params"], kernel_id=record["kernel_id"],
                  id=record["id"], status=record["status"], progress=record.get("progress"),
                  result=record.get("result"), error=record.get("error"),
                  error_field=record.get("error_field"), created=record.get("created"),
                  started=record.get("started"), finished=record.get("finished"),
                  preset=record.get("preset"), sent=True)
        run.arrays = arrays
        return run
