"""`show.latent_space`: where an encoder puts each input, as points on a plane.

Codes are ``encoder(X)`` (the first output of an encoder that returns several, such as a VAE's
mean and log-variance). Two dimensions are drawn as they are; more are projected on their first
two principal axes (``dlviz_kernel.autoencoder.space.project``, fitted on the codes shown), and
the output says so. With a decoder, a small grid of images decoded from points spread over the
plane. Bounds: at most MAX_POINTS points (float32), a decoded grid of at most MAX_GRID x MAX_GRID
images of at most MAX_SIDE x MAX_SIDE pixels (uint8): under 1 MB (measured 0.85 MB at the bounds).
"""

from __future__ import annotations

import math
from typing import Any

from ._view import View, bounded_int, encode, evaluating, model_device_dtype, tensor_of

MAX_POINTS = 5000
MAX_GRID = 12
MAX_SIDE = 64


def latent_space(encoder, X, y=None, decoder=None, grid: int = 8,
                 class_names: list[str] | None = None) -> View:
    """The codes of `X` (the first MAX_POINTS inputs) as 2-D points, coloured by `y` if given.

    With `decoder`, a `grid` x `grid` picture of what it makes of the points of the plane
    (between the 5th and 95th percentile of each axis).
    """
    import torch

    from dlviz_kernel.autoencoder.space import project, to_codes

    x = tensor_of(X, "X")
    if x.dim() < 2 or x.shape[0] < 2:
        raise ValueError(f"X must hold at least 2 inputs (a batch), not shape {list(x.shape)}")
    total = int(x.shape[0])
    x = x[:MAX_POINTS]
    labels = None
    if y is not None:
        labels = tensor_of(y, "y", (1,))
        if labels.shape[0] != total:
            raise ValueError(f"y must have one label per input: {total}, not {labels.shape[0]}")
        labels = labels[:MAX_POINTS].long()
        if int(labels.min()) < 0 or int(labels.max()) > 255:
            raise ValueError("y must hold class numbers between 0 and 255")
    codes = _run(encoder, x, "encoder").flatten(1)
    projection = project(codes)
    payload: dict[str, Any] = {
        "view": "latent_space", "model": type(encoder).__name__,
        "latent_dims": int(codes.shape[1]), "method": projection["method"],
        "points": projection["points"], "points_total": total,
        "labels": None if labels is None else encode(labels.to(torch.uint8), "uint8"),
        "class_names": None if class_names is None else [str(n)[:40] for n in class_names],
        "decoded": None,
    }
    how = "PCA of" if projection["method"] == "pca" else "the"
    text = (f"dlviz-lab latent space of {type(encoder).__name__}: {how} {codes.shape[1]}-D "
            f"codes of {x.shape[0]} inputs")
    if decoder is not None:
        grid = bounded_int(grid, "grid", 2, MAX_GRID)
        payload["decoded"] = _decoded(decoder, projection, x, grid, to_codes)
        text += f", {grid}x{grid} decoded images"
    return View(payload, text)


def _run(module, x, name: str):
    device, dtype = model_device_dtype(module)
    with evaluating(module):
        try:
            out = module(x.to(device=device, dtype=dtype if x.is_floating_point() else x.dtype))
        except (RuntimeError, ValueError, TypeError, IndexError) as error:
            raise ValueError(f"{name} cannot read inputs shaped {list(x.shape)}: "
                             f"{str(error).splitlines()[0]}") from None
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not hasattr(out, "detach") or out.dim() < 1 or out.shape[0] != x.shape[0]:
        raise ValueError(f"{name} must return one row per input")
    return out.detach().cpu().float()


def _decoded(decoder, projection: dict[str, Any], x, grid: int, to_codes) -> dict[str, Any]:
    import torch

    from dlviz_kernel import arrays

    points = torch.as_tensor(arrays.decode(projection["points"]).copy())
    low = torch.quantile(points, 0.05, dim=0)
    high = torch.quantile(points, 0.95, dim=0)
    xs = torch.linspace(float(low[0]), float(high[0]), grid)
    ys = torch.linspace(float(high[1]), float(low[1]), grid)  # top row: the largest y
    lattice = torch.stack([xs.repeat(grid), ys.repeat_interleave(grid)], 1)
    codes = to_codes(lattice, projection["mean"], projection["axes"])
    images = _run(decoder, codes, "decoder")
    images = _as_pictures(images, tuple(x.shape[1:]))
    return {"grid": grid, "x_range": [float(low[0]), float(high[0])],
            "y_range": [float(low[1]), float(high[1])],
            "images": encode(images, "uint8")}


def _as_pictures(images, input_shape: tuple):
    """Decoded outputs as grey pictures [K, H, W] (mean over channels), cut to MAX_SIDE."""
    n = images.shape[0]
    if images.dim() == 2:
        size = images.shape[1]
        if len(input_shape) >= 2 and math.prod(input_shape) == size:
            images = images.reshape(n, *input_shape)
        elif math.isqrt(size) ** 2 == size:
            images = images.reshape(n, math.isqrt(size), math.isqrt(size))
        else:
            raise ValueError(f"decoder outputs of {size} values cannot be drawn as pictures "
                             f"(give X shaped like the pictures)")
    if images.dim() == 4:
        images = images.mean(1)
    if images.dim() != 3:
        raise ValueError(f"decoder must return pictures, not shape {list(images.shape)}")
    return images[:, :MAX_SIDE, :MAX_SIDE]
