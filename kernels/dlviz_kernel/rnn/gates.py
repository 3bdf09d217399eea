"""Gates and states of an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``, replayed step by step.

The module runs its layers in one fused call and hands back only the top layer's outputs and
the last step's states. Here every layer and direction is replayed from the module's own
weights (``weight_ih_l{k}``, ``weight_hh_l{k}``, biases, ``_reverse`` for the backward
direction) with PyTorch's formulas, in float64, so the views can show every gate; ``difference``
checks the replay against what the module itself returned.

For one step, with x the layer's input and h, c the previous states:

- RNN:  a = W_ih x + b_ih + W_hh h + b_hh;  h' = tanh(a) (or relu(a))
- LSTM: i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the four parts of a (same a);
        c' = f * c + i * g;  h' = o * tanh(c')  (times W_hr with a projection)
- GRU:  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr);  z = sigmoid(... the update part ...);
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn));  h' = (1 - z) * n + z * h
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

# The gates each cell has, in the order the module stacks them in its weights.
GATES = {"LSTM": ("input", "forget", "cell", "output"), "GRU": ("reset", "update", "new"),
         "RNN_TANH": ("pre_activation",), "RNN_RELU": ("pre_activation",)}
# Gates that pass through a sigmoid (0..1): their saturation is measured.
SIGMOID_GATES = {"LSTM": ("input", "forget", "output"), "GRU": ("reset", "update")}
# A gate value below LOW counts as closed, above HIGH as open (Karpathy et al. 2015).
LOW, HIGH = 0.1, 0.9
# What the learner reads as the cell's name.
CELL_NAMES = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}


@dataclass
class Replay:
    """What the replay found for one sequence of T steps.

    ``layers`` holds one entry per layer and direction (layer 0 forward, layer 0 backward,
    layer 1 forward, ...): ``hidden`` [T, H], ``cell`` [T, H] (LSTM, else None) and ``gates``
    (name -> [T, H]), all at the step they belong to (also for the backward direction).
    ``output`` [T, D*H] is the top layer's output, ``h_n``/``c_n`` [L*D, H] the last states.
    """

    layers: list[dict] = field(default_factory=list)
    output: torch.Tensor | None = None
    h_n: torch.Tensor | None = None
    c_n: torch.Tensor | None = None


def cell_name(rnn: nn.RNNBase) -> str:
    """``lstm``, ``gru``, ``rnn_tanh`` or ``rnn_relu``."""
    return CELL_NAMES[rnn.mode]


def _weight(rnn: nn.RNNBase, name: str) -> torch.Tensor | None:
    value = getattr(rnn, name, None)
    return None if value is None else value.detach().to("cpu", torch.float64)


def replay(rnn: nn.RNNBase, x: torch.Tensor, h0: torch.Tensor | None = None,
           c0: torch.Tensor | None = None) -> Replay:
    """Replay ``rnn`` on one sequence ``x`` [T, F] from the states ``h0``/``c0`` [L*D, H].

    Missing start states are zeros, as in the module. Dropout between layers is not applied
    (the module is inspected in eval mode).
    """
    if rnn.mode not in GATES:
        raise ValueError(f"unknown recurrent cell {rnn.mode!r}")
    directions = 2 if rnn.bidirectional else 1
    hidden_size = rnn.hidden_size
    out_size = getattr(rnn, "proj_size", 0) or hidden_size
    states = rnn.num_layers * directions
    h0 = (torch.zeros(states, out_size, dtype=torch.float64) if h0 is None
          else h0.detach().to("cpu", torch.float64))
    if rnn.mode == "LSTM":
        c0 = (torch.zeros(states, hidden_size, dtype=torch.float64) if c0 is None
              else c0.detach().to("cpu", torch.float64))
    found = Replay()
    layer_input = x.detach().to("cpu", torch.float64)
    last_h, last_c = [], []
    for k in range(rnn.num_layers):
        outputs = []
        for d in range(directions):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            index = k * directions + d
            entry = _direction(rnn.mode, layer_input,
                               [_weight(rnn, f"{kind}{suffix}") for kind in
                                ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")],
                               h0[index], c0[index] if c0 is not None else None, reverse=d == 1)
            entry.update(layer=k, direction="backward" if d else "forward")
            found.layers.append(entry)
            outputs.append(entry["hidden"])
            last_h.append(entry.pop("last_h"))
            last_c.append(entry.pop("last_c"))
        layer_input = torch.cat(outputs, dim=1)
    found.output = layer_input
    found.h_n = torch.stack(last_h)
    found.c_n = torch.stack(last_c) if rnn.mode == "LSTM" else None
    return found


def _direction(mode: str, x: torch.Tensor, weights: list, h: torch.Tensor,
               c: torch.Tensor | None, reverse: bool) -> dict:
    """One layer in one direction: hidden states, cell states and gates at every step."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    steps = int(x.shape[0])
    from_input = x @ w_ih.T + (b_ih if b_ih is not None else 0.0)  # [T, G*H]
    names = GATES[mode]
    size = w_hh.shape[0] // len(names)
    gates = {name: torch.zeros(steps, size, dtype=torch.float64) for name in names}
    hidden = torch.zeros(steps, h.shape[0], dtype=torch.float64)
    cells = torch.zeros(steps, size, dtype=torch.float64) if mode == "LSTM" else None
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        from_state = w_hh @ h + (b_hh if b_hh is not None else 0.0)
        if mode == "LSTM":
            i, f, g, o = (from_input[t] + from_state).chunk(4)
            values = (torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o))
            c = values[1] * c + values[0] * values[2]
            h = values[3] * torch.tanh(c)
            if w_hr is not None:
                h = w_hr @ h
            cells[t] = c
        elif mode == "GRU":
            x_r, x_z, x_n = from_input[t].chunk(3)
            h_r, h_z, h_n = from_state.chunk(3)
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + r * h_n)
            h = (1 - z) * n + z * h
            values = (r, z, n)
        else:
            a = from_input[t] + from_state
            h = torch.tanh(a) if mode == "RNN_TANH" else torch.relu(a)
            values = (a,)
        for name, value in zip(names, values):
            gates[name][t] = value
        hidden[t] = h
    return {"hidden": hidden, "cell": cells, "gates": gates, "last_h": h, "last_c": c}


