"""Task ``cnn.train``: build a CNN from the form, train it live, and return every view's data."""

from __future__ import annotations

import copy
from typing import Any

import torch

from .. import arrays
from ..data import ImageData
from ..data import load as load_data
from ..tasks import RunContext, load_schema
from ..training import Split, Training, fit, split
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.monitor import IMAGES
from ..training.params import complete
from ..training.snapshots import kept_summary
from . import views
from .model import FormCNN, plan

TASK = "cnn.train"


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train the CNN the parameters describe; see docs/protocol.md for the result."""
    from ..notebook import code_for

    params = complete(load_schema(TASK), params)
    data = load_data(params["data"])
    classes = len(data.classes)
    # Checked before anything is built or trained, so a bad form fails at once.
    plan(data.input_shape, params["blocks"], params["dense"], classes)
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TASK, params, model, data, parts, record),
                       ctx.max_kept_model_bytes())

    # The seed drives the start weights and dropout; the notebook's own random state is restored.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = FormCNN(data.input_shape, params["blocks"], params["dense"], classes)
        per_epoch = snapshot_bytes(model, data.x[int(parts.val_index[0])])
        record = fit(model, parts, settings, ctx, on_cancel=keep, snapshot_bytes=per_epoch,
                     advice=IMAGES)
    keep(record)
    result = result_of(model, data, parts, record)
    result.update(run_id=ctx.run_id, task=TASK, params=params, code=code_for(TASK, params))
    result["kept"] = kept_summary(record.snapshots, result["epochs_completed"], result)
    return result


def snapshot_bytes(model: torch.nn.Module, image: torch.Tensor) -> int:
    """What the result carries per kept epoch: filters, the image's feature maps, probabilities."""
    with views.evaluating(model), torch.no_grad():
        output, seen = views.trace(model, views.to_model(model, image.unsqueeze(0)))
    total = output[0].numel()
    for _, module, out in seen:
        if isinstance(module, torch.nn.Conv2d):
            total += module.weight.numel() + out[0].numel()
    return 4 * total  # float32


def result_of(model: torch.nn.Module, data: ImageData, parts: Split,
              record: Training) -> dict[str, Any]:
    """The result of a training run (everything but its id, task, params and code)."""
    sample = int(parts.val_index[0])
    image = data.x[sample]
    final = views.inspect(model, image, parts.x_val, parts.y_val, data.classes)
    final["input"] = {"index": sample, "label": int(data.y[sample]),
                      "image": arrays.encode(image, "float32")}
    return json_safe({
        "dataset": {**data.describe(), "train_size": int(parts.train_index.shape[0]),
                    "validation_size": int(parts.val_index.shape[0])},
        "history": record.history,
        "epochs_completed": len(record.history["epoch"]),
        "stopped_early": record.stopped_early,
        "steps": record.steps,
        "seconds": round(record.seconds, 3),
        "monitor": record.monitor_data(),
        "warnings": record.warnings,
        "snapshots": snapshots_of(model, image, record),
        "final": final,
    })


def snapshots_of(model: torch.nn.Module, image: torch.Tensor,
                 record: Training) -> dict[str, Any]:
    """Filters, the sample's feature maps and its probabilities after each kept epoch.

    One entry per epoch of ``snapshots.epochs`` (0 = before training), in that order.
    """
    snaps = record.snapshots
    result: dict[str, Any] = {"epochs": list(snaps.epochs), "layers": [], "probabilities": None}
    maps: dict[str, list[torch.Tensor]] = {}
    probabilities = []
    replay = copy.deepcopy(model).eval()
    for epoch in snaps.epochs:
        replay.load_state_dict(snaps.state(epoch))
        with torch.no_grad():
            output, seen = views.trace(replay, views.to_model(replay, image.unsqueeze(0)))
        probabilities.append(torch.softmax(output[0].float(), dim=0).cpu())
        for name, module, out in seen:
            if isinstance(module, torch.nn.Conv2d):
                maps.setdefault(name, []).append(out[0].float().cpu())
    del replay
    result["probabilities"] = arrays.encode(torch.stack(probabilities), "float32")
    for name, weights in snaps.conv.items():
        result["layers"].append({
            "name": name,
            "filters": arrays.encode(torch.stack(weights).float(), "float32"),
            "feature_maps": arrays.encode(torch.stack(maps[name]), "float32")
            if name in maps else None})
    return result
