"""The CNN that the ``cnn.train`` form describes, and the shape checks made before building it."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch
from torch import nn

from ..tasks import TaskError

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}
POOLING = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}
# A form CNN larger than this would take too long on a course pod's CPU.
MAX_PARAMETERS = 5_000_000


def conv_output(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Height or width after a convolution (PyTorch's formula, rounding down)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def plan(input_shape: list[int], blocks: list[dict[str, Any]], dense: list[dict[str, Any]],
         classes: int) -> list[list[int]]:
    """The ``[channels, H, W]`` after every block; TaskError naming the block that breaks.

    Raised before anything is built or trained, with ``field`` ``blocks.<i>.kernel_size``
    (the convolution does not fit) or ``blocks.<i>.pooling`` (pooling does not fit).
    """
    channels, height, width = input_shape
    shapes = []
    for i, block in enumerate(blocks):
        k, s, p, d = (block["kernel_size"], block["stride"], block["padding"], block["dilation"])
        h, w = (conv_output(height, k, s, p, d), conv_output(width, k, s, p, d))
        if h < 1 or w < 1:
            span = d * (k - 1) + 1
            raise TaskError(
                f"Conv block {i + 1} would shrink the {height}x{width} image below 1 pixel: "
                f"its {k}x{k} kernel (dilation {d}) spans {span} pixels but only "
                f"{height + 2 * p}x{width + 2 * p} are there with padding {p}. Use a smaller "
                "kernel, more padding, or fewer blocks.", f"blocks.{i}.kernel_size")
        if block["pooling"] != "none":
            size = block["pool_size"]
            if h // size < 1 or w // size < 1:
                raise TaskError(
                    f"Conv block {i + 1}: {size}x{size} pooling would shrink its {h}x{w} "
                    "feature maps below 1 pixel. Turn pooling off in this block or remove "
                    "a block.", f"blocks.{i}.pooling")
            h, w = h // size, w // size
        channels, height, width = block["filters"], h, w
        shapes.append([channels, height, width])
    count = _count(input_shape[0], blocks, dense, classes, channels * height * width)
    if count > MAX_PARAMETERS:
        raise TaskError(f"This network would have {count:,} parameters, more than "
                        f"{MAX_PARAMETERS:,}: use fewer filters, more pooling or smaller dense "
                        "layers.", "blocks")
    return shapes


def _count(in_channels: int, blocks, dense, classes: int, flat: int) -> int:
    """Parameter count of the planned network (for the size limit)."""
    total, channels = 0, in_channels
    for block in blocks:
        total += block["filters"] * (channels * block["kernel_size"] ** 2 + 1)
        total += 2 * block["filters"] if block["batch_norm"] else 0
        channels = block["filters"]
    width = flat
    for layer in dense:
        total += layer["units"] * (width + 1)
        width = layer["units"]
    return total + classes * (width + 1)


class FormCNN(nn.Module):
    """A CNN of conv blocks (conv, batch norm, activation, pooling, dropout) then dense layers.

    Layer names follow the form: ``blocks.0.conv``, ``blocks.0.act``, ``dense.0.linear``,
    ``output``.
    """

    def __init__(self, input_shape: list[int], blocks: list[dict[str, Any]],
                 dense: list[dict[str, Any]], classes: int) -> None:
        super().__init__()
        shapes = plan(input_shape, blocks, dense, classes)
        channels = input_shape[0]
        stages = []
        for block in blocks:
            parts: OrderedDict[str, nn.Module] = OrderedDict()
            parts["conv"] = nn.Conv2d(channels, block["filters"], block["kernel_size"],
                                      stride=block["stride"], padding=block["padding"],
                                      dilation=block["dilation"])
            if block["batch_norm"]:
                parts["norm"] = nn.BatchNorm2d(block["filters"])
            parts["act"] = ACTIVATIONS[block["activation"]]()
            if block["pooling"] != "none":
                parts["pool"] = POOLING[block["pooling"]](block["pool_size"])
            if block["dropout"] > 0:
                parts["drop"] = nn.Dropout2d(block["dropout"])
            stages.append(nn.Sequential(parts))
            channels = block["filters"]
        self.blocks = nn.Sequential(*stages)
        self.flatten = nn.Flatten()
        width = shapes[-1][0] * shapes[-1][1] * shapes[-1][2]
        layers = []
        for layer in dense:
            parts = OrderedDict([("linear", nn.Linear(width, layer["units"])),
                                 ("act", ACTIVATIONS[layer["activation"]]())])
            if layer["dropout"] > 0:
                parts["drop"] = nn.Dropout(layer["dropout"])
            layers.append(nn.Sequential(parts))
            width = layer["units"]
        self.dense = nn.Sequential(*layers)
        self.output = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) for a batch of images ``[N, C, H, W]``."""
        return self.output(self.dense(self.flatten(self.blocks(x))))
