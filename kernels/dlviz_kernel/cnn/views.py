"""The data behind the CNN views, for any ``torch.nn.Module`` that uses ``nn.Conv2d`` layers.

Filters and feature maps per conv layer, the maps of every layer, prediction bars, saliency,
Grad-CAM, the confusion matrix, the model summary, and activation-occurrence and
class-selectivity maps per filter. Nothing here changes the model: its training/eval mode
is restored and no parameter gradient is left behind.
"""

from __future__ import annotations

import contextlib
from typing import Any

import torch
from torch import nn

from .. import arrays
from ..tasks import TaskError

# Modules that keep a conv's map shape and only rescale or bend each value.
_ELEMENTWISE = (nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU,
                nn.Tanh, nn.Sigmoid, nn.PReLU, nn.Hardtanh, nn.Softplus, nn.Mish, nn.SELU,
                nn.CELU)
SELECTIVITY_SAMPLES = 1000
BATCH = 256
# Filters whose response profiles are this similar (cosine) are flagged as redundant.
REDUNDANT_SIMILARITY = 0.95


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    """The model's ``nn.Conv2d`` layers with their names, in definition order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def to_model(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``x`` on the model's device, in its floating-point type (a notebook model may be double)."""
    first = next(model.parameters(), None)
    if first is None:
        return x
    dtype = first.dtype if first.is_floating_point() else x.dtype
    return x.to(device=first.device, dtype=dtype)


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """Eval mode for the duration, then the model's own mode again."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def trace(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, nn.Module,
                                                                              torch.Tensor]]]:
    """Run ``x`` through the model; return its output and every leaf module's first output."""
    seen: list[tuple[str, nn.Module, torch.Tensor]] = []
    names: set[str] = set()

    def hook_for(name):
        def hook(module, _inputs, output):
            if name not in names and isinstance(output, torch.Tensor):
                names.add(name)
                seen.append((name, module, output))
        return hook

    handles = [m.register_forward_hook(hook_for(name)) for name, m in model.named_modules()
               if not list(m.children())]
    try:
        output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return output, seen


def run_model(model: nn.Module, x: torch.Tensor, field: str = "model"):
    """``trace`` that turns a model failing on these images into a TaskError naming ``field``."""
    try:
        output, seen = trace(model, x)
    except (RuntimeError, ValueError, TypeError) as error:
        raise TaskError(f"The model cannot read images shaped {list(x.shape[1:])} "
                        f"(channels, height, width): {str(error).splitlines()[0]}", field) from None
    if not isinstance(output, torch.Tensor) or output.dim() != 2:
        raise TaskError("The model must return class scores shaped [batch, classes].", field)
    return output, seen


def responses(seen: list[tuple[str, nn.Module, torch.Tensor]]) -> dict[str, str]:
    """For each conv, the layer whose output says whether its filters fire.

    That is the last of the batch norm / activation layers that directly follow the conv and
    keep its shape (``blocks.0.act`` after ``blocks.0.conv`` and ``blocks.0.norm``); the conv
    itself when none follows (for example when the model calls ``F.relu``).
    """
    found = {}
    for i, (name, module, output) in enumerate(seen):
        if not isinstance(module, nn.Conv2d):
            continue
        chosen = name
        for later_name, later, later_output in seen[i + 1:]:
            if not isinstance(later, _ELEMENTWISE) or later_output.shape != output.shape:
                break
            chosen = later_name
        found[name] = chosen
    return found


def summary(model: nn.Module, input_shape: list[int]) -> dict[str, Any]:
    """Output shape and parameter count of every layer, for one image of ``input_shape``."""
    x = to_model(model, torch.zeros([1, *input_shape]))
    with evaluating(model), torch.no_grad():
        _, seen = run_model(model, x)
    modules = dict(model.named_modules())
    layers = [{"name": name, "type": type(module).__name__,
               "output_shape": list(output.shape[1:]),
               "parameters": int(sum(p.numel() for p in modules[name].parameters(recurse=False)))}
              for name, module, output in seen]
    return {"layers": layers,
            "total_parameters": int(sum(p.numel() for p in model.parameters()))}


