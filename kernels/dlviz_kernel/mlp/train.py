"""Task ``mlp.train``: the playground. A small dense network learns points in the plane, live.

Every finished epoch's progress event carries the network's weights (``weights``): the view
draws each neuron's picture and the decision boundary in the browser from them, so a frame
costs a few hundred numbers, not images. ``continue_from`` goes on from an earlier run's
weights (the view's play after a pause, or after the learning rate, regularisation or noise
changed); the same ``training.seed`` always gives the same first weights (reset).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .. import arrays
from ..tasks import RunContext, TaskError, load_schema
from ..training import Split, Training, fit, split
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.params import complete
from ..training.snapshots import kept_summary
from . import features as feature_set
from .data import PlaneData
from .data import load as load_data
from .model import PlaygroundNet, loss_for

TASK = "mlp.train"
GRID = 50  # the kernel's own picture of the output: GRID x GRID points over the plotted plane
MAX_FRAME_NUMBERS = 400_000  # weights kept per epoch in the result, all epochs together
# Seconds between two frames inside a long epoch (big data, a busy machine): the live picture
# keeps moving at about 30 frames per second however long an epoch takes.
FRAME_INTERVAL = 0.03


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train the playground's network; see mlp/train.result.schema.json."""
    from ..notebook import code_for

    params = complete(load_schema(TASK), params)
    data = load_data(params["data"])
    names = inputs_of(data, params["features"])
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, 1 - params["data"]["train_share"] / 100, params["data"]["seed"])
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TASK, params, model, data, parts, record),
                       ctx.max_kept_model_bytes())

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = build(params, data, names)
        net = model.net
        watch = FrameWatch(ctx, net)
        record = fit(model, parts, settings, watch, on_cancel=keep,
                     loss_fn=loss_for(net, *regularization(params)),
                     progress_interval=FRAME_INTERVAL, histograms=False)
    keep(record)
    result = result_of(net, data, parts, record, watch, names)
    result.update(run_id=ctx.run_id, task=TASK, params=params, code=code_for(TASK, params),
                  model_code=model_code(ctx.run_id, data))
    result["kept"] = kept_summary(record.snapshots, result["epochs_completed"], result)
    return result


def model_code(run_id: str, data: PlaneData) -> str:
    """The playground's "Insert code" cell: its network as it is now, from this kernel."""
    width = len(data.columns)
    return ("import dlviz_kernel\n\n"
            "# The MLP playground's network as it is now; the kernel keeps it until it stops.\n"
            f"model = dlviz_kernel.get_model({run_id!r})\n"
            f"# model(rows) scores rows of ({', '.join(data.columns)}): a float tensor "
            f"[N, {width}].\n"
            "# model.net is the network the playground draws.\n"
            "model.eval()\n")


def regularization(params: dict[str, Any]) -> tuple[str, float]:
    model = params["model"]
    return model["regularization"], model["regularization_rate"]


def inputs_of(data: PlaneData, wanted: list[str]) -> list[str]:
    """What the network reads: the chosen features of two columns, or every column of wider data."""
    if len(data.columns) != 2:
        return list(data.columns)
    names = feature_set.ordered(wanted)
    if not names:
        raise TaskError("Choose at least one feature.", "features")
    return names


class Features:
    """Turns data rows into the network's inputs (the features of the two plotted columns)."""

    def __init__(self, data: PlaneData, names: list[str]) -> None:
        self.compute = len(data.columns) == 2
        self.names = names

    def __call__(self, rows: torch.Tensor) -> torch.Tensor:
        return feature_set.compute(rows, self.names) if self.compute else rows


class Featured(torch.nn.Module):
    """The network behind its features: rows in, scores out. The engine trains it and the
    notebook gets it (``get_model``); ``net`` is the network the picture draws."""

    def __init__(self, net: PlaygroundNet, features: Features) -> None:
        super().__init__()
        self.net = net
        self.features = features

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        return self.net(self.features(rows))


def build(params: dict[str, Any], data: PlaneData, names: list[str]) -> Featured:
    """A new network, or the one of ``continue_from`` (same shape required) to go on training."""
    spec = params["model"]
    net = Featured(PlaygroundNet(len(names), spec["hidden"], data.classes, spec["setup"],
                                 spec["dropout"]), Features(data, names))
    source = params["continue_from"]
    if source:
        earlier = kept_runs.get(source)
        if earlier is None or earlier.task != TASK:
            raise TaskError(kept_runs.why_missing(source), "continue_from")
        try:
            net.load_state_dict(earlier.model.state_dict())
        except RuntimeError as err:
            raise TaskError("The network changed since that run (layers, neurons, features or "
                            "classes): reset instead of continuing.", "continue_from") from err
    edit(net.net, params["edits"])
    return net


