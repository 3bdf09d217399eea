"""Autoencoder networks: an encoder to a small latent code and a decoder back to the image.

``kind``: ``ae`` (a plain autoencoder), ``vae`` (the encoder gives a Gaussian, mean and log
variance per latent dimension; training samples from it and pays β·KL to keep it close to
N(0, I)), ``denoising`` (the encoder sees the image with noise added while training and must
give back the clean one). ``layout``: ``dense`` (fully connected) or ``conv`` (convolutions,
stride 2 down and transposed convolutions up).

The loss is measured per pixel so that every kind reads on the same scale: a batch's mean of
(Σ_pixels (x̂ - x)² + β·KL) / pixels, KL = ½ Σ_j (μ_j² + σ_j² - log σ_j² - 1).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from ..tasks import TaskError


class Autoencoder(nn.Module):
    """``encode`` (the code; for a VAE its mean), ``decode``, and ``forward`` (a reconstruction)."""

    def __init__(self, input_shape: list[int], latent: int, kind: str = "ae",
                 layout: str = "dense", hidden: int = 256, beta: float = 1.0,
                 noise: float = 0.0) -> None:
        super().__init__()
        self.input_shape = list(input_shape)
        self.latent, self.kind, self.layout = latent, kind, layout
        self.beta, self.noise = beta, noise
        channels, height, width = input_shape
        pixels = channels * height * width
        codes = 2 * latent if kind == "vae" else latent
        if layout == "conv":
            downs = 1 if max(height, width) <= 8 else 2
            if height % 2 ** downs or width % 2 ** downs:
                raise TaskError(f"A convolutional autoencoder needs images whose sides divide "
                                f"by {2 ** downs}; these are {height}x{width}. Use dense.",
                                "model.layout")
            small = (32, height // 2 ** downs, width // 2 ** downs)
            down: list[nn.Module] = [nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU()]
            up: list[nn.Module] = []
            width_in = 16
            for step in range(downs):
                down += [nn.Conv2d(width_in, 32, 3, stride=2, padding=1), nn.ReLU()]
                up += [nn.ConvTranspose2d(32, 32 if step < downs - 1 else 16, 4, stride=2,
                                          padding=1), nn.ReLU()]
                width_in = 32
            flat = math.prod(small)
            self.encoder = nn.Sequential(*down, nn.Flatten(), nn.Linear(flat, codes))
            self.decoder = nn.Sequential(nn.Linear(latent, flat), nn.ReLU(),
                                         nn.Unflatten(1, small), *up,
                                         nn.Conv2d(16, channels, 3, padding=1), nn.Sigmoid())
        else:
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden), nn.ReLU(),
                                         nn.Linear(hidden, hidden // 2), nn.ReLU(),
                                         nn.Linear(hidden // 2, codes))
            self.decoder = nn.Sequential(nn.Linear(latent, hidden // 2), nn.ReLU(),
                                         nn.Linear(hidden // 2, hidden), nn.ReLU(),
                                         nn.Linear(hidden, pixels), nn.Sigmoid(),
                                         nn.Unflatten(1, tuple(input_shape)))
        self.last_kl: torch.Tensor | None = None

    def gaussian(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log variance [B, latent] of a VAE's code (log variance 0 for other kinds)."""
        out = self.encoder(x)
        if self.kind != "vae":
            return out, torch.zeros_like(out)
        mean, log_var = out.chunk(2, dim=1)
        return mean, log_var.clamp(-20, 10)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.gaussian(x)[0]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind != "vae":
            if self.kind == "denoising" and self.training and self.noise:
                x = (x + self.noise * torch.randn_like(x)).clamp(0, 1)
            return self.decoder(self.encoder(x))
        mean, log_var = self.gaussian(x)
        self.last_kl = kl_divergence(mean, log_var)
        z = mean + torch.randn_like(mean) * (0.5 * log_var).exp() if self.training else mean
        return self.decode(z)


def kl_divergence(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) || N(0, I)) per sample [B], in closed form."""
    return 0.5 * (mean.square() + log_var.exp() - log_var - 1).sum(1)


def loss_for(model: Autoencoder) -> AutoencoderLoss:
    """The engine's loss (targets are the clean images): per pixel, reconstruction + β·KL."""
    return AutoencoderLoss(model)


class AutoencoderLoss:
    """``loss(output, target, reduction="mean"|"sum")``, per pixel: mean over images of
    (Σ_pixels (x̂ - x)² + β·KL) / pixels, i.e. the MSE plus β·KL / pixels.

    The MSE is one fused ``mse_loss`` (a plain autoencoder's training step pays nothing for
    the form). While a VAE trains, the two terms are summed over the epoch's images, so that
    ``epoch_terms()`` gives the training reconstruction error and KL apart.
    """

    def __init__(self, model: Autoencoder) -> None:
        self.model = model
        self.pixels = math.prod(model.input_shape)
        self._sums = torch.zeros(3, dtype=torch.float64)  # Σ MSE·n, Σ KL, n

    def __call__(self, out: torch.Tensor, target: torch.Tensor,
                 reduction: str = "mean") -> torch.Tensor:
        model = self.model
        kl = model.last_kl if model.kind == "vae" else None
        if reduction == "mean":
            loss = mse = nn.functional.mse_loss(out, target)
            if kl is not None:
                kl_mean = kl.mean()
                loss = mse + model.beta / self.pixels * kl_mean
                if model.training:
                    n = out.shape[0]
                    with torch.no_grad():
                        self._sums += torch.stack([mse * n, kl_mean * n, mse.new_tensor(n)])
            return loss
        loss = nn.functional.mse_loss(out, target, reduction="sum") / self.pixels
        if kl is not None:
            loss = loss + model.beta / self.pixels * kl.sum()
        return loss

    def epoch_terms(self) -> tuple[float | None, float | None]:
        """Mean per-pixel MSE and mean KL of the images trained on since the last call (a VAE's;
        None, None for other kinds or before any step), and start again."""
        mse_sum, kl_sum, n = self._sums.tolist()
        self._sums.zero_()
        if not n:
            return None, None
        return mse_sum / n, kl_sum / n


def summary(model: Autoencoder) -> dict[str, Any]:
    return {"kind": model.kind, "layout": model.layout, "latent": model.latent,
            "beta": model.beta if model.kind == "vae" else None,
            "noise": model.noise if model.kind == "denoising" else None,
            "input_shape": model.input_shape,
            "parameters": sum(p.numel() for p in model.parameters())}
