"""What the training monitor shows: gradient norms, weight histograms, dead units, warnings.

Gradient norms are sampled on up to ``SAMPLES_PER_EPOCH`` steps spread over each epoch (every
step of a shorter one, one step in eight of a longer one, at least ``MIN_SAMPLES``) and
averaged, a few tensor ops per sample whatever the number of layers, so watching costs little;
dead units are counted while the validation set is evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

SAMPLES_PER_EPOCH = 8
MIN_SAMPLES = 4  # sampled steps of an epoch longer than SAMPLES_PER_EPOCH, at least
HISTOGRAM_BINS = 30
# Below this mean gradient norm a layer practically stops learning.
VANISHING_NORM = 1e-5
# Or when its gradients are this many times smaller than the largest layer's.
VANISHING_RATIO = 1e-4
EXPLODING_NORM = 1e3
EXPLODING_LOSS_FACTOR = 10.0
# Share of a layer's units that never fire before we warn.
DEAD_SHARE = 0.5
# Overfitting: validation loss this many times its best, or accuracy this much below its best.
OVERFIT_RISE = 1.5
OVERFIT_ACCURACY_DROP = 0.02
# Activations whose units can die: their output is exactly zero for every negative input.
DYING_ACTIVATIONS = (nn.ReLU, nn.ReLU6)


@dataclass(frozen=True)
class Advice:
    """The words of the warnings that depend on the kind of network: what it reads, what helps.

    ``fit(..., advice=...)`` picks them; ``GENERAL`` fits any network.
    """

    examples: str = "examples"
    exploding: str = "Lower the learning rate."
    vanishing: str = "Another activation (ReLU instead of sigmoid or tanh), normalisation " \
                     "layers or fewer layers help."
    dead: str = "A lower learning rate or LeakyReLU help."
    overfitting: str = "Stop earlier, add dropout or weight decay, or use more data."


GENERAL = Advice()
IMAGES = Advice(examples="images", exploding="Lower the learning rate or add batch norm.",
                vanishing="ReLU instead of sigmoid or tanh, batch norm, or fewer layers help.",
                dead="A lower learning rate, LeakyReLU or batch norm help.")
SEQUENCES = Advice(
    examples="sequences",
    exploding="Lower the learning rate or clip the gradients harder (a smaller gradient "
              "clipping value).",
    vanishing="An LSTM or GRU instead of a plain RNN, fewer layers or shorter sequences help.",
    dead="A lower learning rate or tanh instead of ReLU help.")


class Monitor:
    """Collects per-layer statistics of one model while the engine trains it."""

    def __init__(self, model: nn.Module, steps_per_epoch: int) -> None:
        # Layers are the modules that own parameters themselves (conv, linear, batch norm...).
        self.layers: list[tuple[str, list[torch.nn.Parameter]]] = []
        for name, module in model.named_modules():
            own = [p for p in module.parameters(recurse=False) if p.requires_grad]
            if own:
                self.layers.append((name or type(module).__name__, own))
        self.steps_per_epoch = steps_per_epoch
        self._params = [p for _, params in self.layers for p in params]
        self._owner = torch.tensor([i for i, (_, params) in enumerate(self.layers)
                                    for _ in params], dtype=torch.int64)
        self.activations = [(name, module) for name, module in model.named_modules()
                            if isinstance(module, DYING_ACTIVATIONS)]
        self.gradient_norms: list[list[float]] = []
        # Per epoch, per layer: the binned range (low, high; the 31 edges split it evenly) and
        # counts (int32 [30]); a tensor stays small in memory (a list of Python floats takes
        # ~8 times the bytes).
        self.histograms: list[list[tuple[tuple[float, float], torch.Tensor]]] = []
        self.dead_units: list[list[float]] = []
        # this epoch's samples, flat: one 0-d norm per parameter for each sampled step
        self._samples: list[torch.Tensor] = []
        self._fired: dict[str, torch.Tensor] = {}

    @property
    def layer_names(self) -> list[str]:
        """Names of the layers whose gradients and weights are watched."""
        return [name for name, _ in self.layers]

    def sampled_steps(self) -> frozenset[int]:
        """The steps of an epoch (0-based) whose gradients are sampled, evenly spread.

        Every step of an epoch of at most SAMPLES_PER_EPOCH steps; otherwise one step in
        eight, at least MIN_SAMPLES and at most SAMPLES_PER_EPOCH: a tiny network's step costs
        about as much as a sample, and sampling a third of its steps would slow it by a few
        percent for no better average.
        """
        steps = self.steps_per_epoch
        if steps <= SAMPLES_PER_EPOCH:
            return frozenset(range(steps))
        count = min(SAMPLES_PER_EPOCH, max(MIN_SAMPLES, steps // 8))
        return frozenset(i * steps // count for i in range(count))

    def due(self, step_in_epoch: int) -> bool:
        """Whether this step's gradients are sampled."""
        return step_in_epoch in self.sampled_steps()

    def record_gradients(self) -> None:
        """Keep the current gradient norm of every parameter for this epoch's layer means.

        One fused norm over every gradient per sample (no stacking: ``end_epoch`` stacks all
        of an epoch's samples at once and turns them into per-layer norms, the root of the
        summed squares of the layer's parameters, averaged). Gradients need no ``no_grad``
        here: they do not require grad themselves.
        """
        grads = [p.grad for p in self._params]
        have = [i for i, g in enumerate(grads) if g is not None]
        if len(have) == len(grads):
            self._samples.extend(_norms(grads))
            return
        # some parameters got no gradient this step: they count as 0
        norms = torch.zeros(len(grads))
        if have:
            norms[have] = torch.stack(_norms([grads[i] for i in have])).float().cpu()
        self._samples.extend(norms.unbind())

    def end_epoch(self) -> list[float]:
        """Close an epoch's gradient samples; returns the mean norm per layer."""
        means = [0.0] * len(self.layers)
        if self._samples:
            # [samples, params]: each sample added one norm per parameter
            norms = torch.stack(self._samples).double().cpu().view(-1, len(self._params))
            squares = torch.zeros(norms.shape[0], len(self.layers), dtype=torch.float64)
            squares.index_add_(1, self._owner, norms * norms)
            means = squares.sqrt().mean(0).tolist()
        self.gradient_norms.append(means)
        self._samples = []
        return means

    def record_histograms(self, model: nn.Module) -> None:
        """Histogram of every layer's weights (bias excluded when a weight exists)."""
        row = []
        with torch.no_grad():
            for _, params in self.layers:
                values = params[0].detach().flatten().float()
                low, high = (float(v) for v in torch.aminmax(values))
                if not (math.isfinite(low) and math.isfinite(high)):
                    # NaN or infinite weights (a run that blew up) cannot be binned.
                    values = values[torch.isfinite(values)]
                    if values.numel() == 0:
                        values = torch.zeros(1)
                    low, high = float(values.min()), float(values.max())
                if high <= low:
                    low, high = low - 0.5, high + 0.5
                counts = torch.histc(values, HISTOGRAM_BINS, low, high).to(torch.int32)
                row.append(((low, high), counts))
        self.histograms.append(row)

    def histogram_data(self) -> list[dict[str, Any]]:
        """Per layer: ``{"layer", "edges": [[31 floats] x epochs], "counts": [[30 ints] x ..]}``."""
        # Seven significant digits are all a float32 edge holds; shorter JSON for long runs.
        return [{"layer": name,
                 "edges": [_edges(*row[i][0]) for row in self.histograms],
                 "counts": [row[i][1].tolist() for row in self.histograms]}
                for i, name in enumerate(self.layer_names)]

    def watch_units(self) -> list[Any]:
        """Start counting which activation units fire; returns hook handles to remove."""
        self._fired = {}

        def hook_for(name):
            def hook(_module, _inputs, output):
                if not isinstance(output, torch.Tensor) or output.dim() < 2:
                    return
                # A unit is a feature (dim 1) over every sample and position.
                fired = (output > 0).transpose(0, 1).flatten(1).any(dim=1)
                seen = self._fired.get(name)
                self._fired[name] = fired if seen is None else (seen | fired)
            return hook

        return [module.register_forward_hook(hook_for(name)) for name, module in self.activations]

    def end_units(self, handles: list[Any]) -> list[float]:
        """Stop counting; returns the share of dead units per watched activation."""
        for handle in handles:
            handle.remove()
        shares = []
        for name, _ in self.activations:
            fired = self._fired.get(name)
            shares.append(0.0 if fired is None else float(1.0 - fired.float().mean()))
        self.dead_units.append(shares)
        return shares


