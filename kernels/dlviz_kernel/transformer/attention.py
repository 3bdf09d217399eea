"""Task ``transformer.attention``: the attention weights of every layer and head for a text.

The result is what BertViz's head and model views draw: the tokens, and an array
``attention[layer, head, i, j]`` = how much token ``i`` looks at token ``j`` (each row sums to 1).
With ``include_qk`` it also carries every head's query and key vectors (the neuron view).
"""

from __future__ import annotations

from typing import Any

from .. import arrays
from ..tasks import RunContext
from . import core

STEPS = 4


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Run the model on ``text`` (and ``text_b``) and return its tokens and attention weights."""
    subject, encoded = core.load_and_encode(params, ctx, STEPS)
    traced = core.trace(subject, encoded, qkv=params.get("include_qk", False))

    ctx.progress(4, STEPS, "Packing the attention weights")
    return result_of(subject, encoded, traced, params.get("include_qk", False))


def result_of(subject: core.Subject, encoded: core.Encoded, traced: core.Trace,
              include_qk: bool) -> dict[str, Any]:
    """The attention result (see docs/protocol.md, "Transformer family")."""
    dtype = core.array_dtype(encoded.length)
    result = {
        "model": subject.name,
        "tokens": encoded.tokens,
        "sentence_b_start": encoded.sentence_b_start,
        "sentence": encoded.sentence,
        "num_layers": int(traced.attention.shape[0]),
        "num_heads": int(traced.attention.shape[1]),
        "causal": subject.causal,
        "truncated": encoded.truncated,
        "dtype": dtype,
        "attention": arrays.encode(traced.attention, dtype),
    }
    if include_qk:
        import torch

        result.update(
            head_dim=subject.specs[0].head_dim,
            scales=[spec.scaling for spec in subject.specs],
            queries=arrays.encode(torch.stack(traced.q), dtype),
            keys=arrays.encode(torch.stack(traced.k), dtype),
        )
    return result
