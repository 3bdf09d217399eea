"""Token vectors on a flat picture: PCA per layer, with signs fixed so pictures do not flip."""

from __future__ import annotations

import torch


def pca_2d(points: torch.Tensor, reference: torch.Tensor | None = None
           ) -> tuple[torch.Tensor, list[float]]:
    """Project [N, D] points on their two main directions: coordinates [N, 2] and variance shares.

    Signs are fixed so pictures do not flip: each axis points the way ``reference`` (the
    previous layer's or epoch's coordinates) does, else toward its most extreme point.
    """
    centered = points.double() - points.double().mean(0, keepdim=True)
    u, s, _ = torch.linalg.svd(centered, full_matrices=False)
    coords = torch.zeros(points.shape[0], 2, dtype=torch.float64)
    k = min(2, s.shape[0])
    coords[:, :k] = u[:, :k] * s[:k]
    for c in range(2):
        if reference is not None:
            flip = float((coords[:, c] * reference[:, c].double()).sum()) < 0
        else:
            flip = float(coords[coords[:, c].abs().argmax(), c]) < 0
        if flip:
            coords[:, c] = -coords[:, c]
    total = float((s ** 2).sum())
    shares = [float(s[c] ** 2) / total if c < k and total > 0 else 0.0 for c in range(2)]
    return coords.float(), shares


def project_layers(states: list[torch.Tensor], previous: torch.Tensor | None = None
                   ) -> tuple[torch.Tensor, list[list[float]]]:
    """PCA of every layer's token vectors: [layers + 1, N, 2] and each layer's variance shares.

    Each layer is aligned with ``previous[layer]`` when given (the epoch before), else with
    the layer before it, so neither layers nor epochs flip.
    """
    coords, shares = [], []
    for index, points in enumerate(states):
        reference = previous[index] if previous is not None else (coords[-1] if coords else None)
        xy, share = pca_2d(points, reference)
        coords.append(xy)
        shares.append(share)
    return torch.stack(coords), shares
