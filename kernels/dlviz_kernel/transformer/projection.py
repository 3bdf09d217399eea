"""Task ``transformer.projection``: every layer's token vectors on a 2-D picture (PCA per layer)."""

from __future__ import annotations

from typing import Any

from .. import arrays
from ..tasks import RunContext
from . import core

STEPS = 3


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """PCA coordinates of the tokens after the embeddings and after every layer."""
    subject, encoded = core.load_and_encode(params, ctx, STEPS)
    return projection_of(subject, encoded)


def projection_of(subject: core.Subject, encoded: core.Encoded) -> dict[str, Any]:
    """The projection result (see docs/protocol.md, "Transformer family")."""
    traced = core.trace(subject, encoded, hidden=True)
    if not traced.hidden_states:
        from ..tasks import TaskError

        raise TaskError(f"{subject.name} does not return its hidden states.", subject.field)
    coords, shares = core.project_layers(traced.hidden_states)
    return {
        **core.text_fields(subject, encoded),
        "layers": ["embeddings"] + [f"layer {i + 1}" for i in range(len(subject.specs))],
        "coordinates": arrays.encode(coords, "float32"),
        "explained_variance": shares,
    }
