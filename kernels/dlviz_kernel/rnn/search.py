"""The match search of ``rnn.units``: where else do the chosen units switch on together?

Many sequences are read in batches. The recurrent module's input is caught with a hook (the
model's embedding and whatever else comes before its RNN run as the model runs them), then a
copy of the module cut after the chosen layer gives that layer's hidden states in one fused
call. A match is a maximal run of steps in which at least half of the chosen units are on;
its score is the share of the chosen units on at every one of its steps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from ..data.notebook import lookup
from ..tasks import TaskError
from .data import UNKNOWN
from .probe import Parts

# Sequences read per batch at most, and numbers of hidden state per batch at most (16 MB of
# float32): together they bound the memory of one search.
CHUNK = 256
STATE_NUMBERS = 4 * 2**20
# Characters of context shown on each side of a match.
CONTEXT = 10


@dataclass
class Sequences:
    """The sequences to search, [N, T] token ids or [N, T, F] numbers, and their characters."""

    x: torch.Tensor
    vocabulary: list[str | None] | None


class _Caught(Exception):
    """Stops the model once its recurrent module's input has been caught."""


def searched_sequences(params: dict[str, Any], parts: Parts, data: Any,
                       count: int) -> Sequences | None:
    """The first ``count`` sequences of the run's data set or of the notebook variable named.

    None when there is nothing to search (a notebook model without a sequence variable, or a
    variable holding one sequence only).
    """
    from .inspect import _vocabulary

    tokens = parts.embedding is not None
    spec = params["input"]
    if data is not None:
        return Sequences(data.x[:count], list(data.vocabulary) if data.vocabulary else None)
    if not spec["variable"]:
        return None
    value = lookup(spec["variable"], "input.variable")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
    value = torch.as_tensor(value)
    if value.dim() != (2 if tokens else 3):
        return None
    value = value[:count].to(torch.int64 if tokens else torch.float32)
    vocabulary = _vocabulary(None, spec["vocabulary"]) if tokens and spec["vocabulary"] else None
    return Sequences(value, vocabulary)


def cut_after(rnn: nn.RNNBase, layers: int) -> nn.RNNBase:
    """A plain module of the same kind holding ``rnn``'s first ``layers`` layers (eval mode)."""
    options: dict[str, Any] = {"input_size": rnn.input_size, "hidden_size": rnn.hidden_size,
                               "num_layers": layers, "bias": rnn.bias,
                               "batch_first": rnn.batch_first,
                               "bidirectional": rnn.bidirectional}
    if rnn.mode == "LSTM":
        kind, options["proj_size"] = nn.LSTM, rnn.proj_size
    elif rnn.mode == "GRU":
        kind = nn.GRU
    else:
        kind, options["nonlinearity"] = nn.RNN, "tanh" if rnn.mode == "RNN_TANH" else "relu"
    first = next(rnn.parameters())
    cut = kind(**options).to(device=first.device, dtype=first.dtype)
    kept = {}
    for key, value in rnn.state_dict().items():
        found = re.search(r"_l(\d+)(_reverse)?$", key)
        if found and int(found.group(1)) < layers:
            kept[key] = value
    cut.load_state_dict(kept)
    return cut.eval()


def layer_states(model: nn.Module, parts: Parts, cut: nn.RNNBase, x: torch.Tensor,
                 direction: int, field: str) -> torch.Tensor:
    """Hidden states [B, T, H] of the cut module's top layer in one direction, for a batch."""
    rnn = parts.rnn
    first = next(rnn.parameters())
    batch = x if rnn.batch_first else x.transpose(0, 1)
    batch = batch.to(device=first.device,
                     dtype=first.dtype if batch.is_floating_point() else batch.dtype)
    seen: dict[str, Any] = {}

    def before(_module, args, kwargs):
        seen["input"] = args[0]
        seen["hx"] = args[1] if len(args) > 1 else kwargs.get("hx")
        raise _Caught

    handle = rnn.register_forward_pre_hook(before, with_kwargs=True)
    try:
        with torch.no_grad():
            model(batch)
    except _Caught:
        pass
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise TaskError(f"The model cannot read the sequences searched (a batch shaped "
                        f"{list(batch.shape)}): {str(error).splitlines()[0]}", field) from None
    finally:
        handle.remove()
    if "input" not in seen:
        raise TaskError("The model ran without using its recurrent module.", field)
    hx = seen["hx"]
    directions = 2 if rnn.bidirectional else 1
    keep = cut.num_layers * directions
    if isinstance(hx, tuple):
        hx = (hx[0][:keep], hx[1][:keep])
    elif hx is not None:
        hx = hx[:keep]
    with torch.no_grad():
        output, _ = cut(seen["input"], hx)
    if isinstance(output, PackedSequence):
        output, _ = pad_packed_sequence(output, batch_first=True)
    elif not rnn.batch_first:
        output = output.transpose(0, 1)
    size = output.shape[-1] // directions
    return output[..., direction * size:(direction + 1) * size].detach().float().cpu()