def edit(net: PlaygroundNet, edits: list[dict[str, Any]]) -> None:
    """Set weights (``from`` >= 0) and biases (``from`` = -1) by hand; TaskError if out of range."""
    with torch.no_grad():
        for i, change in enumerate(edits):
            layer, to, source = change["layer"], change["to"], change["from"]
            if layer >= len(net.layers) or to >= net.layers[layer].out_features \
                    or source >= net.layers[layer].in_features:
                raise TaskError(f"Edit {i + 1} names a weight the network does not have.",
                                f"edits.{i}")
            if source < 0:
                net.layers[layer].bias[to] = change["value"]
            else:
                net.layers[layer].weight[to, source] = change["value"]


class FrameWatch(RunContext):
    """The run's context: every progress event carries the weights (a frame).

    A finished epoch's event (``phase: "epoch"``) always; events inside an epoch
    (``phase: "train"``, every FRAME_INTERVAL seconds) only come when an epoch is long. The
    result keeps the epochs' frames.
    """

    def __init__(self, ctx: RunContext, model: PlaygroundNet) -> None:
        super().__init__(ctx.run_id, ctx.limits, ctx.publisher)
        self.model = model
        self.frames = [model.weights()]

    def progress(self, step: int, total: int, message: str, **numbers: Any) -> None:
        phase = numbers.get("phase")
        if phase in ("epoch", "train"):
            frame = self.model.weights()
            if phase == "epoch":
                self.frames.append(frame)
            numbers["weights"] = frame
        super().progress(step, total, message, **numbers)


def plane_grid(data: PlaneData, size: int = GRID) -> tuple[torch.Tensor, list[float], list[float]]:
    """Rows [size², F] covering the two plotted columns (others at their mean), and both axes."""
    a, b = data.shown
    xs = np.linspace(*data.ranges[a], size)
    ys = np.linspace(*data.ranges[b], size)
    base = torch.tensor(data.fixed or [0.0] * len(data.columns), dtype=torch.float32)
    rows = base.repeat(size * size, 1)
    gx, gy = np.meshgrid(xs, ys)  # row i of the picture is ys[i]
    rows[:, a] = torch.from_numpy(gx.reshape(-1).astype(np.float32))
    rows[:, b] = torch.from_numpy(gy.reshape(-1).astype(np.float32))
    return rows, xs.tolist(), ys.tolist()


def output_on(net: PlaygroundNet, features: Features, rows: torch.Tensor) -> torch.Tensor:
    """What the picture shows per row: P(class 1) or the class for several, or the value."""
    with torch.no_grad():
        out = net.neurons(features(rows))[-1]
    if net.classes is None:
        return out[:, 0]
    if net.setup == "playground":
        return out[:, 0]  # tanh output in [-1, 1]
    if net.classes == 2:
        return torch.softmax(out, 1)[:, 1]
    return out.argmax(1).float()


def confusion(net: PlaygroundNet, features: Features, x: torch.Tensor,
              y: torch.Tensor) -> list[list[int]] | None:
    if net.classes is None:
        return None
    with torch.no_grad():
        predicted = Featured(net, features)(x).argmax(1)
    matrix = torch.zeros(net.classes, net.classes, dtype=torch.int64)
    matrix.index_put_((y, predicted), torch.ones_like(y), accumulate=True)
    return matrix.tolist()


def points(data: PlaneData, index: torch.Tensor) -> dict[str, Any]:
    a, b = data.shown
    return {"x": data.x[index][:, [a, b]].tolist(), "y": data.y[index].tolist()}


def result_of(net: PlaygroundNet, data: PlaneData, parts: Split, record: Training,
              watch: FrameWatch, names: list[str]) -> dict[str, Any]:
    h = record.history
    features = Features(data, names)
    rows, xs, ys = plane_grid(data)
    frames = watch.frames[:len(h["epoch"]) + 1]
    per_frame = sum(p.numel() for p in net.parameters())
    every = max(1, -(-per_frame * len(frames) // MAX_FRAME_NUMBERS))
    return json_safe({
        "dataset": {**data.describe(), "train_size": int(parts.train_index.shape[0]),
                    "test_size": int(parts.val_index.shape[0])},
        "features": names,
        "computes_features": features.compute,
        "model": {"setup": net.setup, "sizes": [net.layers[0].in_features]
                  + [layer.out_features for layer in net.layers],
                  "activations": net.activations, "output_activation": net.output_activation,
                  "parameters": per_frame},
        "history": h,
        "epochs_completed": len(h["epoch"]),
        "stopped_early": record.stopped_early,
        "steps": record.steps,
        "seconds": round(record.seconds, 3),
        "warnings": record.warnings,
        "train": points(data, parts.train_index),
        "test": points(data, parts.val_index),
        "weights": net.weights(),
        "frames": {"epochs": list(range(0, len(frames), every)), "weights": frames[::every]},
        "confusion": confusion(net, features, parts.x_val, parts.y_val),
        "output": {"xs": xs, "ys": ys,
                   "values": arrays.encode(output_on(net, features, rows).view(len(ys), len(xs)),
                                           "float32")},
    })