def inspect(model: nn.Module, image: torch.Tensor, val_x: torch.Tensor, val_y: torch.Tensor,
            classes: list[str]) -> dict[str, Any]:
    """Every view's data for one input ``image`` [C, H, W] (see docs/protocol.md).

    ``val_x``/``val_y`` are the validation images and labels for the confusion matrix and the
    selectivity maps.
    """
    with evaluating(model):
        # A copy, so the data set's own tensor never gets requires_grad.
        x = to_model(model, image.unsqueeze(0)).clone().requires_grad_(True)
        output, seen = run_model(model, x)
        if output.shape[1] != len(classes):
            raise TaskError(f"The model gives {output.shape[1]} class scores but the data has "
                            f"{len(classes)} classes.", "model")
        probabilities = torch.softmax(output.detach()[0].float(), dim=0)
        predicted = int(probabilities.argmax())
        convs = [(name, module, out) for name, module, out in seen
                 if isinstance(module, nn.Conv2d)]
        targets = [x] + ([convs[-1][2]] if convs else [])
        gradients = torch.autograd.grad(output[0, predicted], targets, allow_unused=True)
        result = {
            "probabilities": arrays.encode(probabilities, "float32"),
            "predicted": predicted,
            "layers": [_conv_entry(name, module, out) for name, module, out in convs],
            "activations": [{"name": name, "type": type(module).__name__,
                             "maps": arrays.encode(out.detach()[0].float(), "float32")}
                            for name, module, out in seen if out.dim() == 4],
            "saliency": arrays.encode(_saliency(gradients[0]), "float32"),
            "grad_cam": _grad_cam(convs[-1], gradients[1], list(image.shape[1:]), predicted)
            if convs else None,
        }
        order = responses(seen)
        with torch.no_grad():
            result["confusion"] = confusion(model, val_x, val_y, len(classes))
            result["selectivity"] = selectivity(model, val_x, val_y, len(classes), order)
    result["summary"] = summary(model, list(image.shape))
    return result


def _conv_entry(name: str, module: nn.Conv2d, output: torch.Tensor) -> dict[str, Any]:
    """Filters and this input's feature maps of one conv layer, with its settings."""
    return {"name": name,
            "filters": arrays.encode(module.weight.detach().float(), "float32"),
            "feature_maps": arrays.encode(output.detach()[0].float(), "float32"),
            "kernel_size": list(module.kernel_size), "stride": list(module.stride),
            "padding": module.padding if isinstance(module.padding, str)
            else list(module.padding),
            "dilation": list(module.dilation)}


def _saliency(gradient: torch.Tensor | None) -> torch.Tensor:
    """|d score / d pixel|, the largest over the channels: [H, W]."""
    if gradient is None:
        raise TaskError("The model's output does not depend on its input image.", "model")
    return gradient.detach()[0].abs().amax(dim=0).float().cpu()


