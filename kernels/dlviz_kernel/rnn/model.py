"""The recurrent network that the ``rnn.train`` form describes, and its step-by-step replay.

``SequenceNet`` is an optional embedding (for character input), one ``nn.RNN``, ``nn.LSTM``
or ``nn.GRU`` (``batch_first``) and a linear ``head``. ``unroll`` recomputes the same
network one time step at a time from the module's weights, so the gradient of the loss
with respect to every hidden state ``h_t`` can be measured (vanishing/exploding gradients).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..tasks import TaskError

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
# Gate blocks per unit in weight_ih / weight_hh: LSTM i, f, g, o; GRU r, z, n; RNN one.
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
# A form RNN larger than this would take too long on a course pod's CPU.
MAX_PARAMETERS = 5_000_000


def count_parameters(cell: str, inputs: int, hidden: int, layers: int, bidirectional: bool,
                     outputs: int, vocabulary: int | None = None) -> int:
    """Parameters of the planned network (embedding, recurrent layers, head)."""
    blocks, directions = GATE_BLOCKS[cell], 2 if bidirectional else 1
    total = vocabulary * inputs if vocabulary else 0
    width = inputs
    for _ in range(layers):
        total += directions * blocks * hidden * (width + hidden + 2)
        width = hidden * directions
    return total + outputs * (width + 1)


class SequenceNet(nn.Module):
    """Embedding (or none) -> RNN/LSTM/GRU -> dropout -> linear head.

    ``per_step``: the head reads every step's output (``[B, T, C]``, e.g. the next
    character); otherwise one prediction ``[B, C]`` from the summary of the whole sequence:
    the last step's output, or for a bidirectional network the forward direction at the last
    step joined with the backward direction at the first step (both have read everything).
    """

    def __init__(self, cell: str, inputs: int, hidden: int, layers: int, outputs: int, *,
                 per_step: bool, vocabulary: int | None = None, bidirectional: bool = False,
                 dropout: float = 0.0, nonlinearity: str = "tanh",
                 open_forget: bool = False) -> None:
        super().__init__()
        if per_step and bidirectional:
            raise TaskError("A network that predicts at every step cannot be bidirectional: "
                            "its backward direction would read the answer (the next "
                            "character) before predicting it.", "model.bidirectional")
        self.cell = cell
        self.per_step = per_step
        self.embedding = nn.Embedding(vocabulary, inputs) if vocabulary else None
        options: dict[str, Any] = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = CELLS[cell](inputs, hidden, num_layers=layers, batch_first=True,
                               bidirectional=bidirectional,
                               dropout=dropout if layers > 1 else 0.0, **options)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), outputs)
        if cell == "lstm" and open_forget:
            open_forget_gates(self.rnn)

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """What the recurrent layers read: embedded token ids, or the features as they are."""
        return self.embedding(x) if self.embedding is not None else x

    def summary(self, output: torch.Tensor) -> torch.Tensor:
        """``[B, D*H]`` read by a one-prediction head from the top layer's ``[B, T, D*H]``."""
        if not self.rnn.bidirectional:
            return output[:, -1]
        size = self.rnn.hidden_size
        return torch.cat([output[:, -1, :size], output[:, 0, size:]], dim=1)

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """The head on the top layer's outputs ``[B, T, D*H]``."""
        output = self.drop(output)
        return self.head(output if self.per_step else self.summary(output))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (or values) ``[B, T, C]`` when ``per_step``, else ``[B, C]``."""
        output, _ = self.rnn(self.inputs(x))
        return self.predict(output)


def open_forget_gates(lstm: nn.LSTM, bias: float = 1.0) -> None:
    """Start every forget gate open: its bias (``b_if + b_hf``) at ``bias``, not near 0.

    With the forget gate at sigmoid(0) = 0.5 a new LSTM halves its cell state at every step,
    so what it read 20 steps ago is a millionth by the end and it learns to keep it slowly
    (the copy task sits at chance for tens of epochs); at sigmoid(1) = 0.73 it keeps it from
    the start. Gers et al. 2000 and Jozefowicz et al. 2015 advise it; Keras does it by default.
    """
    size = lstm.hidden_size
    with torch.no_grad():
        for name, value in lstm.named_parameters():
            if name.startswith("bias_ih"):
                value[size:2 * size] = bias
            elif name.startswith("bias_hh"):
                value[size:2 * size] = 0.0


def _weights(rnn: nn.RNNBase, layer: int, reverse: bool) -> list[torch.Tensor | None]:
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    return [getattr(rnn, f"{name}{suffix}", None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    return nn.functional.linear(x, weight, bias)


def cell_step(cell: str, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor | None,
              weights: list[torch.Tensor | None], nonlinearity: str = "tanh"
              ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One step of an RNN, LSTM or GRU cell, PyTorch's formulas: ``(h_t, c_t)``."""
    w_ih, w_hh, b_ih, b_hh = weights
    gi, gh = _linear(x, w_ih, b_ih), _linear(h, w_hh, b_hh)
    if cell == "rnn":
        act = torch.tanh if nonlinearity == "tanh" else torch.relu
        return act(gi + gh), None
    if cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    r_i, z_i, n_i = gi.chunk(3, dim=-1)
    r_h, z_h, n_h = gh.chunk(3, dim=-1)
    r, z = torch.sigmoid(r_i + r_h), torch.sigmoid(z_i + z_h)
    n = torch.tanh(n_i + r * n_h)
    return (1 - z) * n + z * h, None


