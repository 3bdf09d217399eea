"""Task ``rnn.train``: build an RNN, LSTM or GRU from the form, train it live, return its views.

Training goes through the shared engine (live curves, cancel, per-epoch snapshots). On top,
before training and after epochs 1, 2, 4, 8, ... and the last, the gradient of the loss with
respect to each hidden state ``h_t`` is measured on a fixed validation batch, which shows
vanishing or exploding gradients through time; models predicting a class at every step
report their per-step validation accuracy after every epoch (counted during the engine's own
validation pass), next-character models also bits per character.
"""

from __future__ import annotations

import contextlib
import copy
import math
from typing import Any, Callable

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from .. import arrays
from ..tasks import RunContext, TaskError, load_schema
from ..training import Split, Training, fit, split
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.monitor import SEQUENCES
from ..training.params import complete
from ..training.snapshots import kept_summary
from .data import IGNORE, SequenceData
from .data import load as load_data
from .model import SequenceNet, check_size, unroll

TASK = "rnn.train"
# Validation sequences on which the gradient per time step is measured (see measured_epoch).
PROBE = 16
# Largest working memory a run may need (activations kept for backward, evaluation logits):
# a course pod has 1-2 GB.
MAX_WORKING_BYTES = 768 * 2**20
EVAL_BATCH = 1024  # the engine's evaluation batch (training.engine.EVAL_BATCH)


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train the network the parameters describe; see rnn/train.result.schema.json."""
    from ..notebook import code_for

    params = complete(load_schema(TASK), params)
    spec = params["model"]
    if spec["bidirectional"] and predicts_every_step(params["data"]):
        raise_bidirectional()
    data = load_data(params["data"])
    if spec["bidirectional"] and data.per_step:
        raise_bidirectional()
    settings = TrainSettings.from_params(params["training"])
    check_memory(data, spec, settings.batch_size, params["data"]["validation_fraction"])
    parts = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    loss_fn = loss_for(data)
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TASK, params, model, data, parts, record),
                       ctx.max_kept_model_bytes())

    # The seed drives the start weights and dropout; the notebook's own random state is restored.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = build(data, spec)
        watch = EpochWatch(ctx, model, data, parts, loss_fn)
        sample = int(parts.val_index[0])
        with clipping(model, params["training"]["clip_norm"]):
            record = fit(model, parts, settings, watch, on_cancel=keep, loss_fn=watch.loss,
                         snapshot_bytes=snapshot_bytes(model, data), advice=SEQUENCES)
    keep(record)
    result = result_of(model, data, parts, record, watch, sample)
    result.update(run_id=ctx.run_id, task=TASK, params=params, code=code_for(TASK, params))
    result["kept"] = kept_summary(record.snapshots, result["epochs_completed"], result)
    return result


def predicts_every_step(spec: dict[str, Any]) -> bool:
    """Whether the data asks for a prediction at every step (known before loading it)."""
    return spec["source"] == "text" or (spec["source"] == "synthetic"
                                        and spec["synthetic"] in ("brackets", "copy"))


def raise_bidirectional() -> None:
    raise TaskError("This task predicts at every step (such as the next character), so the "
                    "network cannot be bidirectional: its backward direction would read the "
                    "answer before predicting it. Turn bidirectional off.",
                    "model.bidirectional")


def build(data: SequenceData, spec: dict[str, Any]) -> SequenceNet:
    """The SequenceNet for ``data`` (checked against MAX_PARAMETERS first)."""
    vocabulary = len(data.vocabulary) if data.vocabulary is not None else None
    inputs = spec["embedding_size"] if vocabulary else data.features
    check_size(spec["cell"], inputs, spec["hidden_size"], spec["layers"], spec["bidirectional"],
               data.outputs, vocabulary)
    return SequenceNet(spec["cell"], inputs, spec["hidden_size"], spec["layers"], data.outputs,
                       per_step=data.per_step, vocabulary=vocabulary,
                       bidirectional=spec["bidirectional"], dropout=spec["dropout"],
                       nonlinearity=spec["nonlinearity"],
                       open_forget=bool(spec.get("open_forget_gates", False)))


def check_memory(data: SequenceData, spec: dict[str, Any], batch_size: int,
                 validation_fraction: float) -> None:
    """Refuse settings whose training or evaluation would need more than MAX_WORKING_BYTES."""
    steps, hidden, outputs = data.steps, spec["hidden_size"], data.outputs
    directions = 2 if spec["bidirectional"] else 1
    batch = min(batch_size, int(data.x.shape[0]))
    # Per sample and step: about 6 numbers per unit kept for backward (gates, cell, state) in
    # each layer and direction, and the output logits three times (softmax, loss, gradient).
    train = 4 * batch * steps * (6 * hidden * spec["layers"] * directions + 3 * outputs)
    evaluation = min(EVAL_BATCH, max(1, round(int(data.x.shape[0]) * validation_fraction)))
    evaluate = 4 * evaluation * steps * (2 * hidden * directions + 3 * outputs)
    if max(train, evaluate) > MAX_WORKING_BYTES:
        field = "training.batch_size" if train >= evaluate else "data.sequence_length"
        raise TaskError(f"These settings would need about {max(train, evaluate) / 2**20:,.0f} "
                        f"MiB of memory while training, more than the "
                        f"{MAX_WORKING_BYTES // 2**20} MiB allowed: use a smaller batch size, "
                        "shorter sequences or a smaller hidden size.", field)


def loss_for(data: SequenceData) -> Callable[..., torch.Tensor]:
    """``loss(output, target, reduction)`` per sequence, then mean or summed over the batch.

    Classes: cross-entropy (per step: averaged over the steps that have a target, so for text
    it is nats per character). Values: mean squared error.
    """
    if data.classes is None:
        def squared(output: torch.Tensor, target: torch.Tensor,
                    reduction: str = "mean") -> torch.Tensor:
            per_sequence = (output - target).square().flatten(1).mean(1)
            return per_sequence.sum() if reduction == "sum" else per_sequence.mean()
        return squared
    if not data.per_step:
        return nn.functional.cross_entropy

    def per_step(output: torch.Tensor, target: torch.Tensor,
                 reduction: str = "mean") -> torch.Tensor:
        losses = nn.functional.cross_entropy(output.transpose(1, 2), target,
                                             ignore_index=IGNORE, reduction="none")
        counted = (target != IGNORE).sum(1).clamp(min=1)
        per_sequence = losses.sum(1) / counted
        return per_sequence.sum() if reduction == "sum" else per_sequence.mean()
    return per_step


def time_gradient_norms(model: SequenceNet, x: torch.Tensor, y: torch.Tensor,
                        loss_fn: Callable[..., torch.Tensor]) -> torch.Tensor:
    """``[layers, T]``: mean over the sequences of ||d loss / d h_t|| (both directions joined).

    The loss of each sequence is its own (summed over the batch), so a norm does not depend
    on the batch size. The model is replayed step by step in eval mode (``model.unroll``).
    """
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            output, states = unroll(model.rnn, model.inputs(x))
            loss = loss_fn(model.predict(output), y, reduction="sum")
            flat = [h for layer in states for direction in layer for h in direction]
            grads = torch.autograd.grad(loss, flat, allow_unused=True)
    finally:
        model.train(was_training)
    layers, directions, steps = len(states), len(states[0]), len(states[0][0])
    squares = torch.stack([torch.zeros(x.shape[0]) if g is None else g.double().square().sum(1)
                           for g in grads]).view(layers, directions, steps, -1)
    return squares.sum(1).sqrt().mean(-1).float()


def measured_epoch(epoch: int, epochs: int) -> bool:
    """Whether the gradient through time is measured after ``epoch``: 1, 2, 4, 8, ... and the last.

    Each measure replays the probe step by step (a Python loop over the steps); on a
    doubling schedule it costs a few percent of one epoch's training, spread over the run.
    """
    return epoch == epochs or (epoch > 0 and epoch & (epoch - 1) == 0)


class EpochWatch(RunContext):
    """The run's context, measuring the sequence extras whenever an epoch ends.

    The engine reports each finished epoch through ``progress`` (``phase="epoch"``); the
    extras of that epoch travel with that progress event, for the live monitor: the gradient
    per time step (on the measured epochs only, ``measured_epoch``), bits per character and
    per-step accuracy. Pass ``watch.loss`` to ``fit``: the per-step accuracy is counted
    while the engine computes the validation loss, so it costs no second pass.
    """

    def __init__(self, ctx: RunContext, model: SequenceNet, data: SequenceData, parts: Split,
                 loss_fn: Callable[..., torch.Tensor]) -> None:
        super().__init__(ctx.run_id, ctx.limits, ctx.publisher)
        self.model, self.data, self.parts, self.loss_fn = model, data, parts, loss_fn
        self.probe = (parts.x_val[:PROBE], parts.y_val[:PROBE])
        self.gradient_epochs = [0]
        self.time_gradients = [time_gradient_norms(model, *self.probe, loss_fn)]
        self.step_accuracy: list[float | None] = []
        self.counts_steps = data.per_step and data.classes is not None
        self.tally = [0, 0, 0]  # since the last epoch's end: right, counted steps, sequences

    def loss(self, output: torch.Tensor, target: torch.Tensor,
             reduction: str = "mean") -> torch.Tensor:
        """The task's loss; without gradients (the validation pass) it also counts right steps."""
        value = self.loss_fn(output, target, reduction=reduction)
        if self.counts_steps and not torch.is_grad_enabled():
            mask = target != IGNORE
            self.tally[0] += int((output.argmax(-1)[mask] == target[mask]).sum())
            self.tally[1] += int(mask.sum())
            self.tally[2] += int(target.shape[0])
        return value

    def progress(self, step: int, total: int, message: str, **numbers: Any) -> None:
        if numbers.get("phase") == "epoch":
            numbers.update(self.measure(numbers))
        super().progress(step, total, message, **numbers)

    def measure(self, numbers: dict[str, Any]) -> dict[str, Any]:
        """The extras of the epoch that just ended, as progress numbers."""
        extra: dict[str, Any] = {}
        epoch = int(numbers.get("epoch", len(self.step_accuracy) + 1))
        if measured_epoch(epoch, int(numbers.get("epochs", epoch))):
            norms = time_gradient_norms(self.model, *self.probe, self.loss_fn)
            self.gradient_epochs.append(epoch)
            self.time_gradients.append(norms)
            extra["time_gradient_norms"] = [[float(f"{v:.4g}") for v in row]
                                            for row in norms.tolist()]
        if self.counts_steps:
            right, counted, sequences = self.tally
            if sequences != int(self.parts.x_val.shape[0]):  # not one whole validation pass
                accuracy = step_accuracy(self.model, self.parts.x_val, self.parts.y_val)
            else:
                accuracy = right / counted if counted else None
            self.tally = [0, 0, 0]
            self.step_accuracy.append(accuracy)
            extra["validation_step_accuracy"] = accuracy
        if self.data.next_character:
            extra["train_bits_per_character"] = bits(numbers.get("train_loss"))
            extra["validation_bits_per_character"] = bits(numbers.get("validation_loss"))
        return json_safe(extra)


