"""Task ``rnn.units``: the units on across a span of steps, and where else they switch on.

LSTMVis's "select a span, find the units, find the matches": in one layer and direction, the
units whose hidden value is at least ``threshold`` at every step of the span (optionally below
it just before and just after), then the places in the data set (or the notebook's sequence
variable) where those units are on together (``search.find_matches``).
"""

from __future__ import annotations

from typing import Any

import torch

from ..tasks import RunContext, TaskError, load_schema
from ..training.params import complete
from . import gates
from .inspect import TOLERANCE, _source, choose_input
from .probe import as_batch, evaluating, find_parts, probe
from .search import find_matches, searched_sequences

TASK = "rnn.units"


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The units on across the span and their matches; see rnn/units.result.schema.json."""
    params = complete(load_schema(TASK), params)
    model, trained, epoch, field = _source(params)
    data = trained.data if trained is not None else None
    name = params["model"] or f"The model of run {params['run']!r}"
    parts = find_parts(model, name, field)
    layer, direction = check_layer(parts.rnn, params["layer"], params["direction"])
    sequence, shown = choose_input(params["input"], parts, data)
    sequence = sequence[:params["max_steps"]]
    start, end = check_span(params["start"], params["end"], int(sequence.shape[0]))
    reading = field if shown["source"] == "data" else f"input.{shown['source']}"
    hidden = states_of(model, parts, sequence, layer, direction, field, reading)
    threshold, off_outside = float(params["threshold"]), bool(params["off_outside"])
    units, means = units_on(hidden, start, end, threshold, off_outside)
    found = {"matches": [], "sequences": 0, "steps": 0}
    if units:
        sequences = searched_sequences(params, parts, data, params["search"])
        # The query's own span is no match; it lies in the searched set when read from it.
        own = params["input"]["index"] if shown["index"] is not None else None
        found = find_matches(model, parts, sequences, layer, direction, units, threshold,
                             params["matches"], params["max_steps"], (own, start, end), field)
    return {
        "task": TASK,
        "source": {"run": params["run"] or None, "model": params["model"] or None,
                   "epoch": epoch},
        "layer": layer, "direction": direction, "start": start, "end": end,
        "threshold": threshold, "off_outside": off_outside,
        "units": units, "unit_means": means,
        "matches": found["matches"],
        "searched": {"sequences": found["sequences"], "steps": found["steps"]},
    }


def check_layer(rnn: torch.nn.RNNBase, layer: int, direction: int) -> tuple[int, int]:
    """The layer and direction, refused (naming the field) when the network has no such one."""
    if layer >= rnn.num_layers:
        raise TaskError(f"This network has {rnn.num_layers} layer(s) (0 to "
                        f"{rnn.num_layers - 1}).", "layer")
    if direction == 1 and not rnn.bidirectional:
        raise TaskError("This network reads in one direction only (forward): choose the "
                        "forward direction.", "direction")
    return layer, direction


def check_span(start: int, end: int, steps: int) -> tuple[int, int]:
    """The span [start, end) inside a sequence of ``steps`` steps, or a TaskError."""
    if end <= start:
        raise TaskError(f"The span must end after it starts (start {start}, end {end}).", "end")
    if end > steps:
        raise TaskError(f"The sequence has {steps} steps (0 to {steps - 1}), so the span can "
                        f"end at {steps} at most.", "end")
    return start, end


def states_of(model: torch.nn.Module, parts: Any, sequence: torch.Tensor, layer: int,
              direction: int, field: str, reading: str) -> torch.Tensor:
    """Hidden states [T, H] (float64) of one layer and direction, replayed as rnn.inspect does.

    The replay is checked against the module's own outputs, as in rnn.inspect.
    """
    if int(sequence.shape[0]) < 1:
        raise TaskError("The sequence is empty: give at least one step.", "input")
    with evaluating(model):
        seen = probe(model, parts, as_batch(model, parts, sequence), reading)
        found = gates.replay(parts.rnn, seen.rnn_input, seen.h0, seen.c0)
        worst = gates.difference(found, seen.output, seen.h_n, seen.c_n)
    if worst > TOLERANCE:
        raise TaskError(f"The hidden states recomputed from the weights differ from the "
                        f"network's own outputs by {worst:.2g} (more than {TOLERANCE:g}).", field)
    wanted = "backward" if direction else "forward"
    entry = next(e for e in found.layers if e["layer"] == layer and e["direction"] == wanted)
    return entry["hidden"]


def units_on(hidden: torch.Tensor, start: int, end: int, threshold: float,
             off_outside: bool) -> tuple[list[int], list[float]]:
    """Units at or above ``threshold`` at every step of [start, end), by mean value, high first.

    With ``off_outside`` a unit must also be below ``threshold`` at step start-1 and at step
    end, where those exist.
    """
    span = hidden[start:end]
    on = (span >= threshold).all(dim=0)
    if off_outside:
        if start > 0:
            on &= hidden[start - 1] < threshold
        if end < hidden.shape[0]:
            on &= hidden[end] < threshold
    means = span.mean(dim=0)
    chosen = [int(u) for u in torch.nonzero(on).flatten()]
    chosen.sort(key=lambda u: (-float(means[u]), u))
    return chosen, [float(means[u]) for u in chosen]
