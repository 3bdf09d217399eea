"""scikit-learn's bundled handwritten digits: 1,797 images of 8x8 pixels, classes 0-9, offline."""

from __future__ import annotations

import torch

from ..tasks import TaskError
from . import ImageData

# The bundled images hold ink levels 0..16; dividing maps them onto 0..1.
INK_LEVELS = 16.0

_cache: dict[str, ImageData] = {}


def load_digits() -> ImageData:
    """The digits as ``[1797, 1, 8, 8]`` float32 in 0..1, labels 0-9 (read once, then cached)."""
    if "digits" not in _cache:
        try:
            from sklearn.datasets import load_digits as sklearn_digits
        except ImportError:
            raise TaskError("The digits come with scikit-learn, which this kernel does not have. "
                            "Install scikit-learn or pick the shapes data.",
                            "data.source") from None
        bunch = sklearn_digits()
        x = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / INK_LEVELS
        y = torch.tensor(bunch.target, dtype=torch.int64)
        _cache["digits"] = ImageData("digits", x, y, [str(d) for d in range(10)], (0.0, 1.0))
    return _cache["digits"]
