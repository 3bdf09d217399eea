"""A generated shapes data set: squares, circles, triangles and lines on 16x16 pixels.

It is the same every time (a fixed seed), so runs on it are reproducible and comparable.
"""

from __future__ import annotations

import math

import torch

from . import ImageData

CLASSES = ["square", "circle", "triangle", "line"]
SIZE = 16
# Fixed, so the data set never depends on the training seed.
DATA_SEED = 20240611
NOISE = 0.05


def make_shapes(samples: int = 1000, size: int = SIZE) -> ImageData:
    """``samples`` images ``[samples, 1, size, size]`` in 0..1, classes cycling through CLASSES."""
    generator = torch.Generator().manual_seed(DATA_SEED)
    rows = torch.arange(size, dtype=torch.float32).view(size, 1).expand(size, size)
    cols = torch.arange(size, dtype=torch.float32).view(1, size).expand(size, size)
    images = torch.empty(samples, 1, size, size)
    labels = torch.arange(samples, dtype=torch.int64) % len(CLASSES)
    for i in range(samples):
        u = torch.rand(5, generator=generator).tolist()
        # Half-size between 3 and 6 pixels (scaled for other sizes), centre where it fits.
        radius = size * (0.19 + 0.18 * u[0])
        cy = radius + u[1] * (size - 1 - 2 * radius)
        cx = radius + u[2] * (size - 1 - 2 * radius)
        images[i, 0] = _draw(CLASSES[int(labels[i])], rows - cy, cols - cx, radius, u[3], u[4])
    images += NOISE * torch.randn(images.shape, generator=generator)
    return ImageData("shapes", images.clamp_(0.0, 1.0), labels, list(CLASSES), (0.0, 1.0))


def _draw(kind: str, dy: torch.Tensor, dx: torch.Tensor, radius: float, a: float,
          b: float) -> torch.Tensor:
    """One filled shape as a 0/1 image; ``dy``/``dx`` are offsets from its centre."""
    if kind == "square":
        mask = (dy.abs() <= radius * 0.8) & (dx.abs() <= radius * 0.8)
    elif kind == "circle":
        mask = dy.square() + dx.square() <= radius * radius
    elif kind == "triangle":
        # Apex on top: the half-width grows from 0 at the top to `radius` at the bottom.
        top = -radius
        depth = (dy - top) / (2 * radius)
        mask = (depth >= 0) & (depth <= 1) & (dx.abs() <= depth * radius)
    else:
        # A line through the centre at a random angle, about 1.5 pixels thick.
        angle = math.pi * a
        along = dx * math.cos(angle) + dy * math.sin(angle)
        across = -dx * math.sin(angle) + dy * math.cos(angle)
        mask = (across.abs() <= 0.75 + 0.25 * b) & (along.abs() <= radius * 1.2)
    return mask.to(torch.float32)