def unroll(rnn: nn.RNNBase, x: torch.Tensor
           ) -> tuple[torch.Tensor, list[list[list[torch.Tensor]]]]:
    """The module's top-layer output ``[B, T, D*H]`` recomputed step by step (eval mode).

    Also returns the hidden state of every step: ``states[layer][direction][t]`` is
    ``[B, H]``. Each is the node the next step reads, so ``torch.autograd.grad(loss, ...)``
    of one gives d loss / d h_t through every later step and layer.
    """
    cell = "lstm" if isinstance(rnn, nn.LSTM) else "gru" if isinstance(rnn, nn.GRU) else "rnn"
    nonlinearity = getattr(rnn, "nonlinearity", "tanh")
    batch, steps = x.shape[0], x.shape[1]
    directions = 2 if rnn.bidirectional else 1
    layer_input = x
    states: list[list[list[torch.Tensor]]] = []
    for layer in range(rnn.num_layers):
        per_direction = []
        for direction in range(directions):
            weights = _weights(rnn, layer, reverse=direction == 1)
            h = x.new_zeros(batch, rnn.hidden_size)
            c = x.new_zeros(batch, rnn.hidden_size) if cell == "lstm" else None
            found: list[torch.Tensor] = [h] * steps
            order = range(steps - 1, -1, -1) if direction == 1 else range(steps)
            for t in order:
                h, c = cell_step(cell, layer_input[:, t], h, c, weights, nonlinearity)
                found[t] = h
            per_direction.append(found)
        states.append(per_direction)
        layer_input = torch.cat([torch.stack(found, dim=1) for found in per_direction], dim=2)
    return layer_input, states


def check_size(cell: str, inputs: int, hidden: int, layers: int, bidirectional: bool,
               outputs: int, vocabulary: int | None) -> int:
    """The parameter count; TaskError naming ``model.hidden_size`` above MAX_PARAMETERS."""
    count = count_parameters(cell, inputs, hidden, layers, bidirectional, outputs, vocabulary)
    if count > MAX_PARAMETERS:
        raise TaskError(f"This network would have {count:,} parameters, more than "
                        f"{MAX_PARAMETERS:,}: use a smaller hidden size, fewer layers or no "
                        "bidirectional layers.", "model.hidden_size")
    return count