def _grad_cam(conv, gradient: torch.Tensor | None, size: list[int], target: int):
    """Grad-CAM on the last conv layer's output: channels weighted by their mean gradient."""
    name, _, output = conv
    maps = output.detach()[0].float()
    if gradient is None:
        cam = torch.zeros(maps.shape[1:])
    else:
        weights = gradient.detach()[0].float().mean(dim=(1, 2))
        cam = torch.relu((weights[:, None, None] * maps).sum(dim=0))
    peak = float(cam.max())
    cam = cam / peak if peak > 0 else cam
    upsampled = nn.functional.interpolate(cam[None, None], size=size, mode="bilinear",
                                          align_corners=False)[0, 0]
    return {"layer": name, "class": target, "map": arrays.encode(cam.cpu(), "float32"),
            "upsampled": arrays.encode(upsampled.cpu(), "float32")}


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Predicted class of every image (eval mode, batches, no gradients)."""
    found = []
    with evaluating(model), torch.no_grad():
        for start in range(0, int(x.shape[0]), BATCH):
            found.append(model(to_model(model, x[start:start + BATCH])).argmax(1).cpu())
    return torch.cat(found) if found else torch.zeros(0, dtype=torch.int64)


def confusion(model: nn.Module, x: torch.Tensor, y: torch.Tensor, classes: int) -> dict[str, Any]:
    """Confusion matrix on the validation set: rows are true classes, columns predictions."""
    predicted = predict(model, x)
    matrix = torch.bincount(y * classes + predicted, minlength=classes * classes)
    matrix = matrix.reshape(classes, classes)
    samples = int(y.shape[0])
    accuracy = float(matrix.diagonal().sum()) / samples if samples else 0.0
    return {"matrix": arrays.encode(matrix.to(torch.int32), "int32"), "accuracy": accuracy,
            "samples": samples}


def selectivity(model: nn.Module, x: torch.Tensor, y: torch.Tensor, classes: int,
                order: dict[str, str]) -> list[dict[str, Any]]:
    """Per conv filter: where it fires, for which classes, and which filters are alike.

    ``occurrence[f, i, j]`` is the share of images for which pixel (i, j) of filter f's
    response is positive; ``class_occurrence[f, k, i, j]`` the same among images of class k.
    """
    x, y = x[:SELECTIVITY_SAMPLES], y[:SELECTIVITY_SAMPLES]
    wanted = set(order.values())
    counts: dict[str, torch.Tensor] = {}
    for start in range(0, int(x.shape[0]), BATCH):
        labels = y[start:start + BATCH]
        _, seen = trace(model, to_model(model, x[start:start + BATCH]))
        one_hot = nn.functional.one_hot(labels, classes).to(torch.float32)
        for name, _, output in seen:
            if name in wanted:
                fired = (output.detach() > 0).to(torch.float32).cpu()
                # [N, K] x [N, F, h, w] -> [F, K, h, w]: firing counts per class
                add = torch.einsum("nk,nfhw->fkhw", one_hot, fired)
                counts[name] = add if name not in counts else counts[name] + add
    per_class = torch.bincount(y, minlength=classes).to(torch.float32)
    found = []
    for conv, response in order.items():
        if response not in counts:
            continue
        fired = counts[response]
        occurrence = fired.sum(dim=1) / max(1, int(y.shape[0]))
        by_class = fired / per_class.clamp(min=1)[None, :, None, None]
        found.append(_filter_relations(conv, response, occurrence, by_class, int(y.shape[0])))
    return found


def _filter_relations(conv: str, response: str, occurrence: torch.Tensor,
                      by_class: torch.Tensor, samples: int) -> dict[str, Any]:
    """Similarity order, dead and redundant flags for one layer's filters."""
    filters = int(occurrence.shape[0])
    profiles = by_class.reshape(filters, -1)
    norms = profiles.norm(dim=1, keepdim=True)
    unit = profiles / norms.clamp(min=1e-12)
    similarity = unit @ unit.T
    dead = [bool(occurrence[f].max() == 0) for f in range(filters)]
    # Greedy chain: start at the most active filter, always step to the most similar unused one.
    start = int(occurrence.reshape(filters, -1).mean(dim=1).argmax())
    chain, left = [start], set(range(filters)) - {start}
    while left:
        last = chain[-1]
        nearest = max(sorted(left), key=lambda f: float(similarity[last, f]))
        chain.append(nearest)
        left.discard(nearest)
    redundant: list[int | None] = []
    for f in range(filters):
        twin = next((g for g in range(f) if not dead[g] and not dead[f]
                     and float(similarity[f, g]) >= REDUNDANT_SIMILARITY), None)
        redundant.append(twin)
    return {"name": conv, "response_layer": response, "samples": samples,
            "occurrence": arrays.encode(occurrence, "uint8"),
            "class_occurrence": arrays.encode(by_class, "uint8"),
            "similarity": arrays.encode(similarity, "float32"),
            "order": chain, "dead": dead, "redundant_with": redundant}
