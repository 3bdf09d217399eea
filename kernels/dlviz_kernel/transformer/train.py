"""Task ``transformer.train``: train a tiny transformer from scratch on two sentences.

The vocabulary is the words of sentences A and B. A causal model learns to predict the
next word at every position; a bidirectional one learns to fill in a hidden ([MASK]) word,
one training example per word. Training goes through the shared engine (live loss,
cancel, per-epoch snapshots); the attention and the 2-D token map are replayed from every
epoch's snapshot, so each view gets an epoch slider.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .. import arrays
from ..tasks import RunContext, TaskError, load_schema
from ..training import Split, Training, fit
from ..training import runs as kept_runs
from ..training.engine import TrainSettings, json_safe
from ..training.params import complete
from ..training.snapshots import kept_summary
from . import core
from .scratch import TinyTransformer, Vocabulary

TASK = "transformer.train"
IGNORE = -100
# Longest training sequence; longer ones would make the tiny model slow and the views crowded.
MAX_SEQUENCE = 128


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Train the tiny transformer the parameters describe; see docs/protocol.md for the result."""
    from ..notebook import code_for

    params = complete(load_schema(TASK), params)
    size, heads = params["embedding_size"], params["heads"]
    if size % heads:
        raise TaskError(f"The embedding size ({size}) must split evenly over the heads "
                        f"({heads}): each head gets embedding size / heads numbers.", "heads")
    text, text_b = params["text"], params.get("text_b") or None
    vocabulary = Vocabulary([text] + ([text_b] if text_b else []))
    tokens, _ = vocabulary.sequence(text, text_b)
    if len(tokens) > MAX_SEQUENCE:
        raise TaskError(f"The two sentences make {len(tokens)} tokens; at most {MAX_SEQUENCE} "
                        "can be trained on here.", "text")
    if len(tokens) < 3:
        raise TaskError("Write at least one word to learn from.", "text")
    causal = params["mask"] == "causal"
    encoded = vocabulary.encode(text, text_b, MAX_SEQUENCE)
    ids = encoded.inputs["input_ids"]
    x, y = examples(ids, causal)
    parts = Split(x, y, x, y, torch.arange(len(x)), torch.arange(len(x)))
    settings = TrainSettings(optimizer="adam", learning_rate=params["learning_rate"],
                             batch_size=len(x), epochs=params["epochs"], seed=params["seed"])
    model = None

    def keep(record: Training) -> None:
        kept_runs.keep(ctx.run_id, kept_runs.TrainedRun(TASK, params, model, encoded, parts,
                                                        record), ctx.max_kept_model_bytes())

    # The seed fixes the start weights; the notebook's own random state is restored after.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        model = TinyTransformer(vocabulary, size, heads, params["layers"],
                                params["feed_forward"], causal,
                                max_positions=max(64, len(tokens)))
        n, layers = len(tokens), params["layers"]
        # Per kept epoch the result carries attention [L, H, N, N] and projection [L+1, N, 2].
        per_epoch = 4 * (layers * heads * n * n + (layers + 1) * n * 2)
        record = fit(model, parts, settings, ctx, on_cancel=keep, loss_fn=sequence_loss,
                     snapshot_bytes=per_epoch)
    keep(record)
    result = result_of(model, encoded, record, causal)
    result.update(run_id=ctx.run_id, task=TASK, params=params, code=code_for(TASK, params))
    result["kept"] = kept_summary(record.snapshots, result["epochs_completed"], result)
    return result


def examples(ids: torch.Tensor, causal: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets: next word at every position (causal), or one masked word each."""
    n = ids.shape[1]
    if causal:
        targets = torch.full_like(ids, IGNORE)
        targets[0, :-1] = ids[0, 1:]
        return ids.clone(), targets
    mask_id = 4  # [MASK], see scratch.SPECIALS
    inputs, targets = [], []
    # Positions 1..n-2 are the words; [CLS] and the final [SEP] are never hidden.
    for position in range(1, n - 1):
        row, target = ids[0].clone(), torch.full((n,), IGNORE, dtype=ids.dtype)
        target[position] = row[position]
        row[position] = mask_id
        inputs.append(row)
        targets.append(target)
    return torch.stack(inputs), torch.stack(targets)


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor,
                  reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy over the predicted positions, averaged per example, then mean or summed.

    Averaging per example keeps the engine's training and validation numbers on one scale.
    """
    per_token = nn.functional.cross_entropy(logits.transpose(1, 2), targets,
                                            ignore_index=IGNORE, reduction="none")
    counted = (targets != IGNORE).sum(1).clamp(min=1)
    per_example = per_token.sum(1) / counted
    return per_example.sum() if reduction == "sum" else per_example.mean()


def result_of(model: TinyTransformer, encoded: core.Encoded, record: Training,
              causal: bool) -> dict[str, Any]:
    """History plus the attention and 2-D token map after each kept epoch (0 = before training)."""
    import copy

    snaps = record.snapshots
    epochs = list(snaps.epochs)
    replay = copy.deepcopy(model).eval()
    subject = core.Subject("trained", replay)
    attention, coords, shares = [], [], []
    for epoch in epochs:
        replay.load_state_dict(snaps.state(epoch))
        traced = core.trace(subject, encoded, hidden=True)
        attention.append(traced.attention)
        xy, share = core.project_layers(traced.hidden_states, coords[-1] if coords else None)
        coords.append(xy)
        shares.append(share)
    return json_safe({
        "tokens": encoded.tokens,
        "sentence_b_start": encoded.sentence_b_start,
        "sentence": encoded.sentence,
        "vocabulary": list(model.vocabulary.tokens),
        "objective": "next_token" if causal else "masked_token",
        "causal": causal,
        "num_layers": len(model.layers),
        "num_heads": model.config.num_attention_heads,
        "head_dim": model.config.hidden_size // model.config.num_attention_heads,
        "history": record.history,
        "epochs_completed": len(record.history["epoch"]),
        "stopped_early": record.stopped_early,
        "steps": record.steps,
        "seconds": round(record.seconds, 3),
        "predictions": predictions(model, encoded, causal),
        "snapshots": {
            "epochs": epochs,
            "attention": arrays.encode(torch.stack(attention), "float32"),
            "projection": arrays.encode(torch.stack(coords), "float32"),
            "explained_variance": shares,
        },
    })


def predictions(model: TinyTransformer, encoded: core.Encoded, causal: bool) -> list[str | None]:
    """What the trained model predicts at each position: the next word, or the hidden word."""
    ids = encoded.inputs["input_ids"]
    x, targets = examples(ids, causal)
    with torch.no_grad():
        logits = model.eval()(x)
    words = model.vocabulary.tokens
    found: list[str | None] = [None] * ids.shape[1]
    for row in range(x.shape[0]):
        for position in (targets[row] != IGNORE).nonzero().flatten().tolist():
            found[position] = words[int(logits[row, position].argmax())]
    return found
