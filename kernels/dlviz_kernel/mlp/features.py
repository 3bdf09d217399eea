"""The playground's input features: x1, x2 and five made from them.

A network that reads only x1 and x2 must build curves out of its hidden layers; given x1², x2²
it separates a circle with a single neuron. Each feature is computed from the two plotted
coordinates, for the training points and for every point of the picture alike.
"""

from __future__ import annotations

import torch

FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: torch.sin(a),
    "sin(x2)": lambda a, b: torch.sin(b),
}
NAMES = tuple(FEATURES)


def compute(points: torch.Tensor, names: list[str]) -> torch.Tensor:
    """[N, len(names)]: the named features of points [N, 2], in the order of ``NAMES``."""
    a, b = points[:, 0], points[:, 1]
    ordered = [n for n in NAMES if n in names]
    return torch.stack([FEATURES[n](a, b) for n in ordered], 1)


def ordered(names: list[str]) -> list[str]:
    """The selected features in the order the network reads them."""
    return [n for n in NAMES if n in names]