def find_matches(model: nn.Module, parts: Parts, sequences: Sequences | None, layer: int,
                 direction: int, units: list[int], threshold: float, count: int,
                 max_steps: int, own: tuple[int | None, int, int], field: str
                 ) -> dict[str, Any]:
    """The ``count`` best places where ``units`` are on together, and how much was searched.

    ``own`` (sequence index or None, start, end) is the query span: runs overlapping it are
    left out. Ranked by score, then length, then place.
    """
    if sequences is None or sequences.x.shape[0] == 0:
        return {"matches": [], "sequences": 0, "steps": 0}
    x = sequences.x[:, :max_steps]
    cut = cut_after(parts.rnn, layer + 1)
    need = max(1, math.ceil(len(units) / 2))
    chosen = torch.tensor(units)
    best: list[tuple[float, int, int, int, int]] = []
    rnn = parts.rnn
    width = (getattr(rnn, "proj_size", 0) or rnn.hidden_size) * (2 if rnn.bidirectional else 1)
    rows = max(1, min(CHUNK, STATE_NUMBERS // (int(x.shape[1]) * width)))
    was_training = model.training
    model.eval()
    try:
        for first in range(0, int(x.shape[0]), rows):
            states = layer_states(model, parts, cut, x[first:first + rows], direction, field)
            on = (states[..., chosen] >= threshold).numpy()
            best.extend(_runs(on, need, first, own))
            if len(best) > 20 * count:
                best = sorted(best)[:count]
    finally:
        model.train(was_training)
    best = sorted(best)[:count]
    steps = int(x.shape[1])
    matches = [{"index": index, "start": start, "end": end, "score": -score,
                "text": _text(x[index], start, end, sequences.vocabulary)}
               for score, _length, index, start, end in best]
    return {"matches": matches, "sequences": int(x.shape[0]), "steps": int(x.shape[0]) * steps}


def _runs(on: np.ndarray, need: int, offset: int, own: tuple[int | None, int, int]) -> list:
    """Sort keys (-score, -length, index, start, end) of the runs in one batch ``on`` [B, T, U]."""
    own_index, own_start, own_end = own
    units = on.shape[2]
    active = on.sum(axis=2) >= need
    padded = np.pad(active, ((0, 0), (1, 1)))
    changes = np.diff(padded.astype(np.int8), axis=1)
    found = []
    for row, start in zip(*np.nonzero(changes == 1)):
        end = start + int(np.argmax(changes[row, start:] == -1))
        index = offset + int(row)
        if index == own_index and start < own_end and end > own_start:
            continue
        score = int(on[row, start:end].all(axis=0).sum()) / units
        if score > 0:
            found.append((-score, -(end - start), index, int(start), int(end)))
    return found


def _text(ids: torch.Tensor, start: int, end: int,
          vocabulary: list[str | None] | None) -> str | None:
    """``…before[span]after…`` for a character model; None for numbers or unknown characters."""
    if vocabulary is None or ids.is_floating_point():
        return None

    def chars(a: int, b: int) -> str:
        return "".join(vocabulary[i] if 0 <= i < len(vocabulary) and vocabulary[i] is not None
                       else UNKNOWN for i in ids[a:b].tolist())

    left, right = max(0, start - CONTEXT), min(int(ids.shape[0]), end + CONTEXT)
    return (("…" if left > 0 else "") + chars(left, start) + "[" + chars(start, end) + "]"
            + chars(end, right) + ("…" if right < ids.shape[0] else ""))
