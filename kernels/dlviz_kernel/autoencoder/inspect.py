"""Task ``autoencoder.inspect``: walk the latent space of a run (any kept epoch) or of a notebook
encoder/decoder pair.

Actions: ``latent`` (codes of the validation images, coloured by class, a 2-D picture of them
and reconstructions), ``decode`` (codes to images: the view calls it as the pointer moves),
``encode`` (an image drawn or picked: its code, its Gaussian for a VAE, its reconstruction),
``interpolate`` (between two images: linear or spherical), ``grid`` (decoded images over a
regular grid of the picture's plane), ``compare`` (the network beside PCA of the same size,
fitted on the same training images: both errors and both reconstructions of the first images).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from .. import arrays
from ..data.notebook import lookup
from ..tasks import RunContext, TaskError, load_schema
from ..training import runs as kept_runs
from ..training.params import complete
from .space import pca_fit, project, slerp, to_codes

TASK = "autoencoder.inspect"


class Pair:
    """An encoder and a decoder, the images to show and their labels, whatever their source."""

    def __init__(self, encode, decode, x: torch.Tensor, y: list[int] | None, vae: bool,
                 latent: int) -> None:
        self.encode, self.decode, self.x, self.y = encode, decode, x, y
        self.vae, self.latent = vae, latent
        # the images PCA is fitted on (a run's training part; else the images shown), and how
        # a drawing (0 = background, 1 = ink) maps onto the data's pixel values
        self.train_x = x
        self.scale_drawing = lambda pixels: pixels.clamp(0, 1)

    def gaussian(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        with torch.no_grad():
            out = self.encode(x)
        if isinstance(out, (tuple, list)):  # a notebook VAE encoder: (mean, log variance)
            return out[0].flatten(1), out[1].flatten(1)
        return out.flatten(1), None


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    params = complete(load_schema(TASK), params)
    pair, epoch = source_of(params)
    action = params["action"]
    result = ACTIONS[action](pair, params)
    result.update(task=TASK, action=action, latent_size=pair.latent, vae=pair.vae,
                  source={"run": params["run"] or None,
                          "encoder": params["encoder"] or None, "epoch": epoch})
    return result


def source_of(params: dict[str, Any]) -> tuple[Pair, int | None]:
    if bool(params["run"]) == bool(params["encoder"]):
        raise TaskError("Choose either a training run or an encoder from your notebook (one "
                        "of the two).", "run")
    if params["run"]:
        trained = kept_runs.get(params["run"])
        if trained is None or trained.task != "autoencoder.train":
            raise TaskError(f"No autoencoder run {params['run']!r} is kept in this kernel. "
                            f"{kept_runs.why_missing(params['run'])}", "run")
        model, epoch = trained.model, None
        if params["epoch"] >= 0:
            epoch = params["epoch"]
            state = trained.training.snapshots.state(epoch)
            if state is None:
                raise TaskError(f"Epoch {epoch} is not kept for this run; kept epochs: "
                                f"{trained.training.snapshots.epochs}.", "epoch")
            model = copy.deepcopy(model)
            model.load_state_dict(state)
        model.eval()
        parts = trained.split
        vae = model.kind == "vae"
        # only a VAE has a σ: the others' codes are points (no log variance to report)
        pair = Pair(model.gaussian if vae else model.encode, model.decode, parts.x_val,
                    parts.y_val.tolist(), vae, model.latent)
        pair.train_x = parts.x_train
        if hasattr(trained.data, "scale_drawing"):
            pair.scale_drawing = trained.data.scale_drawing
        return pair, epoch
    encoder = _module(params["encoder"], "encoder")
    decoder = _module(params["decoder"], "decoder")
    x, y = _images(params)
    pair = Pair(encoder, decoder, x, y, False, 0)
    if len(x):
        mean, log_var = pair.gaussian(x[:1])
        pair.vae, pair.latent = log_var is not None, int(mean.shape[1])
    else:
        raise TaskError("Name the notebook variable holding images, so the encoder can be "
                        "measured.", "x")
    return pair, None


def _module(name: str, field: str) -> nn.Module:
    if not name:
        raise TaskError(f"Name the notebook variable holding the {field}.", field)
    value = lookup(name, field)
    if not isinstance(value, nn.Module):
        raise TaskError(f"{name} is a {type(value).__name__}, not a torch.nn.Module.", field)
    return value.eval()


def _images(params: dict[str, Any]) -> tuple[torch.Tensor, list[int] | None]:
    value = lookup(params["x"], "x") if params["x"] else None
    if value is None:
        return torch.zeros(0), None
    x = torch.as_tensor(value.detach().cpu() if isinstance(value, torch.Tensor) else value,
                        dtype=torch.float32)[:params["max_images"]]
    labels = None
    if params["y"]:
        labels = [int(v) for v in torch.as_tensor(lookup(params["y"], "y"))[:len(x)].tolist()]
    return x, labels


def _decode(pair: Pair, codes: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return pair.decode(codes.float())


def latent(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    mean, log_var = pair.gaussian(pair.x)
    shown = pair.x[:8]
    return {"codes": arrays.encode(mean, "float32"),
            "sigma": arrays.encode((0.5 * log_var).exp(), "float32")
            if log_var is not None else None,
            "labels": pair.y, "projection": project(mean),
            "images": arrays.encode(shown, "float32"),
            "reconstructions": arrays.encode(_decode(pair, mean[:8]), "float32")}


def decode(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    codes = torch.tensor(params["codes"], dtype=torch.float32)
    if codes.ndim != 2 or codes.shape[1] != pair.latent or not len(codes):
        raise TaskError(f"Each code needs {pair.latent} numbers.", "codes")
    return {"codes": codes.tolist(), "images": arrays.encode(_decode(pair, codes), "float32")}


def encode(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    if params["pixels"]:
        image = pair.scale_drawing(torch.tensor(params["pixels"], dtype=torch.float32))
        shape = tuple(pair.x.shape[1:])
        if image.numel() != int(torch.tensor(shape).prod()):
            raise TaskError(f"The drawing must have {'x'.join(map(str, shape[-2:]))} pixels.",
                            "pixels")
        image = image.reshape(1, *shape)
    else:
        index = params["index"]
        if index >= len(pair.x):
            raise TaskError(f"There are {len(pair.x)} images; pick one below that.", "index")
        image = pair.x[index:index + 1]
    mean, log_var = pair.gaussian(image)
    return {"code": mean[0].tolist(),
            "sigma": (0.5 * log_var).exp()[0].tolist() if log_var is not None else None,
            "image": arrays.encode(image[0], "float32"),
            "reconstruction": arrays.encode(_decode(pair, mean)[0], "float32")}


def interpolate(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    a, b = params["index"], params["index_b"]
    if max(a, b) >= len(pair.x):
        raise TaskError(f"There are {len(pair.x)} images; pick two below that.", "index_b")
    codes, _ = pair.gaussian(pair.x[[a, b]])
    t = torch.linspace(0, 1, params["steps"])
    path = (slerp(codes[0], codes[1], t) if params["path"] == "spherical"
            else codes[0] + t[:, None] * (codes[1] - codes[0]))
    return {"fractions": t.tolist(), "codes": path.tolist(),
            "images": arrays.encode(_decode(pair, path), "float32")}


def grid(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    mean, _ = pair.gaussian(pair.x)
    plane = project(mean)
    points = torch.as_tensor(arrays.decode(plane["points"]))
    size = params["size"]
    lo, hi = points.min(0).values, points.max(0).values
    xs, ys = torch.linspace(float(lo[0]), float(hi[0]), size), \
        torch.linspace(float(lo[1]), float(hi[1]), size)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    flat = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
    codes = to_codes(flat, plane["mean"], plane["axes"])
    images = _decode(pair, codes)
    return {"xs": xs.tolist(), "ys": ys.tolist(), "method": plane["method"],
            "images": arrays.encode(images.reshape(size, size, *images.shape[1:]), "float32")}


def compare(pair: Pair, params: dict[str, Any]) -> dict[str, Any]:
    """The network against PCA with as many components as the latent size, on the same images."""
    shown = min(params["samples"], len(pair.x))
    mean, _ = pair.gaussian(pair.x)
    network = _decode(pair, mean)
    pca = pca_fit(pair.train_x, pair.latent)
    flat = pair.x.flatten(1).numpy()
    back = torch.from_numpy(pca.inverse_transform(pca.transform(flat))).float()
    back = back.reshape(pair.x.shape)
    return {"components": int(pca.n_components_),
            "network_mse": float((network - pair.x).square().mean()),
            "pca_mse": float((back - pair.x).square().mean()),
            "explained_variance": float(pca.explained_variance_ratio_.sum()),
            "images": arrays.encode(pair.x[:shown], "float32"),
            "network": arrays.encode(network[:shown], "float32"),
            "pca": arrays.encode(back[:shown], "float32")}


ACTIONS = {"latent": latent, "decode": decode, "encode": encode, "interpolate": interpolate,
           "grid": grid, "compare": compare}
