"""The playground's data: points in the plane with a class or a value.

Classification sets (two classes unless said): ``circle`` (a disc inside a ring), ``xor``
(the four quadrants, opposite ones alike), ``gauss`` (two round clouds), ``spiral`` (two arms
wound around each other), scikit-learn's ``moons`` and ``blobs`` (``classes`` clouds).
Regression sets: ``plane`` (a tilted plane) and ``multi-gauss`` (hills and valleys).
Points lie in the square [-6, 6]² (``RANGE``); ``noise`` (0-50 %) scatters them, so that
classes overlap and values blur. The same ``seed`` gives the same points.

``notebook``: an array, tensor or pandas DataFrame from the notebook, looked up by name. Two of
its columns are plotted (``columns``); the others stay in the data and are held at their mean
for the picture (``fixed``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..data.notebook import lookup
from ..tasks import TaskError

RANGE = 6.0  # points and pictures cover [-RANGE, RANGE] on both axes
RADIUS = 5.0  # the generated sets fill a disc or square of about this size
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons", "blobs")
REGRESSION = ("plane", "multi-gauss")
SOURCES = CLASSIFICATION + REGRESSION + ("notebook",)


@dataclass
class PlaneData:
    """Points ``x`` [N, 2] (or [N, F] from the notebook) and targets ``y``.

    ``y`` holds class numbers (int64) for classification, values (float32 [N]) for regression.
    ``columns`` are the names of the input columns; ``shown`` the two plotted (indices);
    ``fixed`` the value every other column takes in the picture.
    """

    x: torch.Tensor
    y: torch.Tensor
    name: str
    classes: int | None
    columns: list[str] = field(default_factory=lambda: ["x1", "x2"])
    shown: tuple[int, int] = (0, 1)
    fixed: list[float] = field(default_factory=list)
    ranges: list[list[float]] = field(default_factory=lambda: [[-RANGE, RANGE]] * 2)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "size": int(self.x.shape[0]), "classes": self.classes,
                "columns": self.columns, "shown": list(self.shown), "fixed": self.fixed,
                "ranges": self.ranges}


def load(spec: dict[str, Any], namespace: dict[str, Any] | None = None) -> PlaneData:
    """The data a request's ``data`` object asks for (see mlp/train.schema.json)."""
    source = spec["source"]
    if source == "notebook":
        return from_notebook(spec, namespace)
    rng = np.random.default_rng(spec["seed"])
    n, noise = spec["samples"], spec["noise"] / 100.0
    if source in REGRESSION:
        x, y = regression(source, n, noise, rng)
        return PlaneData(torch.from_numpy(x), torch.from_numpy(y), source, None)
    x, y = classification(source, n, noise, rng, spec["classes"])
    classes = int(y.max()) + 1
    return PlaneData(torch.from_numpy(x), torch.from_numpy(y), source, classes)