def bits(nats: float | None) -> float | None:
    """A loss in nats per character as bits per character."""
    return None if nats is None or not math.isfinite(nats) else nats / math.log(2)


def step_accuracy(model: SequenceNet, x: torch.Tensor, y: torch.Tensor) -> float | None:
    """Share of the steps with a target whose most likely class is right (eval mode)."""
    was_training = model.training
    model.eval()
    correct, counted = 0, 0
    with torch.no_grad():
        for start in range(0, int(x.shape[0]), EVAL_BATCH):
            target = y[start:start + EVAL_BATCH]
            guess = model(x[start:start + EVAL_BATCH]).argmax(-1)
            mask = target != IGNORE
            correct += int((guess[mask] == target[mask]).sum())
            counted += int(mask.sum())
    model.train(was_training)
    return correct / counted if counted else None


@contextlib.contextmanager
def clipping(model: nn.Module, max_norm: float):
    """Clip the total gradient norm of ``model`` to ``max_norm`` before each optimizer step.

    The engine's loop has no clipping of its own: a step pre-hook, for this model's
    optimizer only, does it. The monitor records the gradients before they are clipped.
    """
    if not max_norm:
        yield
        return
    params = [p for p in model.parameters() if p.requires_grad]
    ids = {id(p) for p in params}

    def hook(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        if any(id(p) in ids for group in optimizer.param_groups for p in group["params"]):
            nn.utils.clip_grad_norm_(params, max_norm)

    handle = register_optimizer_step_pre_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def snapshot_bytes(model: SequenceNet, data: SequenceData) -> int:
    """What the result carries per kept epoch: every layer's states and the outputs, float32."""
    rnn = model.rnn
    directions = 2 if rnn.bidirectional else 1
    states = rnn.num_layers * directions * data.steps * rnn.hidden_size
    return 4 * (states + data.steps * data.outputs)


def replay(model: SequenceNet, x: torch.Tensor,
           probabilities: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """For one sequence: states ``[L, D, T, H]`` and outputs ``[T, C]`` (``[1, C]``).

    Outputs are probabilities for classes, values otherwise. A one-prediction network that
    reads in one direction gives the prediction after each step (the prefix read so far).
    """
    with torch.no_grad():
        output, states = unroll(model.rnn, model.inputs(x.unsqueeze(0)))
        hidden = torch.stack([torch.stack([torch.cat(d, 0) for d in layer]) for layer in states])
        if model.per_step:
            logits = model.head(output)[0]
        elif not model.rnn.bidirectional:
            logits = model.head(output[0])
        else:
            logits = model.head(model.summary(output))
    outputs = torch.softmax(logits.float(), -1) if probabilities else logits.float()
    return hidden.float(), outputs


def snapshots_of(model: SequenceNet, data: SequenceData, sample: int,
                 record: Training) -> dict[str, Any]:
    """States and outputs of the sample after each kept epoch (0 = before training)."""
    snaps = record.snapshots
    hidden, outputs = [], []
    again = copy.deepcopy(model).eval()
    for epoch in snaps.epochs:
        again.load_state_dict(snaps.state(epoch))
        states, out = replay(again, data.x[sample], data.classes is not None)
        hidden.append(states)
        outputs.append(out)
    del again
    return {"epochs": list(snaps.epochs),
            "hidden": arrays.encode(torch.stack(hidden), "float32"),
            "outputs": arrays.encode(torch.stack(outputs), "float32"),
            "outputs_are": "probabilities" if data.classes is not None else "values"}


def sample_of(data: SequenceData, index: int) -> dict[str, Any]:
    """The validation sequence the snapshots replay: its input and target."""
    x, y = data.x[index], data.y[index]
    tokens = data.vocabulary is not None
    return {"index": index,
            "text": data.decode(x) if tokens else None,
            "tokens": x.tolist() if tokens else None,
            "features": None if tokens else arrays.encode(x, "float32"),
            "targets": y.tolist() if data.per_step and data.classes is not None else None,
            "label": int(y) if not data.per_step and data.classes is not None else None,
            "values": y.reshape(-1).tolist() if data.classes is None else None}


def model_summary(model: SequenceNet) -> dict[str, Any]:
    """The result's ``model``: its cell, shape and number of parameters."""
    rnn = model.rnn
    return {"cell": model.cell, "layers": rnn.num_layers, "hidden_size": rnn.hidden_size,
            "directions": 2 if rnn.bidirectional else 1, "per_step": model.per_step,
            "input_size": rnn.input_size, "outputs": model.head.out_features,
            "parameters": sum(p.numel() for p in model.parameters())}


def result_of(model: SequenceNet, data: SequenceData, parts: Split, record: Training,
              watch: EpochWatch, sample: int) -> dict[str, Any]:
    """The result of a training run (everything but its id, task, params, code and kept)."""
    h = record.history
    measured = [i for i, e in enumerate(watch.gradient_epochs) if e <= len(h["epoch"])]
    return json_safe({
        "dataset": {**data.describe(), "train_size": int(parts.train_index.shape[0]),
                    "validation_size": int(parts.val_index.shape[0])},
        "model": model_summary(model),
        "history": h,
        "epochs_completed": len(h["epoch"]),
        "stopped_early": record.stopped_early,
        "steps": record.steps,
        "seconds": round(record.seconds, 3),
        "monitor": record.monitor_data(),
        "warnings": record.warnings,
        "bits_per_character": {"train": [bits(v) for v in h["train_loss"]],
                               "validation": [bits(v) for v in h["validation_loss"]]}
        if data.next_character else None,
        "step_accuracy": watch.step_accuracy[:len(h["epoch"])]
        if data.per_step and data.classes is not None else None,
        "time_gradients": {"epochs": [watch.gradient_epochs[i] for i in measured],
                           "samples": int(watch.probe[0].shape[0]),
                           "norms": arrays.encode(torch.stack([watch.time_gradients[i]
                                                               for i in measured]), "float32")},
        "sample": sample_of(data, sample),
        "snapshots": snapshots_of(model, data, sample, record),
    })
