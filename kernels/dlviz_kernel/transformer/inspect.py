"""Task ``transformer.inspect``: any transformer view for a ``transformer.train`` run at an epoch.

It dispatches to the attention, neuron (attention with queries and keys), step-by-step and
projection views, feeding them the run's own sentences unless another text is given.
"""

from __future__ import annotations

from typing import Any

from ..tasks import RunContext, TaskError
from ..training import runs as kept_runs
from . import attention, core, projection, steps

STEPS = 2


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The chosen view's result plus ``view`` and ``source`` (run and epoch)."""
    if not params["run"]:
        raise TaskError("Choose a transformer.train run to look inside.", "run")
    ctx.progress(1, STEPS, f"Loading run {params['run']}")
    subject = core.subject_from_run(params["run"], params["epoch"])
    text, text_b = params.get("text"), params.get("text_b") or None
    if not text:
        trained_params = kept_runs.get(params["run"]).params
        text, text_b = trained_params["text"], trained_params.get("text_b") or None
    encoded = subject.encode(text, text_b, core.token_budget(params["max_tokens"], ctx))
    ctx.progress(2, STEPS, f"Running the model on {encoded.length} tokens",
                 tokens=encoded.length)
    view = params["view"]
    if view == "steps":
        result = steps.steps_of(subject, encoded, params["layer"], params["head"], params["token"])
    elif view == "projection":
        result = projection.projection_of(subject, encoded)
    else:
        traced = core.trace(subject, encoded, qkv=view == "neuron")
        result = attention.result_of(subject, encoded, traced, view == "neuron")
    epochs = kept_runs.get(params["run"]).training.snapshots.epochs
    epoch = params["epoch"] if params["epoch"] >= 0 else epochs[-1]
    result.update(view=view, source={"run": params["run"], "epoch": epoch})
    return result