def classification(name: str, n: int, noise: float, rng: np.random.Generator,
                   classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points and their classes (int64), float32 points in [-RANGE, RANGE]²."""
    half = n // 2
    label = (np.arange(n) >= half).astype(np.int64)  # first half class 0, the rest class 1
    if name == "circle":
        # class 1 in a disc of radius R/2, class 0 in the ring between 0.7 R and R
        radius = np.where(label == 1, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1.0, n)) * RADIUS
        angle = rng.uniform(0, 2 * math.pi, n)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
        x += rng.uniform(-1, 1, (n, 2)) * noise * RADIUS
    elif name == "xor":
        x = rng.uniform(-RADIUS, RADIUS, (n, 2))
        x += np.sign(x) * 0.3  # keep points off the axes, where the class is undecided
        label = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
        x += rng.uniform(-1, 1, (n, 2)) * noise * RADIUS
    elif name == "gauss":
        centre = np.where(label[:, None] == 1, 2.0, -2.0)
        spread = 0.5 + 3.5 * noise  # 0.5 without noise, 4 at 100 %
        x = centre + rng.normal(0, spread, (n, 2))
    elif name == "spiral":
        arm = label.astype(np.float64)
        i = np.where(label == 1, np.arange(n) - half, np.arange(n))
        count = np.where(label == 1, n - half, half)
        r = i / count * RADIUS
        turn = 1.75 * 2 * math.pi * i / count + arm * math.pi
        x = np.stack([r * np.sin(turn), r * np.cos(turn)], 1)
        x += rng.uniform(-1, 1, (n, 2)) * noise * RADIUS
    elif name == "moons":
        from sklearn.datasets import make_moons
        x, label = make_moons(n, noise=0.05 + noise, random_state=int(rng.integers(2**31)))
        x = (x - [0.5, 0.25]) * 2.5  # centred, about [-4, 4] x [-2, 2]
    elif name == "blobs":
        from sklearn.datasets import make_blobs
        x, label = make_blobs(n, centers=classes, cluster_std=0.6 + 3 * noise,
                              center_box=(-4.5, 4.5), random_state=int(rng.integers(2**31)))
    else:
        raise TaskError(f"Unknown data set {name!r}.", "data.source")
    x = np.clip(x, -RANGE, RANGE)
    return x.astype(np.float32), np.asarray(label, dtype=np.int64)


def regression(name: str, n: int, noise: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points in [-R, R]² and their values in [-1, 1] (float32)."""
    x = rng.uniform(-RADIUS, RADIUS, (n, 2))
    if name == "plane":
        y = (x[:, 0] + x[:, 1]) / (2 * RADIUS)
    elif name == "multi-gauss":
        y = hills(x)
    else:
        raise TaskError(f"Unknown data set {name!r}.", "data.source")
    x = x + rng.uniform(-1, 1, (n, 2)) * noise * RADIUS  # the value stays the clean point's
    return np.clip(x, -RANGE, RANGE).astype(np.float32), np.clip(y, -1, 1).astype(np.float32)


# (centre x, centre y, sign): two hills and two valleys, one in each quadrant
HILLS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
         (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def hills(x: np.ndarray) -> np.ndarray:
    """The ``multi-gauss`` surface: the strongest hill or valley under each point."""
    values = np.stack([sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2.0)
                       for cx, cy, sign in HILLS], 1)
    strongest = np.abs(values).argmax(1)
    return values[np.arange(len(x)), strongest]


def from_notebook(spec: dict[str, Any], namespace: dict[str, Any] | None) -> PlaneData:
    """Points from the notebook: ``x`` an array [N, F] or a DataFrame; ``y`` an array or column."""
    table = lookup(spec["x"], "data.x", namespace)
    if spec["target"]:
        if not hasattr(table, "columns") or spec["target"] not in table.columns:
            raise TaskError(f"{spec['x']} has no column {spec['target']!r}.", "data.target")
        target = np.asarray(table[spec["target"]])
        table = table.drop(columns=[spec["target"]])
    else:
        target = np.asarray(_numpy(lookup(spec["y"], "data.y", namespace)))
    columns, values = _columns_of(table)
    if values.ndim != 2 or values.shape[1] < 1 or values.shape[0] < 4:
        raise TaskError(f"{spec['x']} must be a table of at least 4 rows and 1 column of "
                        "numbers.", "data.x")
    if target.shape[:1] != values.shape[:1]:
        raise TaskError(f"The targets have {target.shape[0] if target.ndim else 0} values for "
                        f"{values.shape[0]} rows.", "data.y")
    if values.shape[0] > 100_000 or values.shape[1] > 64:
        raise TaskError("The playground takes at most 100,000 rows and 64 columns.", "data.x")
    if not np.isfinite(values).all():
        raise TaskError(f"{spec['x']} holds NaN or infinite values.", "data.x")
    shown = _shown(spec["columns"], columns)
    classes = None
    if np.issubdtype(target.dtype, np.integer) or target.dtype == bool or target.dtype == object:
        names, codes = np.unique(target.astype(str) if target.dtype == object else target,
                                 return_inverse=True)
        classes = len(names)
        y = torch.from_numpy(codes.astype(np.int64))
    else:
        y = torch.from_numpy(target.astype(np.float32))
    x = torch.from_numpy(values.astype(np.float32))
    lo, hi = values.min(0), values.max(0)
    pad = np.maximum((hi - lo) * 0.05, 1e-3)
    return PlaneData(x, y, spec["x"], classes, columns, shown,
                     [float(v) for v in values.mean(0)],
                     [[float(lo[i] - pad[i]), float(hi[i] + pad[i])] for i in range(len(lo))])


def _numpy(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _columns_of(table: Any) -> tuple[list[str], np.ndarray]:
    """Column names and float values of a DataFrame, or of an array [N, F]."""
    if hasattr(table, "columns") and hasattr(table, "to_numpy"):
        numeric = table.select_dtypes(include=["number", "bool"])
        return [str(c) for c in numeric.columns], numeric.to_numpy(dtype=np.float64)
    values = _numpy(table)
    if values.ndim != 2:
        raise TaskError("The data must be a DataFrame or an array shaped [N, F].", "data.x")
    return [f"x{i + 1}" for i in range(values.shape[1])], values.astype(np.float64)


def _shown(wanted: list[str], columns: list[str]) -> tuple[int, int]:
    """The two columns plotted: the ones named, else the first two (one column: itself twice)."""
    if not wanted:
        return (0, 1 if len(columns) > 1 else 0)
    missing = [c for c in wanted if c not in columns]
    if missing or len(wanted) != 2:
        raise TaskError(f"Name two of the columns to plot ({', '.join(columns[:20])}).",
                        "data.columns")
    return (columns.index(wanted[0]), columns.index(wanted[1]))
