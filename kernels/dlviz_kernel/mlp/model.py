"""The playground's network: dense layers, an activation per layer, dropout.

Two set-ups:
- ``pytorch``: PyTorch's default initialisation; classes come out as logits for cross-entropy;
- ``playground``: as TensorFlow Playground does it: weights drawn uniformly from [-0.5, 0.5],
  biases 0.1, one tanh output for two classes (-1 and 1) or a linear one for a value, and the
  squared error ½(output - target)² as the loss. Its lessons reproduce with it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..tasks import TaskError

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
               "linear": lambda x: x}


class PlaygroundNet(nn.Module):
    """``inputs`` features -> hidden layers -> outputs.

    ``forward`` gives class scores [B, C] for classification (the playground set-up's single
    tanh output z as [-z, z], so that argmax reads the class), values [B] for regression.
    """

    def __init__(self, inputs: int, hidden: list[dict[str, Any]], classes: int | None,
                 setup: str = "pytorch", dropout: float = 0.0) -> None:
        super().__init__()
        if setup == "playground" and classes is not None and classes > 2:
            raise TaskError("The playground set-up has one output: it takes two classes only. "
                            "Use the PyTorch set-up for more.", "model.setup")
        self.setup = setup
        self.classes = classes
        sizes = [inputs] + [layer["neurons"] for layer in hidden]
        self.activations = [layer["activation"] for layer in hidden]
        outputs = 1 if classes is None or setup == "playground" else classes
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:] + [outputs]))
        self.output_activation = "tanh" if setup == "playground" and classes else "linear"
        self.dropout = nn.Dropout(dropout) if dropout else None
        if setup == "playground":
            with torch.no_grad():
                for layer in self.layers:
                    layer.weight.uniform_(-0.5, 0.5)
                    layer.bias.fill_(0.1)

    def neurons(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every layer, hidden ones and the last (after its activation)."""
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            last = i == len(self.layers) - 1
            x = ACTIVATIONS[self.output_activation if last else self.activations[i]](x)
            outs.append(x)
            if not last and self.dropout is not None:
                x = self.dropout(x)
        return outs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.neurons(x)[-1]
        if self.classes is None:
            return out[:, 0]
        if self.setup == "playground":
            return torch.cat([-out, out], 1)
        return out

    def weights(self, digits: int = 5) -> list[dict[str, Any]]:
        """Every layer's weight [out, in] and bias [out] as lists, for drawing in the browser."""
        return [{"weight": _round(layer.weight, digits), "bias": _round(layer.bias, digits),
                 "activation": self.output_activation if i == len(self.layers) - 1
                 else self.activations[i]}
                for i, layer in enumerate(self.layers)]


def _round(t: torch.Tensor, digits: int) -> Any:
    return [float(f"{v:.{digits}g}") for v in t.detach().reshape(-1).tolist()] if t.dim() == 1 \
        else [[float(f"{v:.{digits}g}") for v in row] for row in t.detach().tolist()]


def loss_for(model: PlaygroundNet, regularization: str, rate: float):
    """The engine's loss: the set-up's loss plus, while training, L1 or L2 on the weights.

    L1 adds rate·Σ|w|, L2 adds rate·½·Σw² (biases are not regularised), so one plain SGD step
    moves each weight by an extra -lr·rate·sign(w) (L1) or -lr·rate·w (L2).
    """
    def loss(out: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        if model.classes is None:
            base = 0.5 * nn.functional.mse_loss(out, target.float(), reduction=reduction)
        elif model.setup == "playground":
            z = out[:, 1]
            base = 0.5 * nn.functional.mse_loss(z, target.float() * 2 - 1, reduction=reduction)
        else:
            base = nn.functional.cross_entropy(out, target, reduction=reduction)
        if reduction != "mean" or regularization == "none" or not rate:
            return base  # evaluation sums the data loss alone
        weights = [layer.weight for layer in model.layers]
        if regularization == "l1":
            return base + rate * sum(w.abs().sum() for w in weights)
        return base + rate * 0.5 * sum((w * w).sum() for w in weights)

    return loss
