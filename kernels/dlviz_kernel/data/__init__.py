"""Image data sets for training: scikit-learn's digits, generated shapes, notebook tensors.

Every loader returns an :class:`ImageData` with images ``x`` as float32 ``[N, C, H, W]``
and labels ``y`` as int64 ``[N]`` (0 .. classes-1). torch is imported here; scikit-learn
only when the digits are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ..tasks import TaskError

SOURCES = ("digits", "shapes", "notebook")


@dataclass
class ImageData:
    """Images, their labels and how to read them."""

    name: str
    x: torch.Tensor
    y: torch.Tensor
    classes: list[str]
    # The smallest and largest pixel value; a drawn input (0 = empty, 1 = ink) is mapped onto it.
    pixel_range: tuple[float, float] = (0.0, 1.0)

    @property
    def input_shape(self) -> list[int]:
        """``[channels, height, width]`` of one image."""
        return list(self.x.shape[1:])

    def describe(self) -> dict[str, Any]:
        """The JSON-able description that results carry."""
        return {"name": self.name, "classes": list(self.classes), "size": int(self.x.shape[0]),
                "input_shape": self.input_shape, "pixel_range": list(self.pixel_range)}

    def scale_drawing(self, pixels: torch.Tensor) -> torch.Tensor:
        """Map drawn pixels (0 = background, 1 = full ink) onto this data set's pixel values."""
        low, high = self.pixel_range
        return low + (high - low) * pixels.clamp(0.0, 1.0)


def load(spec: dict[str, Any], namespace: dict[str, Any] | None = None) -> ImageData:
    """Load the data set that the ``data`` parameter object describes.

    ``spec`` has ``source`` ("digits", "shapes" or "notebook"), ``samples`` (shapes only) and
    ``x`` / ``y`` (names of notebook variables, notebook only). ``namespace`` defaults to the
    IPython user namespace. Raises TaskError naming ``data.<field>`` when it cannot.
    """
    source = spec.get("source", "digits")
    if source == "digits":
        from .digits import load_digits

        return load_digits()
    if source == "shapes":
        from .shapes import make_shapes

        return make_shapes(int(spec.get("samples", 1000)))
    if source == "notebook":
        from .notebook import from_namespace

        return from_namespace(spec.get("x", ""), spec.get("y", ""), namespace)
    raise TaskError(f"Data must be one of {list(SOURCES)}.", "data.source")
