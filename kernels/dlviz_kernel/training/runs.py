"""Training runs kept in the kernel: model, history, snapshots and data, by run id."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..models import KEEP_AT_MOST

# run_id -> TrainedRun, oldest first; lives in this module, never in the learner's variables.
_runs: OrderedDict[str, Any] = OrderedDict()


def keep(run_id: str | None, run: Any) -> None:
    """Remember a run (its model, history and snapshots) under its id."""
    if run_id is None:
        return
    _runs[run_id] = run
    _runs.move_to_end(run_id)
    while len(_runs) > KEEP_AT_MOST:
        _runs.popitem(last=False)


def get(run_id: str) -> Any:
    """The kept run ``run_id``, or None."""
    return _runs.get(run_id)


class TrainedRun:
    """One training run: its task and parameters, model, data, split and Training record."""

    def __init__(self, task: str, params: dict[str, Any], model: Any, data: Any, split: Any,
                 training: Any) -> None:
        self.task = task
        self.params = params
        self.model = model
        self.data = data
        self.split = split
        self.training = training
