"""`show.decision_boundary`: what a classifier of 2-D points answers all over the plane.

The model runs in the kernel on a grid x grid lattice covering the points (with a margin), in
eval mode without gradients. Bounds: grid at most MAX_GRID (100 x 100), at most MAX_CLASSES
classes (probabilities as float16: 100 x 100 x 20 x 2 bytes = 400 kB), at most MAX_POINTS points
(the first ones; float32): under 1 MB.
"""

from __future__ import annotations

from typing import Any

from ._view import View, bounded_int, encode, evaluating, model_device_dtype, tensor_of

MAX_GRID = 100
MAX_CLASSES = 20
MAX_POINTS = 5000


def decision_boundary(model, X, y, grid: int = 60, margin: float = 0.1,
                      class_names: list[str] | None = None) -> View:
    """The classes `model` gives over the plane of the 2-D points `X` [N, 2], with labels `y` [N].

    `model` maps a batch [B, 2] to class scores [B, C] (softmax is taken) or to one score [B] /
    [B, 1] for two classes (sigmoid). `grid` points per side (10 to 100); `margin` the share of
    the points' range added on each side; `class_names` name the classes in the legend.
    """
    import torch

    points = tensor_of(X, "X", (2,)).float()
    if points.shape[1] != 2 or points.shape[0] < 1:
        raise ValueError(f"X must be points [N, 2], not shape {list(points.shape)}")
    labels = tensor_of(y, "y", (1,))
    if labels.shape[0] != points.shape[0]:
        raise ValueError(f"y must have one label per point: {points.shape[0]}, "
                         f"not {labels.shape[0]}")
    if labels.is_floating_point() and not bool((labels == labels.round()).all()):
        raise ValueError("y must hold class numbers (0, 1, ...), not fractions")
    labels = labels.long()
    grid = bounded_int(grid, "grid", 10, MAX_GRID)
    if not isinstance(margin, (int, float)) or not 0 <= margin <= 1:
        raise ValueError(f"margin must be between 0 and 1, not {margin!r}")
    x_range, y_range = (_span(points[:, k], float(margin)) for k in (0, 1))
    xs = torch.linspace(x_range[0], x_range[1], grid)
    ys = torch.linspace(y_range[0], y_range[1], grid)
    # row i is y = ys[i], column j is x = xs[j]
    lattice = torch.stack([xs.repeat(grid), ys.repeat_interleave(grid)], 1)
    probabilities = _probabilities(model, lattice)
    classes = int(probabilities.shape[1])
    if classes > MAX_CLASSES:
        raise ValueError(f"model gives {classes} class scores; at most {MAX_CLASSES} can be shown")
    if int(labels.min()) < 0:
        raise ValueError("y must hold class numbers from 0 up")
    if class_names is not None:
        class_names = [str(n)[:40] for n in class_names]
        if len(class_names) != classes:
            raise ValueError(f"class_names must name the {classes} classes, "
                             f"not {len(class_names)}")
    shown = min(MAX_POINTS, int(points.shape[0]))
    accuracy = _accuracy(model, points, labels)
    payload: dict[str, Any] = {
        "view": "decision_boundary", "model": type(model).__name__, "grid": grid,
        "x_range": x_range, "y_range": y_range, "classes": classes,
        "class_names": class_names,
        "predicted": encode(probabilities.argmax(1).reshape(grid, grid).to(torch.uint8), "uint8"),
        "probabilities": encode(probabilities.reshape(grid, grid, classes), "float16"),
        "points": encode(points[:shown], "float32"),
        "labels": encode(labels[:shown].clamp(max=255).to(torch.uint8), "uint8"),
        "points_total": int(points.shape[0]), "accuracy": accuracy,
    }
    text = (f"dlviz-lab decision boundary of {type(model).__name__}: {classes} classes on a "
            f"{grid}x{grid} grid, {points.shape[0]} points, accuracy {accuracy:.1%}")
    return View(payload, text)


def _span(values, margin: float) -> list[float]:
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * margin if high > low else 1.0
    return [low - pad, high + pad]


def _scores(model, x):
    device, dtype = model_device_dtype(model)
    try:
        out = model(x.to(device=device, dtype=dtype))
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise ValueError(f"model cannot read points shaped [batch, 2]: "
                         f"{str(error).splitlines()[0]}") from None
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not hasattr(out, "dim") or out.dim() not in (1, 2) or out.shape[0] != x.shape[0]:
        raise ValueError("model must return class scores [batch, classes] or one score [batch]")
    return out.detach().cpu().float()


def _probabilities(model, x):
    """[B, C] class probabilities: softmax of C >= 2 scores, or sigmoid of one score."""
    import torch

    with evaluating(model):
        out = _scores(model, x)
    if out.dim() == 1 or out.shape[1] == 1:
        p = torch.sigmoid(out.reshape(-1))
        return torch.stack([1 - p, p], 1)
    return torch.softmax(out, 1)


def _accuracy(model, points, labels) -> float:
    return float((_probabilities(model, points).argmax(1) == labels).float().mean())
