"""The training loop every trainable task shares.

``fit`` trains a classifier on a train/validation split with SGD (momentum), Adam or
RMSprop, streams progress events a few times per second, keeps snapshots of the weights
within a byte budget (``snapshots``), collects the monitor's statistics, and stops cleanly
between two steps when the run is cancelled (a kernel interrupt), keeping the partial model.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from dataclasses import dataclass, fields
from typing import Any, Callable

import torch
from torch import nn

from .. import sizes
from ..tasks import RunContext, TaskError
from .monitor import GENERAL, Advice, Monitor, warnings
from .snapshots import Snapshots, plan, state_bytes

OPTIMIZERS = ("adam", "sgd", "rmsprop")
# Seconds between two progress events: a few per second keeps the engine's cost low.
PROGRESS_INTERVAL = 0.25
EVAL_BATCH = 1024


@dataclass
class TrainSettings:
    """The ``training`` parameters of a trainable task."""

    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.9
    batch_size: int = 32
    epochs: int = 10
    weight_decay: float = 0.0
    seed: int = 0

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TrainSettings:
        """Settings from the ``training`` object of a request (unknown keys ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names})


@dataclass
class Split:
    """A data set cut into training and validation parts; indices point into the whole set."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    train_index: torch.Tensor
    val_index: torch.Tensor


def split(x: torch.Tensor, y: torch.Tensor, validation_fraction: float, seed: int) -> Split:
    """Shuffle with ``seed`` and hold out ``validation_fraction`` of the samples for validation."""
    n = int(x.shape[0])
    n_val = max(1, round(n * validation_fraction))
    if n - n_val < 1:
        raise TaskError(f"With {n} samples nothing is left to train on; use more data or a "
                        "smaller validation fraction.", "data.validation_fraction")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val_index, train_index = order[:n_val].sort().values, order[n_val:].sort().values
    return Split(x[train_index], y[train_index], x[val_index], y[val_index],
                 train_index, val_index)


def make_optimizer(settings: TrainSettings, parameters) -> torch.optim.Optimizer:
    """The optimizer the settings name, with their learning rate and weight decay."""
    lr, decay = settings.learning_rate, settings.weight_decay
    if settings.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=settings.momentum, weight_decay=decay)
    if settings.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=decay)
    if settings.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, weight_decay=decay)
    raise TaskError(f"Optimizer must be one of {list(OPTIMIZERS)}.", "training.optimizer")


@dataclass
class Training:
    """What ``fit`` returns: the history per epoch, the monitor, snapshots and warnings."""

    history: dict[str, list]
    monitor: Monitor
    snapshots: Snapshots
    warnings: list[dict[str, Any]]
    steps: int
    seconds: float
    cancelled: bool = False
    stopped_early: str | None = None

    def monitor_data(self) -> dict[str, Any]:
        """Overfitting gaps, per-layer gradient norms, weight histograms, dead units; JSON-able."""
        h = self.history
        return {
            # Validation minus training loss, and training minus validation accuracy, per epoch.
            "loss_gap": [v - t for t, v in zip(h["train_loss"], h["validation_loss"])],
            "accuracy_gap": [None if t is None or v is None else t - v
                             for t, v in zip(h["train_accuracy"], h["validation_accuracy"])],
            "layers": self.monitor.layer_names,
            "gradient_norms": self.monitor.gradient_norms,
            "weight_histograms": self.monitor.histogram_data(),
            "activation_layers": [name for name, _ in self.monitor.activations],
            "dead_units": self.monitor.dead_units,
        }


class CancelRequest:
    """Turns a kernel interrupt (SIGINT) into a flag the loop checks between two steps.

    A second interrupt while the first is pending raises at once, in case a step hangs.
    Only installed in the main thread, over Python's default handler; elsewhere an
    interrupt raises KeyboardInterrupt wherever it lands, which the loop handles the same.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> CancelRequest:
        if threading.current_thread() is threading.main_thread():
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if a cancel was asked for."""
        if self.requested:
            raise KeyboardInterrupt


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinite floats replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def is_classification(y: torch.Tensor) -> bool:
    """Whether targets are class numbers (then accuracy is measured)."""
    return y.dim() == 1 and not y.is_floating_point()


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
             loss_fn: Callable | None = None) -> tuple[float, float | None]:
    """Mean loss and accuracy of ``model`` on ``x``, ``y`` (eval mode, no gradients).

    ``loss_fn(output, target, reduction=...)`` defaults to cross-entropy; the accuracy is
    None unless ``y`` holds class numbers.
    """
    loss_fn = loss_fn or nn.functional.cross_entropy
    classifying = is_classification(y)
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, int(x.shape[0]), EVAL_BATCH):
            out = model(x[start:start + EVAL_BATCH])
            target = y[start:start + EVAL_BATCH]
            total_loss += float(loss_fn(out, target, reduction="sum"))
            if classifying:
                correct += int((out.argmax(1) == target).sum())
    model.train(was_training)
    n = max(1, int(x.shape[0]))
    return total_loss / n, (correct / n if classifying else None)


# Outputs an epoch's tally holds before it counts them (a few MB): a step only appends.
FOLD_ELEMENTS = 1 << 20


class EpochTally:
    """One epoch's training loss and accuracy, summed without a tensor op per step.

    ``add`` keeps the step's detached loss (and outputs and targets when classifying); they
    are reduced together, a handful of tensor ops, when read (``loss``, ``accuracy``) or when
    the outputs held pass FOLD_ELEMENTS. Small networks take thousands of steps a second, and
    the tiny per-step additions and ``argmax`` of a running sum cost them up to a fifth of
    their time.
    """

    def __init__(self, classifying: bool) -> None:
        self.classifying = classifying
        self.seen = 0
        self._loss_sum = 0.0
        self._correct = 0
        self._losses: list[torch.Tensor] = []
        self._counts: list[int] = []
        self._outs: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []
        self._held = 0

    def add(self, loss: torch.Tensor, out: torch.Tensor, target: torch.Tensor,
            count: int) -> None:
        """One step: its mean loss over ``count`` samples, its outputs and targets."""
        self._losses.append(loss.detach())
        self._counts.append(count)
        self.seen += count
        if self.classifying:
            self._outs.append(out.detach())
            self._targets.append(target)
            self._held += out.numel()
            if self._held >= FOLD_ELEMENTS:
                self._fold()

    def _fold(self) -> None:
        if self._losses:
            losses = torch.stack(self._losses).reshape(len(self._losses), -1)[:, 0].double()
            counts = torch.tensor(self._counts, dtype=torch.float64)
            self._loss_sum += float(losses @ counts)
            self._losses, self._counts = [], []
        if self._outs:
            predicted = torch.cat(self._outs).argmax(1)
            self._correct += int((predicted == torch.cat(self._targets)).sum())
            self._outs, self._targets, self._held = [], [], 0

    def loss(self) -> float:
        """Mean training loss of the samples seen so far (NaN before any)."""
        self._fold()
        return self._loss_sum / self.seen if self.seen else math.nan

    def accuracy(self) -> float | None:
        """Share of the samples seen so far classified right; None unless classifying."""
        if not self.classifying:
            return None
        self._fold()
        return self._correct / self.seen if self.seen else None


def fit(model: nn.Module, data: Split, settings: TrainSettings, ctx: RunContext | None = None,
        on_cancel: Callable[[Training], None] | None = None,
        loss_fn: Callable | None = None, snapshot_bytes: int = 0,
        snapshot_budget: int | None = None, advice: Advice = GENERAL,
        progress_interval: float = PROGRESS_INTERVAL, histograms: bool = True) -> Training:
    """Train ``model`` and return its Training record.

    By default the model is a classifier returning logits and ``loss_fn`` is cross-entropy;
    pass ``loss_fn(output, target, reduction="mean"|"sum")`` for other tasks (accuracies are
    then None unless the targets are class numbers).

    Snapshots are planned before training (``snapshots.plan``): one kept epoch costs the
    bytes of the state dict plus ``snapshot_bytes`` (what the task's result carries per kept
    epoch); they fit ``snapshot_budget`` (default: ``ctx.snapshot_budget()``, half of the
    request's max_result_bytes).

    Progress events go through ``ctx.progress`` at most every ``progress_interval`` seconds
    (PROGRESS_INTERVAL unless a live view wants more) and after each epoch. On a cancel the
    partial model is kept (``ctx.keep_model``), ``on_cancel`` gets the partial record, and
    KeyboardInterrupt is raised again.
    ``advice`` words the warnings for the kind of network (``monitor.IMAGES``, ``SEQUENCES``).
    ``histograms=False`` skips the per-epoch weight histograms (a task whose result does not
    show them: a few tensor ops per layer and epoch, much for a tiny network's short epochs).
    Seed the model's initialisation yourself (``torch.manual_seed``) before building it;
    the shuffling here uses its own generator seeded from ``settings.seed``.
    """
    shuffle = torch.Generator().manual_seed(settings.seed + 1)
    # Dropout draws from the global generator: seed it so the run repeats exactly.
    torch.manual_seed(settings.seed)
    optimizer = make_optimizer(settings, [p for p in model.parameters() if p.requires_grad])
    loss_fn = loss_fn or nn.functional.cross_entropy
    classifying = is_classification(data.y_train)
    n = int(data.x_train.shape[0])
    batch = min(settings.batch_size, n)
    steps_per_epoch = math.ceil(n / batch)
    total = steps_per_epoch * settings.epochs
    monitor = Monitor(model, steps_per_epoch)
    sampled = monitor.sampled_steps()
    if snapshot_budget is None:
        snapshot_budget = (ctx.snapshot_budget() if ctx is not None
                           else sizes.DEFAULT_LIMITS["max_result_bytes"] // 2)
    snapshots = Snapshots(plan(settings.epochs, state_bytes(model), snapshot_bytes,
                               snapshot_budget))
    if histograms:
        monitor.record_histograms(model)
    snapshots.take(0, model)
    history: dict[str, list] = {"epoch": [], "train_loss": [], "train_accuracy": [],
                                "validation_loss": [], "validation_accuracy": [], "elapsed": []}
    record = Training(history, monitor, snapshots, [], 0, 0.0)
    classes = int(data.y_train.max()) + 1 if n and classifying else None
    start = last_report = time.perf_counter()
    step = 0

    def report(epoch: int, message: str, phase: str, train_loss: float,
               train_acc: float | None,
               val_loss: float | None, val_acc: float | None) -> None:
        if ctx is not None:
            numbers = json_safe({"train_loss": train_loss, "train_accuracy": train_acc,
                                 "validation_loss": val_loss, "validation_accuracy": val_acc})
            # snapshot_every lets a view of a cancelled run know which epochs were kept.
            ctx.progress(step, total, message, phase=phase, epoch=epoch,
                         epochs=settings.epochs, **numbers,
                         elapsed=round(time.perf_counter() - start, 3),
                         snapshot_every=snapshots.plan.every)

    with CancelRequest() as cancel:
        try:
            for epoch in range(1, settings.epochs + 1):
                model.train()
                order = torch.randperm(n, generator=shuffle)
                tally = EpochTally(classifying)
                for i in range(steps_per_epoch):
                    cancel.check()
                    index = order[i * batch:(i + 1) * batch]
                    xb, yb = data.x_train[index], data.y_train[index]
                    out = model(xb)
                    loss = loss_fn(out, yb)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    if i in sampled:
                        monitor.record_gradients()
                    optimizer.step()
                    step += 1
                    tally.add(loss, out, yb, len(index))
                    now = time.perf_counter()
                    if now - last_report >= progress_interval:
                        last_report = now
                        report(epoch, f"Epoch {epoch} of {settings.epochs}", "train",
                               tally.loss(), tally.accuracy(), None, None)
                cancel.check()
                train_loss, train_acc = tally.loss(), tally.accuracy()
                monitor.end_epoch()
                handles = monitor.watch_units()
                try:
                    val_loss, val_acc = evaluate(model, data.x_val, data.y_val, loss_fn)
                finally:
                    monitor.end_units(handles)
                history["epoch"].append(epoch)
                history["train_loss"].append(train_loss)
                history["train_accuracy"].append(train_acc)
                history["validation_loss"].append(val_loss)
                history["validation_accuracy"].append(val_acc)
                history["elapsed"].append(round(time.perf_counter() - start, 3))
                if histograms:
                    monitor.record_histograms(model)
                snapshots.take(epoch, model)
                record.steps = step
                last_report = time.perf_counter()
                report(epoch, f"Epoch {epoch} of {settings.epochs} done", "epoch",
                       train_loss, train_acc, val_loss, val_acc)
                if not math.isfinite(train_loss):
                    record.stopped_early = (f"The loss became infinite or NaN in epoch {epoch}; "
                                            "training stopped.")
                    break
            snapshots.finish()
        except KeyboardInterrupt:
            model.eval()
            snapshots.finish()
            record.cancelled = True
            record.steps = step
            record.seconds = time.perf_counter() - start
            record.warnings = warnings(history, monitor, classes, advice)
            if ctx is not None:
                ctx.keep_model(model)
            if on_cancel is not None:
                on_cancel(record)
            raise
    model.eval()
    record.seconds = time.perf_counter() - start
    record.warnings = warnings(history, monitor, classes, advice)
    return record
