"""Task ``rnn.compare``: the same data, seed and settings trained with RNN, LSTM and GRU.

Each cell is an ``rnn.train`` run of its own through the shared engine (progress, cancel,
snapshots), kept under ``<run id>-<cell>`` so ``rnn.inspect`` can look inside it. Besides the
curves, each cell's memory: how strongly the prediction at the last step that has a target
depends on the input at every earlier step, averaged over validation sequences; and, as
``rnn.train`` saves them, the states of one validation sequence at every kept epoch (what the
explorer draws of a cell once its kernel is gone).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch

from .. import arrays
from ..tasks import RunContext, TaskError, load_schema
from ..training import Training, fit, split
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.monitor import SEQUENCES
from ..training.params import complete
from ..training.snapshots import kept_summary
from .data import IGNORE, SequenceData
from .data import load as load_data
from .model import SequenceNet
from .probe import evaluating
from .train import TASK as TRAIN_TASK
from .train import (
    EpochWatch,
    bits,
    build,
    check_memory,
    clipping,
    loss_for,
    model_summary,
    predicts_every_step,
    raise_bidirectional,
    sample_of,
    snapshot_bytes,
    snapshots_of,
)

TASK = "rnn.compare"
# Validation sequences the memory is averaged over.
MEMORY_SEQUENCES = 32


class CellPublisher:
    """Passes messages on; progress events get the request's run id and the cell they are for."""

    def __init__(self, publisher: Any, run_id: str | None, cell: str, index: int,
                 count: int) -> None:
        self.publisher, self.run_id = publisher, run_id
        self.tags = {"cell": cell, "cell_index": index, "cells": count}

    def publish(self, message: dict[str, Any]) -> None:
        if message.get("kind") == "progress":
            message = {**message, "run_id": self.run_id, "cell_run": message.get("run_id"),
                       **self.tags}
        self.publisher.publish(message)


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train every cell in turn; see rnn/compare.result.schema.json."""
    params = complete(load_schema(TASK), params)
    cells = params["cells"]
    if len(set(cells)) != len(cells):
        raise TaskError("Name each cell once.", "cells")
    spec = params["model"]
    if spec["bidirectional"] and predicts_every_step(params["data"]):
        raise_bidirectional()
    data = load_data(params["data"])
    if spec["bidirectional"] and data.per_step:
        raise_bidirectional()
    settings = TrainSettings.from_params(params["training"])
    check_memory(data, spec, settings.batch_size, params["data"]["validation_fraction"])
    parts = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    base = ctx.run_id or "compare"
    found = []
    for index, cell in enumerate(cells):
        train_params = {"data": params["data"], "model": {**spec, "cell": cell},
                        "training": params["training"]}
        cell_ctx = RunContext(f"{base}-{cell}", ctx.limits,
                              CellPublisher(ctx.publisher, ctx.run_id, cell, index, len(cells)))
        found.append(train_cell(cell_ctx, copy.deepcopy(train_params), data, parts, settings,
                                ctx.snapshot_budget() // len(cells)))
    return json_safe({
        "task": TASK,
        "dataset": {**data.describe(), "train_size": int(parts.train_index.shape[0]),
                    "validation_size": int(parts.val_index.shape[0])},
        "chance": chance(data),
        "chance_band": chance_band(chance(data), scored(data, parts.y_val)),
        "cells": found,
    })


def train_cell(ctx: RunContext, params: dict[str, Any], data: SequenceData, parts: Any,
               settings: TrainSettings, budget: int) -> dict[str, Any]:
    """Train one cell as rnn.train would, keep it under ``ctx.run_id``; its part of the result."""
    loss_fn = loss_for(data)
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TRAIN_TASK, params, model, data, parts,
                                                        record), ctx.max_kept_model_bytes())

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = build(data, params["model"])
        watch = EpochWatch(ctx, model, data, parts, loss_fn)
        with clipping(model, params["training"]["clip_norm"]):
            record = fit(model, parts, settings, watch, on_cancel=keep, loss_fn=watch.loss,
                         snapshot_bytes=snapshot_bytes(model, data), snapshot_budget=budget,
                         advice=SEQUENCES)
    keep(record)
    h = record.history
    accuracy = h["validation_accuracy"]
    if data.per_step and data.classes is not None:
        accuracy = watch.step_accuracy[:len(h["epoch"])]
    # the first validation sequence, as rnn.train: what the explorer draws without the kernel
    sample = int(parts.val_index[0])
    found = {
        "cell": params["model"]["cell"],
        "run": ctx.run_id,
        "model": model_summary(model),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": round(record.seconds, 3),
        "history": {"epochs": list(h["epoch"]), "train_loss": list(h["train_loss"]),
                    "validation_loss": list(h["validation_loss"]),
                    "validation_accuracy": list(accuracy)},
        "bits_per_character": [bits(v) for v in h["validation_loss"]]
        if data.next_character else None,
        "accuracy_by_step": accuracy_by_step(model, data, parts.x_val, parts.y_val),
        "memory": memory(model, data, parts.x_val[:MEMORY_SEQUENCES],
                         parts.y_val[:MEMORY_SEQUENCES]),
        "sample": sample_of(data, sample),
        "snapshots": snapshots_of(model, data, sample, record),
    }
    found["kept"] = kept_summary(record.snapshots, len(h["epoch"]), json_safe(found))
    return found


def chance(data: SequenceData) -> float | None:
    """Accuracy of guessing a class uniformly at random (None for values)."""
    if data.classes is None:
        return None
    return float(data.details.get("chance_accuracy", 1 / len(data.classes)))


def scored(data: SequenceData, y: torch.Tensor) -> int:
    """How many predictions the validation accuracy counts: steps with a target, or sequences."""
    if data.classes is None:
        return 0
    return int((y != IGNORE).sum()) if data.per_step else int(y.shape[0])


def chance_band(p: float | None, n: int, level: float = 0.95) -> list[float] | None:
    """The central ``level`` range of the accuracy a guesser without memory scores on n tries.

    Each try is right with probability ``p`` (the copy task: whatever the guess, 1/8, since
    the symbols are uniform), so the count right is Binomial(n, p); its quantiles, exactly
    (the probabilities summed in log space), as shares of n. None for values.
    """
    if p is None or n < 1:
        return None
    tail, total, low = (1 - level) / 2, 0.0, None
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    for k in range(n + 1):
        total += math.exp(log_n - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                          + k * log_p + (n - k) * log_q)
        if low is None and total >= tail:
            low = k
        if total >= 1 - tail:
            return [low / n, k / n]
    return [low / n if low is not None else 0.0, 1.0]


def accuracy_by_step(model: SequenceNet, data: SequenceData, x: torch.Tensor,
                     y: torch.Tensor) -> list[float | None] | None:
    """A class per step: the validation share right at each step (None where no target)."""
    if not data.per_step or data.classes is None:
        return None
    with torch.no_grad():
        guess = torch.cat([model.eval()(x[s:s + 1024]).argmax(-1)
                           for s in range(0, int(x.shape[0]), 1024)])
    mask = y != IGNORE
    right, counted = ((guess == y) & mask).sum(0), mask.sum(0)
    return [int(r) / int(c) if int(c) else None for r, c in zip(right, counted)]


def last_target_step(data: SequenceData, y: torch.Tensor) -> int:
    """The last step at which any of these sequences has a target (the last step otherwise)."""
    if not data.per_step or data.classes is None:
        return data.steps - 1
    steps = torch.nonzero((y != IGNORE).any(0)).flatten()
    return int(steps[-1]) if steps.numel() else data.steps - 1


def memory(model: SequenceNet, data: SequenceData, x: torch.Tensor,
           y: torch.Tensor) -> dict[str, Any]:
    """Mean over the sequences of |d prediction_step / d x_s| for every input step s.

    ``step`` is the last step that has a target; the prediction is the score of the most
    likely class there (the value, for regression), and x_s is what the recurrent layer reads
    at step s (the embedded character, or the numbers). As rnn.inspect's memory plot.
    """
    step = last_target_step(data, y)
    with evaluating(model):
        inputs = model.inputs(x).detach().requires_grad_(True)
        output, _ = model.rnn(inputs)
        scores = model.predict(output)
        scores = scores[:, step] if model.per_step else scores
        if scores.shape[-1] == 1:
            picked = scores[:, 0]
        else:
            picked = scores.gather(1, scores.argmax(1, keepdim=True))[:, 0]
        (gradient,) = torch.autograd.grad(picked.sum(), inputs)
    norms = gradient.detach().double().norm(dim=-1).mean(0)
    return {"step": step, "gradient_norms": arrays.encode(norms.float(), "float32")}
