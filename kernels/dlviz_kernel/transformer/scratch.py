"""A tiny transformer written out in full, for training from scratch on two sentences.

Its parts carry BERT's names (``embeddings.word_embeddings``, ``query``/``key``/``value``)
so the attention, neuron, step-by-step and projection views read it like a stock model.
Layers are post-LayerNorm, as in BERT: x = LN(x + attention(x)); x = LN(x + ffn(x)).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import torch
from torch import nn

from ..tasks import TaskError

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Words and single punctuation marks, lower-cased: a vocabulary a learner can read.
_WORD = re.compile(r"\w+|[^\w\s]")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Vocabulary:
    """Word-level vocabulary built from the training sentences, special tokens first."""

    def __init__(self, texts: list[str]) -> None:
        self.tokens = list(SPECIALS)
        for text in texts:
            for word in words(text):
                if word not in self.tokens:
                    self.tokens.append(word)
        self.index = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def sequence(self, text: str, text_b: str | None) -> tuple[list[str], list[int]]:
        """``[CLS] a... [SEP] (b... [SEP])`` and each token's sentence (0, 1; -1 = special)."""
        a, b = words(text), words(text_b) if text_b else None
        tokens = ["[CLS]", *a, "[SEP]"]
        sentence = [-1, *([0] * len(a)), -1]
        if b is not None:
            tokens += [*b, "[SEP]"]
            sentence += [*([1] * len(b)), -1]
        return [t if t in self.index else "[UNK]" for t in tokens], sentence

    def encode(self, text: str, text_b: str | None, max_tokens: int):
        """An Encoded input (see encoding.Encoded); cut to max_tokens, last token kept [SEP]."""
        from .encoding import Encoded

        tokens, sentence = self.sequence(text, text_b)
        a_length = len(words(text)) + 2
        truncated = len(tokens) > max_tokens
        if max_tokens < 2:
            raise TaskError("Allow at least 2 tokens ([CLS] and [SEP]).", "max_tokens")
        if truncated:
            tokens, sentence = tokens[:max_tokens - 1] + ["[SEP]"], sentence[:max_tokens - 1] + [-1]
        ids = torch.tensor([[self.index[t] for t in tokens]])
        b_start = a_length if text_b and a_length < len(tokens) else None
        return Encoded(tokens, {"input_ids": ids}, b_start, sentence, truncated)


class Embeddings(nn.Module):
    """Token plus position embeddings, then LayerNorm (no token types: one model input)."""

    def __init__(self, vocab_size: int, size: int, max_positions: int) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, size)
        self.position_embeddings = nn.Embedding(max_positions, size)
        self.LayerNorm = nn.LayerNorm(size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    """Multi-head self-attention with separate query, key and value projections."""

    def __init__(self, size: int, heads: int, causal: bool) -> None:
        super().__init__()
        self.num_attention_heads = heads
        self.attention_head_size = size // heads
        self.scaling = self.attention_head_size ** -0.5
        self.causal = causal
        self.query = nn.Linear(size, size)
        self.key = nn.Linear(size, size)
        self.value = nn.Linear(size, size)
        self.output = nn.Linear(size, size)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, n, size = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, n, self.num_attention_heads, -1).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) * self.scaling
        if self.causal:
            future = torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        weights = scores.softmax(-1)
        mixed = (weights @ v).transpose(1, 2).reshape(batch, n, size)
        return self.output(mixed), weights


class Layer(nn.Module):
    def __init__(self, size: int, heads: int, feed_forward: int, causal: bool) -> None:
        super().__init__()
        self.attention = SelfAttention(size, heads, causal)
        self.attention_norm = nn.LayerNorm(size)
        self.feed_forward = nn.Sequential(nn.Linear(size, feed_forward), nn.GELU(),
                                          nn.Linear(feed_forward, size))
        self.output_norm = nn.LayerNorm(size)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attention(x)
        x = self.attention_norm(x + attended)
        return self.output_norm(x + self.feed_forward(x)), weights


class TinyTransformer(nn.Module):
    """Embeddings, ``layers`` transformer layers and a head predicting a word at each position.

    ``model(ids)`` gives logits [batch, N, vocabulary]; ``model(ids, details=True)`` also
    gives ``attentions`` (per layer [batch, heads, N, N]) and ``hidden_states`` (embeddings
    first, then each layer's output).
    """

    def __init__(self, vocabulary: Vocabulary, size: int = 32, heads: int = 2, layers: int = 2,
                 feed_forward: int = 64, causal: bool = True, max_positions: int = 64) -> None:
        super().__init__()
        self.vocabulary = vocabulary
        self.causal = causal
        self.max_positions = max_positions
        self.embeddings = Embeddings(len(vocabulary), size, max_positions)
        self.layers = nn.ModuleList(Layer(size, heads, feed_forward, causal)
                                    for _ in range(layers))
        self.predict = nn.Linear(size, len(vocabulary))
        self.config = SimpleNamespace(hidden_size=size, num_attention_heads=heads,
                                      num_hidden_layers=layers, intermediate_size=feed_forward,
                                      max_position_embeddings=max_positions, is_decoder=causal)

    def forward(self, ids: torch.Tensor, details: bool = False):
        x = self.embeddings(ids)
        states, attentions = [x], []
        for layer in self.layers:
            x, weights = layer(x)
            states.append(x)
            attentions.append(weights)
        logits = self.predict(x)
        if not details:
            return logits
        return SimpleNamespace(logits=logits, attentions=tuple(attentions),
                               hidden_states=tuple(states))

