"""Training runs kept in the kernel: model, history, snapshots and data, by run id.

They share one store with ``dlviz_kernel.get_model`` (``models.RecentRuns``): the newest
runs within ``max_kept_model_bytes`` and a count, oldest dropped first.
"""

from __future__ import annotations

from typing import Any

from .. import models


class TrainedRun(models.RunRecord):
    """One training run: its task and parameters, model, data, split and Training record."""

    def __init__(self, task: str, params: dict[str, Any], model: Any, data: Any, split: Any,
                 training: Any) -> None:
        self.task = task
        self.params = params
        self.model = model
        self.data = data
        self.split = split
        self.training = training


def keep(run_id: str | None, run: TrainedRun, max_bytes: int | None = None) -> None:
    """Remember a run under its id; ``get_model(run_id)`` then gives its model."""
    models.keep(run_id, run, max_bytes)


def get(run_id: str) -> TrainedRun | None:
    """The training run kept under ``run_id``, or None (also for a bare kept model)."""
    item = models._kept.get(run_id)
    return item if isinstance(item, TrainedRun) else None


def why_missing(run_id: str) -> str:
    """A sentence saying why no run is kept under ``run_id``."""
    return models.why_missing(run_id)