def _edges(low: float, high: float) -> list[float]:
    """The HISTOGRAM_BINS + 1 bin edges of [low, high] as float32 gives them (7 digits)."""
    edges = torch.linspace(low, high, HISTOGRAM_BINS + 1).tolist()
    return [float(f"{v:.7g}") for v in edges]


def _norms(grads: list[torch.Tensor]) -> list[torch.Tensor] | tuple[torch.Tensor, ...]:
    """The 2-norm of each gradient (0-d tensors), in one fused op where the gradients allow it."""
    if any(g.is_sparse for g in grads):  # sparse embeddings: one norm at a time
        return [g.coalesce().values().norm() if g.is_sparse else g.norm() for g in grads]
    return torch._foreach_norm(grads)


def warnings(history: dict[str, list], monitor: Monitor, classes: int | None = None,
             advice: Advice = GENERAL) -> list[dict[str, Any]]:
    """Plain-language warnings about the gradients, dead units and overfitting of a run.

    ``advice`` holds the words that depend on the kind of network (images, sequences).
    """
    found: list[dict[str, Any]] = []
    names = monitor.layer_names
    for epoch, norms in enumerate(monitor.gradient_norms, start=1):
        if not norms:
            continue
        finite = [n for n in norms if math.isfinite(n)]
        largest = max(finite) if finite else float("inf")
        bad = [i for i, n in enumerate(norms) if not math.isfinite(n) or n > EXPLODING_NORM]
        if bad:
            layer = names[bad[0]]
            found.append({"kind": "exploding_gradients", "epoch": epoch, "layer": layer,
                          "message": f"Exploding gradients in epoch {epoch}: the gradients of "
                          f"{layer} are huge (norm {norms[bad[0]]:.3g}), so each step throws "
                          f"the weights far away. {advice.exploding}"})
            break
        small = min(range(len(norms)), key=lambda i: norms[i])
        if norms[small] < VANISHING_NORM or (largest > 0 and
                                             norms[small] / largest < VANISHING_RATIO):
            layer = names[small]
            found.append({"kind": "vanishing_gradients", "epoch": epoch, "layer": layer,
                          "message": f"Vanishing gradients in epoch {epoch}: the gradients "
                          f"reaching {layer} are tiny (norm {norms[small]:.2g}, the largest "
                          f"layer has {largest:.2g}), so that layer barely learns. "
                          f"{advice.vanishing}"})
            break
    losses = history.get("train_loss", [])
    # An untrained classifier starts near ln(classes); far above, the steps overshoot.
    huge = EXPLODING_LOSS_FACTOR * math.log(classes) if classes and classes > 1 else 25.0
    if any(not math.isfinite(v) for v in losses):
        epoch = next(i for i, v in enumerate(losses, start=1) if not math.isfinite(v))
        found.append({"kind": "exploding_gradients", "epoch": epoch, "layer": None,
                      "message": f"The training loss became infinite or NaN in epoch {epoch}, "
                      "so training stopped. The learning rate is probably too high."})
    elif any(v > huge for v in losses):
        epoch = next(i for i, v in enumerate(losses, start=1) if v > huge)
        found.append({"kind": "exploding_gradients", "epoch": epoch, "layer": None,
                      "message": f"The training loss is huge in epoch {epoch} "
                      f"({losses[epoch - 1]:.3g}; an untrained network starts near "
                      f"{huge / EXPLODING_LOSS_FACTOR:.2g}): each step throws the weights too "
                      "far. Lower the learning rate."})
    if monitor.dead_units:
        last = monitor.dead_units[-1]
        for (name, _), share in zip(monitor.activations, last):
            if share >= DEAD_SHARE:
                found.append({"kind": "dead_units", "epoch": len(monitor.dead_units),
                              "layer": name,
                              "message": f"{share:.0%} of the units of {name} never fire on "
                              f"any of the validation {advice.examples}: they are dead ReLU "
                              "units, output 0 whatever they see, and no longer learn. "
                              f"{advice.dead}"})
    found.extend(_overfitting(history, advice))
    return found


def _overfitting(history: dict[str, list], advice: Advice = GENERAL) -> list[dict[str, Any]]:
    """A warning when validation loss has risen for 2+ epochs while training loss kept falling."""
    val, train = history.get("validation_loss", []), history.get("train_loss", [])
    if len(val) < 3 or not all(math.isfinite(v) for v in val + train):
        return []
    best = min(range(len(val)), key=lambda i: val[i])
    accuracy = [a for a in history.get("validation_accuracy", []) if a is not None]
    # Small wobbles are noise: the rise must be clear in the loss or cost accuracy.
    clear = val[-1] >= OVERFIT_RISE * val[best] or (
        accuracy and max(accuracy) - accuracy[-1] >= OVERFIT_ACCURACY_DROP)
    if best <= len(val) - 3 and train[-1] < train[best] and clear:
        return [{"kind": "overfitting", "epoch": best + 1, "layer": None,
                 "message": f"Overfitting: validation loss was lowest after epoch {best + 1} "
                 f"and has risen since, while training loss kept falling. The model is "
                 f"memorising the training {advice.examples}. {advice.overfitting}"}]
    return []
