"""Run a recurrent model on one sequence and catch what its RNN/LSTM/GRU module saw and gave.

Works on any ``nn.Module`` holding an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (or on the bare
module): hooks on the recurrent module record its input, start states and outputs, and the
input is swapped for a leaf tensor so the gradient of a prediction with respect to every
step's input (the embedded characters or the features) can be taken (``memory``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ..tasks import TaskError

# Output units per backward pass when a bare recurrent module's Jacobian is measured.
JACOBIAN_CHUNK = 64


@dataclass
class Parts:
    """The pieces of a recurrent model: its RNN module, embedding and final linear layer."""

    rnn: nn.RNNBase
    rnn_name: str
    embedding: nn.Embedding | None
    head: nn.Linear | None
    bare: bool


def find_parts(model: Any, name: str, field: str) -> Parts:
    """The recurrent module of ``model`` (the first one), its embedding and last nn.Linear."""
    if not isinstance(model, nn.Module):
        raise TaskError(f"{name} is a {type(model).__name__}, not a torch.nn.Module.", field)
    if isinstance(model, nn.RNNBase):
        return Parts(model, "", None, None, True)
    named = list(model.named_modules())
    rnn = next(((n, m) for n, m in named if isinstance(m, nn.RNNBase)), None)
    if rnn is None:
        raise TaskError(f"{name} holds no nn.RNN, nn.LSTM or nn.GRU, so there is no hidden "
                        "state to show.", field)
    embedding = next((m for _, m in named if isinstance(m, nn.Embedding)), None)
    head = next((m for _, m in reversed(named) if isinstance(m, nn.Linear)), None)
    return Parts(rnn[1], rnn[0], embedding, head, False)


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """Eval mode (no dropout), gradients on, no cuDNN (no RNN backward in eval mode), then back."""
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            yield model
    finally:
        model.train(was_training)


def as_batch(model: nn.Module, parts: Parts, sequence: torch.Tensor) -> torch.Tensor:
    """One sequence as a batch of one, laid out like the RNN module reads it, on its device.

    Token ids stay integers; numbers take the model's floating-point type.
    """
    batch = sequence.unsqueeze(0 if parts.rnn.batch_first else 1)
    first = next(parts.rnn.parameters(), None)
    if first is None:
        return batch
    if batch.is_floating_point():
        return batch.to(device=first.device, dtype=first.dtype)
    return batch.to(device=first.device)


@dataclass
class Probe:
    """One run of the model: its output and, for one sequence, what the RNN module saw and gave.

    ``leaf`` is the tensor the module really read (requires grad when it holds numbers),
    ``rnn_input`` [T, F] its one sequence; ``output`` [T, D*H], ``h_n``/``c_n`` [L*D, H] the
    module's results; ``h0``/``c0`` its start states or None.
    """

    model_output: Any
    leaf: torch.Tensor
    rnn_input: torch.Tensor
    output: torch.Tensor
    h_n: torch.Tensor
    c_n: torch.Tensor | None
    h0: torch.Tensor | None
    c0: torch.Tensor | None
    batch_first: bool

    def gradient_norms(self, target: torch.Tensor) -> torch.Tensor:
        """|d target / d input at step s| for every step s: [T] (a scalar target)."""
        (gradient,) = torch.autograd.grad(target, self.leaf, retain_graph=True,
                                          allow_unused=True)
        if gradient is None:
            return torch.zeros(self.rnn_input.shape[0], dtype=torch.float64)
        return _one(gradient, self.batch_first).detach().double().norm(dim=-1).cpu()


def probe(model: nn.Module, parts: Parts, batch: torch.Tensor, field: str) -> Probe:
    """Run ``model`` on ``batch`` (a batch of one) with hooks on its recurrent module."""
    seen: dict[str, Any] = {}

    def before(_module, args, kwargs):
        if "input" in seen or not args:
            return None
        first = args[0]
        data = first.data if isinstance(first, PackedSequence) else first
        leaf = data.detach().requires_grad_(data.is_floating_point())
        seen["input"] = leaf
        seen["hx"] = args[1] if len(args) > 1 else kwargs.get("hx")
        swapped = first._replace(data=leaf) if isinstance(first, PackedSequence) else leaf
        return (swapped, *args[1:]), kwargs

    def after(_module, _args, _kwargs, output):
        seen.setdefault("output", output)

    handles = [parts.rnn.register_forward_pre_hook(before, with_kwargs=True),
               parts.rnn.register_forward_hook(after, with_kwargs=True)]
    try:
        model_output = model(batch)
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        shape = list(batch.shape)
        raise TaskError(f"The model cannot read this sequence (a batch shaped {shape}): "
                        f"{str(error).splitlines()[0]}", field) from None
    finally:
        for handle in handles:
            handle.remove()
    if "output" not in seen:
        raise TaskError("The model ran without using its recurrent module.", field)
    output, states = seen["output"]
    h_n, c_n = states if isinstance(states, tuple) else (states, None)
    h0, c0 = seen["hx"] if isinstance(seen["hx"], tuple) else (seen["hx"], None)
    batch_first = parts.rnn.batch_first
    return Probe(model_output, seen["input"], _one(seen["input"], batch_first),
                 _one(output, batch_first), _first_of(h_n), _first_of(c_n), _first_of(h0),
                 _first_of(c0), batch_first)


def _one(value: Any, batch_first: bool) -> torch.Tensor:
    """[T, F] of the first sequence of a (packed, batched or unbatched) RNN input or output."""
    if isinstance(value, PackedSequence):
        if int(value.batch_sizes[0]) != 1:
            value, _ = nn.utils.rnn.pad_packed_sequence(value, batch_first=True)
            return value[0]
        return value.data
    if value.dim() == 2:
        return value
    return value[0] if batch_first else value[:, 0]


def _first_of(states: torch.Tensor | None) -> torch.Tensor | None:
    """[L*D, H] of the first sequence of states shaped [L*D, B, H] (or already unbatched)."""
    if states is None:
        return None
    return states[:, 0] if states.dim() == 3 else states


def scores_of(model_output: Any, parts: Parts) -> tuple[str, torch.Tensor] | None:
    """The model's predictions for its one sequence: ("per_step", [T, C]) or ("last", [C]).

    None for a bare recurrent module (it has no output layer) or an output of another shape.
    """
    if parts.bare:
        return None
    out = model_output
    if isinstance(out, (tuple, list)):
        out = next((item for item in out if isinstance(item, torch.Tensor)), None)
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        return None
    if out.dim() == 3:
        return "per_step", out[0] if parts.rnn.batch_first else out[:, 0]
    if out.dim() == 2:
        return "last", out[0]
    if out.dim() == 1:
        return "last", out
    return None


def after_each_step(model: nn.Module, parts: Parts, batch: torch.Tensor, last: torch.Tensor
                    ) -> torch.Tensor:
    """A one-prediction model's scores after reading steps 0..t, for every t: [T, C].

    The model reads each beginning of the sequence on its own, so a bidirectional model's
    backward direction sees only what has been read so far. ``last`` is the whole sequence's.
    """
    time_dim = 1 if parts.rnn.batch_first else 0
    steps = int(batch.shape[time_dim])
    found = []
    with torch.no_grad():
        for n in range(1, steps):
            found_scores = scores_of(model(batch.narrow(time_dim, 0, n)), parts)
            found.append(found_scores[1].detach() if found_scores else last.detach())
    found.append(last.detach())
    return torch.stack(found)


def jacobian_norms(rnn: nn.RNNBase, rnn_input: torch.Tensor, h0: torch.Tensor | None,
                   c0: torch.Tensor | None, step: int) -> torch.Tensor:
    """Frobenius norm of d h_step / d x_s for every step s: [T] (the top layer's output h).

    For a bare recurrent module, which has no prediction of its own: each of the output's
    units is one row of the Jacobian; rows are taken in chunks, a batch of copies per chunk.
    """
    x = rnn_input.detach()
    steps = int(x.shape[0])
    width = (getattr(rnn, "proj_size", 0) or rnn.hidden_size) * (2 if rnn.bidirectional else 1)
    total = torch.zeros(steps, dtype=torch.float64)
    for start in range(0, width, JACOBIAN_CHUNK):
        rows = min(JACOBIAN_CHUNK, width - start)
        leaf = x.unsqueeze(0).repeat(rows, 1, 1).requires_grad_(True)
        hx = None
        if h0 is not None:
            h = h0.unsqueeze(1).expand(-1, rows, -1).contiguous()
            hx = (h, c0.unsqueeze(1).expand(-1, rows, -1).contiguous()) if c0 is not None else h
        out, _ = rnn(leaf if rnn.batch_first else leaf.transpose(0, 1), hx)
        out = out if rnn.batch_first else out.transpose(0, 1)
        picked = out[torch.arange(rows), step, start + torch.arange(rows)].sum()
        (gradient,) = torch.autograd.grad(picked, leaf)
        total += gradient.detach().double().pow(2).sum(dim=(0, 2)).cpu()
    return total.sqrt()
