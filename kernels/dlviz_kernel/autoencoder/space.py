"""The latent space in the picture: codes as 2-D points, and points back to codes.

A 2-D latent is drawn as it is. A larger one is projected on its first two principal axes
(fitted on the codes shown); the mapping travels with the points, so that a point under the
pointer maps back to a code: code = mean + x·axis₁ + y·axis₂ (the other directions at the mean).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .. import arrays


def project(codes: torch.Tensor) -> dict[str, Any]:
    """``{"method", "points" [N, 2], "mean" [D], "axes" [2, D]}`` for codes [N, D]."""
    dims = codes.shape[1]
    if dims <= 2:
        points = codes if dims == 2 else torch.cat([codes, torch.zeros_like(codes)], 1)
        return {"method": "identity", "points": arrays.encode(points, "float32"),
                "mean": [0.0] * dims, "axes": torch.eye(2, dims).tolist()}
    mean = codes.mean(0)
    centred = (codes - mean).double()
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    axes = v[:2].float()
    # a sign convention, so the picture does not flip between runs: largest entry positive
    signs = torch.sign(axes.gather(1, axes.abs().argmax(1, keepdim=True)))
    axes = axes * signs
    return {"method": "pca", "points": arrays.encode((codes - mean) @ axes.T, "float32"),
            "mean": mean.tolist(), "axes": axes.tolist()}


def to_codes(points: torch.Tensor, mean: list[float], axes: list[list[float]]) -> torch.Tensor:
    """Points [N, 2] of the picture back to codes [N, D]."""
    return torch.tensor(mean) + points @ torch.tensor(axes)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between codes a and b at fractions t [S] (linear if parallel)."""
    na, nb = a.norm(), b.norm()
    cos = float((a @ b) / (na * nb)) if na > 0 and nb > 0 else 1.0
    omega = math.acos(max(-1.0, min(1.0, cos)))
    if omega < 1e-6:
        return a + t[:, None] * (b - a)
    s = math.sin(omega)
    return (torch.sin((1 - t) * omega)[:, None] * a + torch.sin(t * omega)[:, None] * b) / s


def pca_fit(images: torch.Tensor, components: int):
    """scikit-learn's PCA with ``components`` components (at most what the images allow),
    fitted on ``images`` flattened, as the training run's baseline is."""
    from sklearn.decomposition import PCA

    flat = images.flatten(1).numpy()
    components = min(components, flat.shape[0], flat.shape[1])
    return PCA(components, random_state=0).fit(flat)
