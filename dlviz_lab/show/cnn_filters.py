"""`show.filters`: a CNN's convolution filters and, for one image, that layer's feature maps.

The filters are the layer's own weights (float32, unchanged); the maps come from one forward
pass of the model on the image, caught by a hook (``dlviz_kernel.cnn.views.trace``).
Bounds: at most MAX_FILTERS filters of at most MAX_CHANNELS input channels, kernels of at most
MAX_KERNEL x MAX_KERNEL (0.9 MB), maps of at most MAX_MAP_SIDE x MAX_MAP_SIDE (float16, 2 MB)
and the image's first 3 channels, 256 x 256 at most: under 5 MB of base64 in the notebook.
"""

from __future__ import annotations

from typing import Any

from ._view import View, encode, evaluating, tensor_of

MAX_FILTERS = 64
MAX_CHANNELS = 16
MAX_KERNEL = 15
MAX_MAP_SIDE = 128


def filters(model, layer: str | int | None = None, image=None) -> View:
    """The filters of one ``nn.Conv2d`` of `model` (default: the first) and its maps for `image`.

    `layer` is the conv's name in ``model.named_modules()`` or its index among the convs.
    `image` is one picture [C, H, W] or [H, W] (a batch of one also works); the model runs on it
    in eval mode without gradients, and its own mode is restored.
    """
    from dlviz_kernel.cnn.views import conv_layers, to_model, trace

    convs = conv_layers(model) if hasattr(model, "named_modules") else []
    if not convs:
        raise ValueError(f"model ({type(model).__name__}) has no torch.nn.Conv2d layer")
    name, conv = _choose(convs, layer)
    weight = conv.weight.detach().cpu().float()
    out_channels, in_channels, kh, kw = (int(s) for s in weight.shape)
    if kh > MAX_KERNEL or kw > MAX_KERNEL:
        raise ValueError(f"layer {name!r} has {kh}x{kw} kernels; at most "
                         f"{MAX_KERNEL}x{MAX_KERNEL} can be shown")
    shown = weight[:MAX_FILTERS, :MAX_CHANNELS]
    payload: dict[str, Any] = {
        "view": "filters", "model": type(model).__name__, "layer": name,
        "layers": [n for n, _ in convs],
        "out_channels": out_channels, "in_channels": in_channels,
        "kernel_size": [kh, kw], "stride": list(conv.stride),
        "filters": encode(shown, "float32"),
        "filters_cut": out_channels > MAX_FILTERS or in_channels > MAX_CHANNELS,
        "image": None, "feature_maps": None, "maps_cut": False,
    }
    text = (f"dlviz-lab filters of {type(model).__name__} layer {name}: "
            f"{out_channels} filters of {in_channels}x{kh}x{kw}")
    if image is not None:
        x = _image(image)
        with evaluating(model):
            try:
                _, seen = trace(model, to_model(model, x.unsqueeze(0)))
            except (RuntimeError, ValueError, TypeError, IndexError) as error:
                raise ValueError(f"image: the model cannot read a picture shaped "
                                 f"{list(x.shape)}: {str(error).splitlines()[0]}") from None
        maps = next((out for n, _, out in seen if n == name), None)
        if maps is None:
            raise ValueError(f"layer {name!r} did not run on this image")
        maps = maps.detach()[0].cpu().float()
        cut = maps[:MAX_FILTERS, :MAX_MAP_SIDE, :MAX_MAP_SIDE]
        payload.update(image=encode(x[:3, :MAX_MAP_SIDE * 2, :MAX_MAP_SIDE * 2], "float16"),
                       feature_maps=encode(cut, "float16"),
                       maps_cut=tuple(cut.shape) != tuple(maps.shape))
        text += f"; feature maps {maps.shape[0]}x{maps.shape[1]}x{maps.shape[2]}"
    if payload["filters_cut"] or payload["maps_cut"]:
        text += f" (the first {MAX_FILTERS} shown)"
    return View(payload, text)


def _choose(convs: list, layer) -> tuple[str, Any]:
    names = [n for n, _ in convs]
    if layer is None:
        return convs[0]
    if isinstance(layer, int) and not isinstance(layer, bool):
        if not -len(convs) <= layer < len(convs):
            raise ValueError(f"layer must be between 0 and {len(convs) - 1} (the model has "
                             f"{len(convs)} conv layers), not {layer}")
        return convs[layer]
    if layer in names:
        return convs[names.index(layer)]
    raise ValueError(f"layer must be one of the conv layers {names}, not {layer!r}")


def _image(image):
    x = tensor_of(image, "image", (2, 3, 4)).float()
    if x.dim() == 4:
        if x.shape[0] != 1:
            raise ValueError(f"image must be one picture, not a batch of {x.shape[0]}")
        x = x[0]
    if x.dim() == 2:
        x = x.unsqueeze(0)
    if max(x.shape[1:]) > 4 * MAX_MAP_SIDE:
        raise ValueError(f"image must be at most {4 * MAX_MAP_SIDE} pixels on a side, "
                         f"not {list(x.shape[1:])}")
    return x
