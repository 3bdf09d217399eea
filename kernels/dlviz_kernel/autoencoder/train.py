"""Task ``autoencoder.train``: an AE, VAE or denoising AE on images, trained live, beside PCA.

Targets are the images themselves. After every epoch the reconstruction error (per-pixel MSE)
and, for a VAE, the KL term travel with the progress event, apart, for live curves: on the
training images as they were trained on (``train_mse``, ``train_kl``) and on the validation
images without sampling (``validation_mse``, ``validation_kl``). A PCA with as many components
as the latent size is fitted on the same training images and measured on the same validation
images: the baseline the network must beat.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from .. import arrays
from ..data import ImageData
from ..data import load as load_data
from ..tasks import RunContext, load_schema
from ..training import Split, Training, fit, split
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.params import complete
from ..training.snapshots import kept_summary
from .model import Autoencoder, AutoencoderLoss, kl_divergence, loss_for, summary

TASK = "autoencoder.train"
SAMPLES = 8  # validation images whose reconstructions are kept per epoch


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train the autoencoder the parameters describe; see autoencoder/train.result.schema.json."""
    from ..notebook import code_for

    params = complete(load_schema(TASK), params)
    data = load_data(params["data"])
    settings = TrainSettings.from_params(params["training"])
    labelled = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    parts = targets_are_inputs(labelled)
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TASK, params, model, data, labelled,
                                                        record), ctx.max_kept_model_bytes())

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = build(data, params["model"])
        loss = loss_for(model)
        watch = ErrorWatch(ctx, model, parts.x_val, loss)
        pixels = int(np.prod(data.input_shape))
        record = fit(model, parts, settings, watch, on_cancel=keep, loss_fn=loss,
                     snapshot_bytes=4 * SAMPLES * pixels)
    keep(record)
    result = result_of(model, data, labelled, record, watch)
    result.update(run_id=ctx.run_id, task=TASK, params=params, code=code_for(TASK, params))
    result["kept"] = kept_summary(record.snapshots, result["epochs_completed"], result)
    return result


def build(data: ImageData, spec: dict[str, Any]) -> Autoencoder:
    return Autoencoder(data.input_shape, spec["latent"], spec["kind"], spec["layout"],
                       spec["hidden"], spec["beta"], spec["noise"])


def targets_are_inputs(parts: Split) -> Split:
    """The split the engine trains on: each image is its own target."""
    return Split(parts.x_train, parts.x_train, parts.x_val, parts.x_val, parts.train_index,
                 parts.val_index)


def errors(model: Autoencoder, x: torch.Tensor) -> tuple[float, float | None]:
    """Per-pixel mean squared reconstruction error on ``x`` (no sampling), and a VAE's mean KL."""
    was = model.training
    model.eval()
    with torch.no_grad():
        mse = float((model(x) - x).square().mean())
        kl = float(kl_divergence(*model.gaussian(x)).mean()) if model.kind == "vae" else None
    model.train(was)
    return mse, kl


class ErrorWatch(RunContext):
    """The run's context: each finished epoch's event carries the MSE and a VAE's KL, apart.

    ``train_mse``, ``train_kl``: means over the epoch's training images as they were trained on
    (a VAE's sampled codes, a denoising AE's noisy inputs); for an AE or a denoising AE the
    training loss is its MSE, so nothing more is computed. ``validation_mse``,
    ``validation_kl``: the validation images without sampling. KL: per image, before β.
    """

    def __init__(self, ctx: RunContext, model: Autoencoder, x_val: torch.Tensor,
                 loss: AutoencoderLoss | None = None) -> None:
        super().__init__(ctx.run_id, ctx.limits, ctx.publisher)
        self.model, self.x_val, self.loss = model, x_val, loss
        self.train_mse: list[float | None] = []
        self.train_kl: list[float | None] = []
        self.mse: list[float] = []
        self.kl: list[float | None] = []

    def progress(self, step: int, total: int, message: str, **numbers: Any) -> None:
        if numbers.get("phase") == "epoch":
            if self.model.kind == "vae" and self.loss is not None:
                train_mse, train_kl = self.loss.epoch_terms()
            else:
                train_mse, train_kl = numbers.get("train_loss"), None
            mse, kl = errors(self.model, self.x_val)
            self.train_mse.append(train_mse)
            self.train_kl.append(train_kl)
            self.mse.append(mse)
            self.kl.append(kl)
            numbers.update(train_mse=train_mse, train_kl=train_kl, validation_mse=mse,
                           validation_kl=kl)
        super().progress(step, total, message, **numbers)