def difference(found: Replay, output: torch.Tensor, h_n: torch.Tensor,
               c_n: torch.Tensor | None = None) -> float:
    """Largest absolute difference between the replay and the module's own results.

    ``output`` [T, D*H] is the module's output sequence, ``h_n``/``c_n`` [L*D, H] its last
    states (one sequence: no batch dimension). Every layer shows in them: the top output
    depends on all lower layers, and h_n/c_n hold each layer's last step.
    """
    pairs = [(found.output, output), (found.h_n, h_n)]
    if c_n is not None and found.c_n is not None:
        pairs.append((found.c_n, c_n))
    worst = 0.0
    for ours, theirs in pairs:
        theirs = theirs.detach().to("cpu", torch.float64)
        if ours.shape != theirs.shape:
            raise ValueError(f"replayed shape {list(ours.shape)} differs from the module's "
                             f"{list(theirs.shape)}")
        if ours.numel():
            worst = max(worst, float((ours - theirs).abs().max()))
    return worst


def saturation(mode: str, gates: dict[str, torch.Tensor]) -> dict[str, dict[str, torch.Tensor]]:
    """Per sigmoid gate and unit: the share of steps below ``LOW`` and above ``HIGH``.

    ``{"forget": {"low": [H], "high": [H]}, ...}``; empty for a plain RNN (no gates).
    """
    shares = {}
    for name in SIGMOID_GATES.get(mode, ()):
        values = gates[name]
        shares[name] = {"low": (values < LOW).to(torch.float64).mean(dim=0),
                        "high": (values > HIGH).to(torch.float64).mean(dim=0)}
    return shares
