"""Text to model input: tokens, ids, sentence marks, and the cut that bounds the work.

A text is cut to ``max_tokens * CHARS_PER_TOKEN`` characters before any tokenizer sees it:
tokenizing an 8 MB text whole took 43 s and 2 GB, only to keep its first few hundred tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..tasks import RunContext, TaskError

# Characters read per allowed token: far more than any real token needs (a word piece is a
# few characters; words over 100 characters become a single [UNK] in BERT's tokenizer).
CHARS_PER_TOKEN = 32


@dataclass
class Encoded:
    """One text (or pair) ready for the model."""

    tokens: list[str]
    inputs: dict[str, torch.Tensor]
    sentence_b_start: int | None
    sentence: list[int]
    truncated: bool = False

    @property
    def length(self) -> int:
        return len(self.tokens)


def cut_text(text: str | None, max_tokens: int) -> tuple[str | None, bool]:
    """``text`` cut to ``max_tokens * CHARS_PER_TOKEN`` characters, and whether it was cut."""
    if text is None:
        return None, False
    limit = max(1, max_tokens) * CHARS_PER_TOKEN
    return (text[:limit], True) if len(text) > limit else (text, False)


def encode_with_tokenizer(tokenizer, model, text: str, text_b: str | None,
                          max_tokens: int) -> Encoded:
    """Encode with a transformers tokenizer; refuse a budget too small for the special tokens."""
    needed = tokenizer.num_special_tokens_to_add(pair=text_b is not None) + (2 if text_b else 1)
    if max_tokens < needed:
        raise TaskError(f"Allow at least {needed} tokens: this model adds "
                        f"{needed - (2 if text_b else 1)} special tokens of its own.",
                        "max_tokens")
    # The untruncated count may exceed the model's limit; that is why it is measured here.
    full = len(tokenizer(text, text_b, verbose=False)["input_ids"])
    truncated = full > max_tokens
    encoding = tokenizer(text, text_b, return_tensors="pt", truncation=truncated,
                         max_length=max_tokens if truncated else None, verbose=False)
    ids = encoding["input_ids"]
    inputs = {"input_ids": ids}
    if "attention_mask" in encoding:
        inputs["attention_mask"] = encoding["attention_mask"]
    # GPT-2 would embed token types with its word embeddings; only BERT-likes get them.
    if "token_type_ids" in encoding and getattr(model.config, "type_vocab_size", 0):
        inputs["token_type_ids"] = encoding["token_type_ids"]
    if getattr(encoding, "is_fast", False):
        sentence = [-1 if s is None else int(s) for s in encoding.sequence_ids(0)]
    elif "token_type_ids" in encoding:
        sentence = encoding["token_type_ids"][0].tolist()
    else:
        sentence = [0] * ids.shape[1]
    b_start = None
    if text_b is not None:
        b_start = next((i for i, s in enumerate(sentence) if s == 1), None)
    return Encoded(tokenizer.convert_ids_to_tokens(ids[0].tolist()), inputs, b_start, sentence,
                   truncated)


def token_budget(requested: int, ctx: RunContext | None) -> int:
    """The learner's max_tokens, lowered to the server's limit when it sets one."""
    limit = ctx.limits.get("max_tokens") if ctx is not None else None
    return min(requested, int(limit)) if limit else requested