def pca_baseline(parts: Split, components: int) -> dict[str, Any]:
    """PCA with ``components`` components, fitted on the training images, on the validation ones.

    The principal axes are the leading eigenvectors of the training images' covariance (float64,
    pixels x pixels: small whatever the number of images; scikit-learn's ``covariance_eigh``
    solver, without its set-up cost); a validation image is projected on them and back.
    """
    train = parts.x_train.flatten(1).double()
    val = parts.x_val.flatten(1).double()
    components = min(components, train.shape[0], train.shape[1])
    mean = train.mean(0)
    centred = train - mean
    variance, vectors = torch.linalg.eigh(centred.T @ centred)  # ascending
    axes = vectors[:, -components:].T
    back = (val - mean) @ axes.T @ axes + mean
    variance = variance.clamp(min=0)
    return {"components": int(components), "test_mse": float((back - val).square().mean()),
            "explained_variance": float(variance[-components:].sum() / variance.sum())}


def latent_codes(model: Autoencoder, x: torch.Tensor) -> dict[str, Any]:
    """Codes of ``x`` (a VAE's means and σ) and their 2-D picture (the code itself or its PCA)."""
    from .space import project

    model.eval()
    with torch.no_grad():
        mean, log_var = model.gaussian(x)
    return {"codes": arrays.encode(mean, "float32"),
            "sigma": arrays.encode((0.5 * log_var).exp(), "float32")
            if model.kind == "vae" else None,
            "projection": project(mean)}


def reconstructions(model: Autoencoder, x: torch.Tensor, record: Training) -> dict[str, Any]:
    """The first validation images and their reconstruction after each kept epoch."""
    snaps = record.snapshots
    again = copy.deepcopy(model).eval()
    out = []
    with torch.no_grad():
        for epoch in snaps.epochs:
            again.load_state_dict(snaps.state(epoch))
            out.append(again(x))
    return {"epochs": list(snaps.epochs), "images": arrays.encode(x, "float32"),
            "reconstructions": arrays.encode(torch.stack(out), "float32")}


def result_of(model: Autoencoder, data: ImageData, parts: Split, record: Training,
              watch: ErrorWatch) -> dict[str, Any]:
    h = record.history
    mse, kl = errors(model, parts.x_val)
    return json_safe({
        "dataset": {**data.describe(), "train_size": int(parts.train_index.shape[0]),
                    "validation_size": int(parts.val_index.shape[0])},
        "model": summary(model),
        "history": h,
        "epochs_completed": len(h["epoch"]),
        "stopped_early": record.stopped_early,
        "steps": record.steps,
        "seconds": round(record.seconds, 3),
        "warnings": record.warnings,
        "errors": {"train_mse": watch.train_mse[:len(h["epoch"])],
                   "train_kl": watch.train_kl[:len(h["epoch"])] if model.kind == "vae" else None,
                   "validation_mse": watch.mse[:len(h["epoch"])],
                   "validation_kl": watch.kl[:len(h["epoch"])] if model.kind == "vae" else None},
        "test_mse": mse,
        "test_kl": kl,
        "pca": pca_baseline(parts, model.latent),
        "latent": {**latent_codes(model, parts.x_val), "labels": parts.y_val.tolist()},
        "samples": reconstructions(model, parts.x_val[:SAMPLES], record),
    })
