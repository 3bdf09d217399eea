"""Training runs kept in the kernel: model, history, snapshots and data, by run id."""

from __future__ import annotations

from typing import Any

from ..models import RecentRuns

_runs = RecentRuns()
#: Remember a run (its model, history and snapshots) under its id; ``get`` gives it back or None.
keep = _runs.keep
get = _runs.get


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
