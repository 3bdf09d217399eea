"""Task ``cnn.inspect``: the CNN views for a trained run or for a CNN held in the notebook."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from .. import arrays
from ..data import ImageData
from ..data import load as load_data
from ..data.notebook import lookup
from ..tasks import RunContext, TaskError, load_schema
from ..training import runs as kept_runs
from ..training import split
from ..training.params import complete
from . import views

TASK = "cnn.inspect"
# The split used for a notebook model, whose own training split is unknown.
NOTEBOOK_SPLIT_SEED = 0


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Every CNN view's data for one input; see docs/protocol.md for the result."""
    params = complete(load_schema(TASK), params)
    run_id, model_name = params["run"], params["model"]
    if bool(run_id) == bool(model_name):
        raise TaskError("Choose either a training run or a model from your notebook (one of "
                        "the two).", "run" if not run_id else "model")
    epoch = None
    if run_id:
        trained = kept_runs.get(run_id)
        if trained is None:
            raise TaskError(f"No trained model is kept for run {run_id!r} in this kernel. "
                            f"{kept_runs.why_missing(run_id)}", "run")
        model, data = trained.model, trained.data
        val_x, val_y = trained.split.x_val, trained.split.y_val
        if params["epoch"] >= 0:
            epoch = params["epoch"]
            model = _at_epoch(model, trained.training.snapshots, epoch)
    else:
        model = lookup(model_name, "model")
        if not isinstance(model, nn.Module):
            raise TaskError(f"{model_name} is a {type(model).__name__}, not a torch.nn.Module.",
                            "model")
        if not views.conv_layers(model):
            raise TaskError(f"{model_name} has no nn.Conv2d layer, so it has no filters to show.",
                            "model")
        data = load_data(params["data"])
        parts = split(data.x, data.y, params["data"]["validation_fraction"], NOTEBOOK_SPLIT_SEED)
        val_x, val_y = parts.x_val, parts.y_val
    image, index, label = choose_input(params["input"], data)
    result = views.inspect(model, image, val_x, val_y, data.classes)
    result["source"] = {"run": run_id or None, "model": model_name or None, "epoch": epoch}
    result["dataset"] = data.describe()
    result["input"] = {"index": index, "label": label, "image": arrays.encode(image, "float32")}
    return result


def _at_epoch(model: nn.Module, snapshots, epoch: int) -> nn.Module:
    """A copy of the run's model with the weights it had after ``epoch``."""
    state = snapshots.state(epoch)
    if state is None:
        kept = [e for e in snapshots.epochs if snapshots.state(e) is not None]
        raise TaskError(f"Epoch {epoch} is not kept for this run; kept epochs: {kept}.", "epoch")
    replay = copy.deepcopy(model)
    replay.load_state_dict(state)
    return replay.eval()


def choose_input(spec: dict[str, Any], data: ImageData) -> tuple[torch.Tensor, int | None,
                                                                  int | None]:
    """The image to inspect: drawn pixels when given, else the data set's image at ``index``."""
    pixels = spec.get("pixels") or []
    channels, height, width = data.input_shape
    if pixels:
        if len(pixels) != height or any(not isinstance(r, list) or len(r) != width
                                        for r in pixels):
            raise TaskError(f"A drawing must be {height} rows of {width} pixels, like the "
                            f"{data.name} images.", "input.pixels")
        drawn = torch.tensor(pixels, dtype=torch.float32)
        if not torch.isfinite(drawn).all():
            raise TaskError("A drawing must hold numbers only.", "input.pixels")
        image = data.scale_drawing(drawn).unsqueeze(0).expand(channels, height, width)
        return image.contiguous(), None, None
    index = spec.get("index", 0)
    if index >= data.x.shape[0]:
        raise TaskError(f"The {data.name} data has {data.x.shape[0]} images (0 to "
                        f"{data.x.shape[0] - 1}).", "input.index")
    return data.x[index], index, int(data.y[index])
