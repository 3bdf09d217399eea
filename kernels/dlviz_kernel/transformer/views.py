"""Notebook API of the transformer views: pass a model and tokenizer, get the view's data.

Example, in a notebook cell::

    from dlviz_kernel.transformer.views import attention_view
    data = attention_view(model, tokenizer, "The cat sat on the mat.", view="neuron")

Each function returns the same plain dict as the matching task (arrays encoded as in
docs/protocol.md), ready to put in a MIME bundle; ``dlviz_lab.show`` draws it. A model
trained with ``transformer.train`` needs no tokenizer (pass ``None``).
"""

from __future__ import annotations

from typing import Any

VIEWS = ("head", "model", "neuron")


def _prepare(model: Any, tokenizer: Any, text: str, text_b: str | None, max_tokens: int):
    from ..tasks import TaskError
    from . import core

    if not isinstance(text, str) or not text:
        raise TaskError("text must be a non-empty string.", "text")
    if tokenizer is None and not hasattr(model, "vocabulary"):
        raise TaskError("This model needs its tokenizer.", "tokenizer")
    name = getattr(getattr(model, "config", None), "_name_or_path", None) or type(model).__name__
    subject = core.Subject(str(name), model, tokenizer)
    return subject, subject.encode(text, text_b or None, max_tokens)


def attention_view(model: Any, tokenizer: Any, text: str, text_b: str | None = None,
                   view: str = "head", max_tokens: int = 512) -> dict[str, Any]:
    """Tokens and attention [layers, heads, N, N] for the head and model views.

    ``view="neuron"`` adds every head's ``queries`` and ``keys`` [layers, heads, N, head_dim].
    The model is put back in the train/eval mode it had; nothing in it changes.
    """
    from . import attention, core

    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, not {view!r}")
    subject, encoded = _prepare(model, tokenizer, text, text_b, max_tokens)
    traced = core.trace(subject, encoded, qkv=view == "neuron")
    return {"view": view, **attention.result_of(subject, encoded, traced, view == "neuron")}


def steps_view(model: Any, tokenizer: Any, text: str, layer: int = 0, head: int = 0,
               token: int = 1, text_b: str | None = None,
               max_tokens: int = 512) -> dict[str, Any]:
    """Every step of one head's attention for one token (embeddings to weighted sum of V)."""
    from . import steps

    subject, encoded = _prepare(model, tokenizer, text, text_b, max_tokens)
    return {"view": "steps", **steps.steps_of(subject, encoded, layer, head, token)}


def projection_view(model: Any, tokenizer: Any, text: str, text_b: str | None = None,
                    max_tokens: int = 512) -> dict[str, Any]:
    """Each layer's token vectors in 2-D (PCA per layer; layer 0 = the embeddings)."""
    from . import projection

    subject, encoded = _prepare(model, tokenizer, text, text_b, max_tokens)
    return {"view": "projection", **projection.projection_of(subject, encoded)}
