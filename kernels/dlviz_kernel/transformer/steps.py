"""Task ``transformer.steps``: one head's attention for one token, step by step, with real numbers.

Embeddings (token, position, token-type parts, their sum, the normalised result), the
layer input X, Q = X·Wq + bq, K, V with the head's slices of the weights, scores
Q·Kᵀ·scale, the mask, the softmax and the weighted sum of V. X, Q, K and V come from
forward hooks on the model's own projections; the later steps are computed from them.
"""

from __future__ import annotations

from typing import Any

import torch

from .. import arrays
from ..tasks import RunContext
from . import core

STEPS = 3


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Every step of the attention of ``params.head`` in ``params.layer`` for ``params.token``."""
    subject, encoded = core.load_and_encode(params, ctx, STEPS)
    return steps_of(subject, encoded, params["layer"], params["head"], params["token"])


def steps_of(subject: core.Subject, encoded: core.Encoded, layer: int, head: int,
             token: int) -> dict[str, Any]:
    """The step-by-step result (see docs/protocol.md, "Transformer family")."""
    core.check_position(layer, len(subject.specs), "layers", "layer")
    spec = subject.specs[layer]
    core.check_position(head, spec.heads, "heads", "head")
    core.check_position(token, encoded.length, "tokens", "token")
    traced = core.trace(subject, encoded, qkv=True, hidden=True, embeddings=True)

    x = traced.x[layer]
    weights = core.head_weights(spec, head)
    qkv = {}
    for key, (w, b) in weights.items():
        qkv[key] = x @ w + (b if b is not None else 0.0)
    scores = qkv["query"] @ qkv["key"].T * spec.scaling
    mask = core.allowed(subject, encoded)
    masked = scores.masked_fill(~mask, float("-inf"))
    attention = masked.softmax(-1)
    output = attention @ qkv["value"]

    parts = traced.embeddings
    present = [parts[p] for p in ("token", "position", "token_type") if p in parts]
    summed = torch.stack(present).sum(0) if present else None
    embedded = traced.hidden_states[0] if traced.hidden_states else None
    layer_norm = any(name.endswith("embeddings.LayerNorm")
                     for name, _ in subject.model.named_modules())

    def enc(t):
        return None if t is None else arrays.encode(t, "float32")

    return {
        **core.text_fields(subject, encoded),
        "num_heads": spec.heads,
        "head_dim": spec.head_dim,
        "hidden_size": int(x.shape[1]),
        "layer": layer, "head": head, "token": token,
        "causal": subject.causal,
        "scale": spec.scaling,
        "embeddings": {
            "token": enc(parts.get("token")),
            "position": enc(parts.get("position")),
            "token_type": enc(parts.get("token_type")),
            "sum": enc(summed),
            "layer_norm": layer_norm,
            "output": enc(embedded),
        },
        "x": enc(x),
        "weights": {key: enc(w) for key, (w, _) in weights.items()},
        "biases": {key: enc(b) for key, (_, b) in weights.items()},
        "q": enc(qkv["query"]), "k": enc(qkv["key"]), "v": enc(qkv["value"]),
        "scores": enc(scores),
        "mask": arrays.encode(mask.to(torch.uint8), "uint8"),
        "masked_scores": enc(masked),
        "attention": enc(attention),
        "model_attention": enc(traced.attention[layer, head]),
        "output": enc(output),
    }
