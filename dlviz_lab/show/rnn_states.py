"""`show.hidden_states`: an RNN, LSTM or GRU reading one sequence, step by step.

The kernel runtime replays the recurrent module from its own weights (``dlviz_kernel.rnn.gates``,
checked against what the module itself returned) to get every layer's hidden states, and the
cell states and gates of an LSTM or GRU. Bounds: at most MAX_STEPS steps and MAX_UNITS units per
layer, and at most MAX_VALUES numbers in all (steps are cut to fit: a 4-layer bidirectional
LSTM of 256 units keeps 122 steps); hidden states are float32, cell states and gates float16:
at most 3.6 MB of numbers, 4.8 MB of base64.
"""

from __future__ import annotations

from typing import Any

from ._view import View, encode, tensor_of

MAX_STEPS = 400
MAX_UNITS = 256
MAX_VALUES = 1_500_000
# The replay must match the module's own outputs this closely (float32 models).
TOLERANCE = 1e-4


def hidden_states(rnn_or_module, inputs, text=None) -> View:
    """Hidden states [T, H] of every layer (and gates) of a recurrent model on one sequence.

    `rnn_or_module` is an ``nn.RNN``/``nn.LSTM``/``nn.GRU`` or a module holding one (for example
    an embedding, an LSTM and a linear layer). `inputs` is one sequence: token ids [T] for a
    model with an ``nn.Embedding``, numbers [T, features] otherwise (a batch of one also works).
    `text` labels the steps: a string with one character per step, or a list of labels.
    """
    from dlviz_kernel.rnn import gates, probe
    from dlviz_kernel.tasks import TaskError

    try:
        parts = probe.find_parts(rnn_or_module, "rnn_or_module", "rnn_or_module")
    except TaskError as error:
        raise ValueError(f"rnn_or_module: {error.message}") from None
    sequence = _sequence(inputs, parts)
    steps_total = int(sequence.shape[0])
    entries = parts.rnn.num_layers * (2 if parts.rnn.bidirectional else 1)
    units = min(parts.rnn.hidden_size, MAX_UNITS)
    per_step = entries * units * (2 + len(gates.GATES[parts.rnn.mode]))
    keep = max(1, min(MAX_STEPS, MAX_VALUES // per_step))
    sequence = sequence[:keep]
    labels = _labels(text, steps_total, int(sequence.shape[0]))
    model = rnn_or_module
    with probe.evaluating(model):
        batch = probe.as_batch(model, parts, sequence)
        try:
            seen = probe.probe(model, parts, batch, "inputs")
        except TaskError as error:
            raise ValueError(f"inputs: {error.message}") from None
        found = gates.replay(parts.rnn, seen.rnn_input, seen.h0, seen.c0)
        worst = gates.difference(found, seen.output, seen.h_n, seen.c_n)
    if worst > TOLERANCE:
        raise ValueError(f"rnn_or_module: the states recomputed from its weights differ from its "
                         f"own outputs by {worst:.2g}; this module cannot be shown")
    steps = int(sequence.shape[0])
    payload: dict[str, Any] = {
        "view": "hidden_states", "model": type(model).__name__,
        "cell": gates.cell_name(parts.rnn), "module": parts.rnn_name,
        "num_layers": parts.rnn.num_layers, "bidirectional": bool(parts.rnn.bidirectional),
        "hidden_size": parts.rnn.hidden_size, "units_shown": units,
        "steps": steps, "steps_total": steps_total, "labels": labels,
        "layers": [_layer(entry, units) for entry in found.layers],
        "max_abs_difference": worst,
    }
    cut = " (cut)" if steps < steps_total or units < parts.rnn.hidden_size else ""
    text_line = (f"dlviz-lab hidden states of {type(model).__name__} "
                 f"({payload['cell'].upper()}, {parts.rnn.num_layers} layer"
                 f"{'s' if parts.rnn.num_layers > 1 else ''} of {parts.rnn.hidden_size} units) "
                 f"over {steps} steps{cut}")
    return View(payload, text_line)


def _sequence(inputs, parts):
    x = tensor_of(inputs, "inputs", (1, 2, 3))
    if x.dim() == 3:
        if x.shape[0] != 1:
            raise ValueError(f"inputs must be one sequence, not a batch of {x.shape[0]}")
        x = x[0]
    if parts.embedding is not None:
        if x.is_floating_point() or x.dim() != 1:
            raise ValueError("inputs must be token ids [steps] (integers) for a model with an "
                             f"embedding, not {x.dtype} shaped {list(x.shape)}")
        return x.long()
    if x.dim() == 1:
        x = x[:, None] if parts.rnn.input_size == 1 else x[None, :]
    if x.shape[-1] != parts.rnn.input_size:
        raise ValueError(f"inputs must have {parts.rnn.input_size} features per step, "
                         f"not {x.shape[-1]} (shape {list(x.shape)})")
    if int(x.shape[0]) < 1:
        raise ValueError("inputs must hold at least one step")
    return x.float()


def _labels(text, total: int, steps: int) -> list[str] | None:
    if text is None:
        return None
    labels = list(text) if isinstance(text, str) else [str(t) for t in text]
    if len(labels) != total:
        raise ValueError(f"text must label every step: {total} labels, not {len(labels)}")
    return [label[:12] for label in labels[:steps]]


def _layer(entry: dict, units: int) -> dict[str, Any]:
    hidden = entry["hidden"][:, :units]
    return {"layer": entry["layer"], "direction": entry["direction"],
            "hidden": encode(hidden.float(), "float32"),
            "cell": None if entry["cell"] is None
            else encode(entry["cell"][:, :units].float(), "float16"),
            "gates": {name: encode(values[:, :units].float(), "float16")
                      for name, values in entry["gates"].items()}}
