"""Task ``transformer.attention``: the attention weights of every layer and head for a text.

The result is what BertViz's head and model views draw: the tokens, and an array
``attention[layer, head, i, j]`` = how much token ``i`` looks at token ``j`` (each row sums to 1).
"""

from __future__ import annotations

from typing import Any

from .. import arrays
from ..tasks import RunContext, TaskError
from . import pretrained

STEPS = 4


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Run the model on ``text`` (and ``text_b``) and return its tokens and attention weights."""
    import torch

    # An emptied form field arrives as "" and means "no second sentence".
    text, text_b = params["text"], params.get("text_b") or None
    max_tokens = _token_budget(params["max_tokens"], ctx)

    ctx.progress(1, STEPS, f"Loading the model {params['model']}")
    tokenizer, model, _ = pretrained.load(params["model"])

    ctx.progress(2, STEPS, "Splitting the text into tokens")
    max_tokens = min(max_tokens, _model_limit(tokenizer, model))
    _check_room(tokenizer, max_tokens, paired=text_b is not None)
    full_length = len(_tokenize(tokenizer, text, text_b, None)["input_ids"][0])
    truncated = full_length > max_tokens
    encoding = _tokenize(tokenizer, text, text_b, max_tokens if truncated else None)
    ids = encoding["input_ids"]

    ctx.progress(3, STEPS, f"Running the model on {ids.shape[1]} tokens", tokens=ids.shape[1])
    with torch.no_grad():
        outputs = model(**encoding, output_attentions=True)
    if not outputs.attentions or outputs.attentions[0] is None:
        raise TaskError(f"The model {params['model']!r} does not return attention weights.",
                        "model")
    # [layers, batch=1, heads, N, N] -> [layers, heads, N, N]
    attention = torch.stack(outputs.attentions)[:, 0].float()

    ctx.progress(4, STEPS, "Packing the attention weights")
    return {
        "model": params["model"],
        "tokens": tokenizer.convert_ids_to_tokens(ids[0].tolist()),
        "sentence_b_start": _sentence_b_start(encoding, text_b),
        "num_layers": int(attention.shape[0]),
        "num_heads": int(attention.shape[1]),
        "truncated": truncated,
        "attention": arrays.encode(attention, "float32"),
    }


def _tokenize(tokenizer, text: str, text_b: str | None, max_length: int | None):
    """Tokenize one text or a pair; cut to ``max_length`` tokens when it is given."""
    return tokenizer(
        text,
        text_b,
        return_tensors="pt",
        truncation=max_length is not None,
        max_length=max_length,
        # The untruncated count may exceed the model's limit; that is why we measure it.
        verbose=False,
    )


def _token_budget(requested: int, ctx: RunContext) -> int:
    """The learner's max_tokens, lowered to the server's limit when it sets one."""
    limit = ctx.limits.get("max_tokens")
    return min(requested, int(limit)) if limit else requested


def _model_limit(tokenizer, model) -> int:
    """The most tokens the model can read at once (position embeddings), if it says."""
    limits = [getattr(model.config, "max_position_embeddings", None),
              getattr(tokenizer, "model_max_length", None)]
    # Tokenizers without a limit report a huge sentinel number; ignore it.
    usable = [int(n) for n in limits if isinstance(n, int) and 0 < n < 100_000]
    return min(usable) if usable else 512


def _check_room(tokenizer, max_tokens: int, paired: bool) -> None:
    """Refuse a budget so small that no word of the text would fit beside the special tokens."""
    needed = tokenizer.num_special_tokens_to_add(pair=paired) + (2 if paired else 1)
    if max_tokens < needed:
        raise TaskError(
            f"Allow at least {needed} tokens: this model adds "
            f"{needed - (2 if paired else 1)} special tokens of its own.",
            "max_tokens",
        )


def _sentence_b_start(encoding, text_b: str | None) -> int | None:
    """The position of the first token of the second sentence, or None without one."""
    if text_b is None:
        return None
    if encoding.is_fast:
        sequence_ids = encoding.sequence_ids(0)
    elif "token_type_ids" in encoding:
        sequence_ids = encoding["token_type_ids"][0].tolist()
    else:
        return None
    return next((i for i, s in enumerate(sequence_ids) if s == 1), None)
