"""Per-epoch snapshots of the weights, kept within a byte budget.

Before training, ``plan`` works out what one kept epoch costs: the bytes of the model's
state dict (held in the kernel) plus what the result carries for it (filters, feature
maps, attention, ...). It then keeps epoch 0, every k-th epoch and always the last finished
one, with the smallest k whose snapshots fit the budget. The latest finished epoch is held
as well until a later one replaces it, so a cancelled or stopped run still has its last
epoch. When not even epoch 0 and the last fit, only the last finished epoch is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .. import sizes


@dataclass
class SnapshotPlan:
    """Which epochs keep a snapshot: 0, every ``every``-th and the last (None: the last only)."""

    epochs: int
    every: int | None
    budget: int
    state_bytes: int
    result_bytes: int

    @property
    def epoch_bytes(self) -> int:
        """What one kept epoch costs: its weights in the kernel plus its share of the result."""
        return self.state_bytes + self.result_bytes

    def keeps(self, epoch: int) -> bool:
        """Whether ``epoch`` is kept for good when training runs to its end."""
        return epoch == self.epochs or (self.every is not None and epoch % self.every == 0)


def kept_epochs(epochs: int, every: int | None) -> list[int]:
    """Epochs 0, every, 2*every, ... and ``epochs`` (only ``epochs`` when ``every`` is None)."""
    if every is None:
        return [epochs]
    return sorted(set(range(0, epochs + 1, every)) | {epochs})


def plan(epochs: int, state_bytes: int, result_bytes: int, budget: int) -> SnapshotPlan:
    """The smallest k whose snapshots fit ``budget`` bytes (k > 1 also holds one spare state)."""
    per_epoch = state_bytes + result_bytes
    for every in range(1, epochs + 1):
        spare = state_bytes if every > 1 else 0
        if len(kept_epochs(epochs, every)) * per_epoch + spare <= budget:
            return SnapshotPlan(epochs, every, budget, state_bytes, result_bytes)
    return SnapshotPlan(epochs, None, budget, state_bytes, result_bytes)


def state_bytes(model: nn.Module) -> int:
    """Bytes of a copy of the model's state dict (what one snapshot holds in the kernel)."""
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


@dataclass
class Snapshots:
    """The weights after the kept epochs (epoch 0 = before training), for scrubbing views.

    ``epochs`` lists the kept epochs in order; ``state(epoch)`` gives the full state dict of
    a kept epoch and ``conv`` the Conv2d weights per layer, one per kept epoch (the same
    tensors as the states, not copies).
    """

    plan: SnapshotPlan | None = None
    epochs: list[int] = field(default_factory=list)
    states: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)
    # Conv layer name -> its weight's key in the state dict.
    conv_keys: dict[str, str] = field(default_factory=dict)
    # The latest finished epoch while it is not (yet) one to keep: (epoch, state).
    latest: tuple[int, dict[str, torch.Tensor]] | None = None

    def take(self, epoch: int, model: nn.Module) -> None:
        """Copy the model's weights as they are after ``epoch``, if the plan keeps them."""
        if not self.conv_keys:
            keys = model.state_dict().keys()
            self.conv_keys = {name: f"{name}.weight" for name, module in model.named_modules()
                              if isinstance(module, nn.Conv2d) and f"{name}.weight" in keys}
        spare = self.latest[1] if self.latest is not None else None
        self.latest = None
        state = _copy_state(model, spare)
        if self.plan is None or self.plan.keeps(epoch):
            self.epochs.append(epoch)
            self.states[epoch] = state
        else:
            self.latest = (epoch, state)

    def finish(self) -> None:
        """Keep the latest finished epoch too (training was cancelled or stopped early)."""
        if self.latest is not None:
            epoch, state = self.latest
            self.latest = None
            self.epochs.append(epoch)
            self.states[epoch] = state

    def state(self, epoch: int) -> dict[str, torch.Tensor] | None:
        """The full state dict after ``epoch``, or None when that epoch was not kept."""
        return self.states.get(epoch)

    @property
    def conv(self) -> dict[str, list[torch.Tensor]]:
        """Conv weights ``[out, in, kh, kw]`` per kept epoch, by layer name."""
        return {name: [self.states[e][key] for e in self.epochs]
                for name, key in self.conv_keys.items()}


def _copy_state(model: nn.Module, into: dict[str, torch.Tensor] | None) -> dict[str, torch.Tensor]:
    """A detached copy of the state dict, written into ``into``'s tensors when they fit."""
    state = model.state_dict()
    if into is not None and into.keys() == state.keys() and all(
            into[k].shape == v.shape and into[k].dtype == v.dtype for k, v in state.items()):
        with torch.no_grad():
            for key, value in state.items():
                into[key].copy_(value)
        return into
    return {k: v.detach().clone() for k, v in state.items()}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def kept_summary(snapshots: Snapshots, completed: int, result: dict) -> dict:
    """The result's ``kept`` key: which epochs the snapshots hold, their bytes, and why.

    ``message`` is plain language and set exactly when the budget left epochs out.
    """
    plan = snapshots.plan
    budget = plan.budget if plan is not None else 0
    every = plan.every if plan is not None else 1
    message = None
    if len(snapshots.epochs) < completed + 1 and plan is not None:
        limit = sizes.format_bytes(budget)
        if every is None:
            message = (f"To stay within {limit}, only the last epoch ({completed}) was kept: "
                       f"one epoch of this model takes {sizes.format_bytes(plan.epoch_bytes)} "
                       "(its weights plus what the views show). A smaller model keeps more "
                       "epochs.")
        else:
            message = (f"To stay within {limit}, snapshots were kept every {ordinal(every)} "
                       f"epoch and the last: {len(snapshots.epochs)} of {completed + 1} "
                       f"(epochs 0 to {completed}). Fewer epochs or a smaller model keep more.")
    return {"snapshot_epochs": list(snapshots.epochs), "every": every,
            "bytes": sizes.result_bytes(result), "budget_bytes": budget, "message": message}
