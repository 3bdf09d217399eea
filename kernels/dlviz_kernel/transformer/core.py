"""What every transformer view shares: which model to read, how to feed it, what to record.

A ``Subject`` is a model plus the way to turn text into its input: a pretrained model (by
name or folder), a model and tokenizer held in notebook variables, or a scratch model
trained by ``transformer.train``. ``trace`` runs it once on one text and records, with
forward hooks, what each attention module computed: its input X and its Q, K and V.

Attention modules are found by their projections: BERT-like ``query``/``key``/``value``
Linear layers (the scratch model uses the same names) or GPT-2's fused ``c_attn``.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from ..tasks import RunContext, TaskError
from .encoding import Encoded, cut_text, encode_with_tokenizer, token_budget
from .pca import pca_2d, project_layers  # noqa: F401  (re-exported for the view tasks)

# Above this many tokens, [.., N, N] and [.., N, d] arrays travel as float16 (half the bytes).
HALF_PRECISION_ABOVE = 128

# Names of the projections of a self-attention module, BERT-like models first.
_QKV_NAMES = (("query", "key", "value"), ("q_lin", "k_lin", "v_lin"))
# Embedding parts by the endings of their module names (BERT, GPT-2, the scratch model).
_EMBEDDING_PARTS = {
    "token": ("word_embeddings", "wte"),
    "position": ("position_embeddings", "wpe"),
    "token_type": ("token_type_embeddings",),
}


@dataclass
class AttentionSpec:
    """One self-attention module: its projections, head count, head size and score scale."""

    name: str
    module: nn.Module
    style: str  # "qkv": three Linear layers; "c_attn": GPT-2's one Conv1D for q, k and v
    projections: tuple[nn.Module, ...]
    heads: int
    head_dim: int
    scaling: float


@dataclass
class Trace:
    """What one forward pass computed, batch dimension removed."""

    attention: torch.Tensor                      # [layers, heads, N, N]
    hidden_states: list[torch.Tensor] | None     # layers + 1 of [N, hidden]
    x: list[torch.Tensor] = field(default_factory=list)   # per layer: [N, hidden_in]
    q: list[torch.Tensor] = field(default_factory=list)   # per layer: [heads, N, head_dim]
    k: list[torch.Tensor] = field(default_factory=list)
    v: list[torch.Tensor] = field(default_factory=list)
    embeddings: dict[str, torch.Tensor] = field(default_factory=dict)  # part -> [N, hidden]


class Subject:
    """A model and how to feed it text; ``name`` is what the result reports as its model."""

    def __init__(self, name: str, model: nn.Module, tokenizer: Any = None,
                 field: str = "model") -> None:
        self.name = name
        self.field = field
        self.model = model
        self.tokenizer = tokenizer
        self.scratch = tokenizer is None and hasattr(model, "vocabulary")
        self.specs = attention_specs(model)
        if not self.specs:
            raise TaskError(f"{name} has no self-attention layers this view can read (it looks "
                            "for BERT-like query/key/value or GPT-2-like c_attn projections).",
                            field)

    @property
    def causal(self) -> bool:
        """Whether a token may look only at itself and earlier tokens (decoders)."""
        if self.scratch:
            return bool(self.model.causal)
        config = getattr(self.model, "config", None)
        return (self.specs[0].style == "c_attn"
                or bool(getattr(config, "is_decoder", False)))

    def limit(self) -> int:
        """The most tokens the model can read (its position embeddings)."""
        if self.scratch:
            return int(self.model.max_positions)
        limits = [getattr(getattr(self.model, "config", None), "max_position_embeddings", None),
                  getattr(getattr(self.model, "config", None), "n_positions", None),
                  getattr(self.tokenizer, "model_max_length", None)]
        # Tokenizers without a limit report a huge sentinel number; ignore it.
        usable = [int(n) for n in limits if isinstance(n, int) and 0 < n < 100_000]
        return min(usable) if usable else 512

    def encode(self, text: str, text_b: str | None, max_tokens: int) -> Encoded:
        """Tokens and model inputs, cut to ``min(max_tokens, the model's limit)`` tokens.

        Each text is first cut to what that many tokens can need (``encoding.cut_text``),
        so a huge text is never tokenized whole.
        """
        max_tokens = min(max_tokens, self.limit())
        text, cut = cut_text(text, max_tokens)
        text_b, cut_b = cut_text(text_b, max_tokens)
        if self.scratch:
            encoded = self.model.vocabulary.encode(text, text_b, max_tokens)
        else:
            encoded = encode_with_tokenizer(self.tokenizer, self.model, text, text_b, max_tokens)
        encoded.truncated = encoded.truncated or cut or cut_b
        return encoded


def attention_specs(model: nn.Module) -> list[AttentionSpec]:
    """The model's self-attention modules in layer order."""
    found = []
    config = getattr(model, "config", None)
    for name, module in model.named_modules():
        if getattr(module, "is_cross_attention", False):
            continue
        heads = (getattr(module, "num_attention_heads", None) or getattr(module, "num_heads", None)
                 or getattr(module, "n_heads", None)
                 or getattr(config, "num_attention_heads", None))
        c_attn = getattr(module, "c_attn", None)
        if c_attn is not None and heads and hasattr(c_attn, "weight"):
            width = c_attn.weight.shape[1] // 3
            found.append(_spec(name, module, "c_attn", (c_attn,), int(heads), width))
            continue
        for names in _QKV_NAMES:
            parts = tuple(getattr(module, n, None) for n in names)
            if heads and all(isinstance(p, nn.Linear) for p in parts):
                found.append(_spec(name, module, "qkv", parts, int(heads), parts[0].out_features))
                break
    return found


def _spec(name, module, style, projections, heads, width) -> AttentionSpec:
    head_dim = int(getattr(module, "attention_head_size", None)
                   or getattr(module, "head_dim", None) or width // heads)
    scaling = getattr(module, "scaling", None)
    return AttentionSpec(name, module, style, projections, heads, head_dim,
                         float(scaling) if scaling is not None else head_dim ** -0.5)


def _embedding_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The token, position and token-type embedding tables of the model, where it has them."""
    found: dict[str, nn.Module] = {}
    for name, module in model.named_modules():
        if not isinstance(module, nn.Embedding):
            continue
        last = name.rsplit(".", 1)[-1]
        for part, endings in _EMBEDDING_PARTS.items():
            if last in endings and part not in found:
                found[part] = module
    return found


@contextlib.contextmanager
def _eager_eval(model: nn.Module):
    """Eval mode and eager attention (the one that returns weights) for one pass, then restore."""
    was_training = model.training
    config = getattr(model, "config", None)
    before = getattr(config, "_attn_implementation", None)
    switch = before not in (None, "eager") and hasattr(model, "set_attn_implementation")
    if switch:
        model.set_attn_implementation("eager")
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)
        if switch:
            model.set_attn_implementation(before)


def trace(subject: Subject, encoded: Encoded, qkv: bool = False, hidden: bool = False,
          embeddings: bool = False) -> Trace:
    """Run the model once; record attention, and on request Q/K/V, hidden states, embeddings."""
    model = subject.model
    seen: dict[str, Any] = {"x": [], "q": [], "k": [], "v": [], "emb": {}}
    handles = []

    def heads_first(out: torch.Tensor, spec: AttentionSpec) -> torch.Tensor:
        # [1, N, heads * d] -> [heads, N, d]
        return out[0].detach().reshape(out.shape[1], spec.heads, spec.head_dim).transpose(0, 1)

    def fused(spec: AttentionSpec):
        def hook(module, inputs, out):
            seen["x"].append(inputs[0][0].detach())
            for key, part in zip("qkv", out.split(out.shape[-1] // 3, dim=-1)):
                seen[key].append(heads_first(part, spec))
        return hook

    def separate(spec: AttentionSpec, key: str):
        def hook(module, inputs, out):
            if key == "q":
                seen["x"].append(inputs[0][0].detach())
            seen[key].append(heads_first(out, spec))
        return hook

    if qkv:
        for spec in subject.specs:
            if spec.style == "c_attn":
                handles.append(spec.projections[0].register_forward_hook(fused(spec)))
            else:
                for key, projection in zip("qkv", spec.projections):
                    handles.append(projection.register_forward_hook(separate(spec, key)))
    if embeddings:
        for part, module in _embedding_modules(model).items():
            def keep(module, inputs, out, part=part):
                # GPT-2 reuses its word table for token types; the first call is the tokens.
                seen["emb"].setdefault(part, out[0].detach())
            handles.append(module.register_forward_hook(keep))
    try:
        with torch.no_grad(), _eager_eval(model):
            if subject.scratch:
                out = model(encoded.inputs["input_ids"], details=True)
            else:
                out = model(**encoded.inputs, output_attentions=True, output_hidden_states=hidden)
    finally:
        for handle in handles:
            handle.remove()
    attentions = getattr(out, "attentions", None)
    if not attentions or attentions[0] is None:
        raise TaskError(f"{subject.name} does not return attention weights.", subject.field)
    states = getattr(out, "hidden_states", None) if hidden else None
    return Trace(
        attention=torch.stack([a[0] for a in attentions]).float(),
        hidden_states=[h[0].float() for h in states] if states else None,
        x=[x.float() for x in seen["x"]], q=[q.float() for q in seen["q"]],
        k=[k.float() for k in seen["k"]], v=[v.float() for v in seen["v"]],
        embeddings={k: v.float() for k, v in seen["emb"].items()},
    )


def head_weights(spec: AttentionSpec,
                 head: int) -> dict[str, tuple[torch.Tensor, torch.Tensor | None]]:
    """Each projection's slice for one head as (W [hidden_in, head_dim], b [head_dim] or None).

    With these, the head's Q = X @ W_q + b_q (and the same for K and V).
    """
    lo, hi = head * spec.head_dim, (head + 1) * spec.head_dim
    found = {}
    if spec.style == "c_attn":
        # GPT-2's Conv1D stores weight as [in, out] with q, k, v side by side in ``out``.
        conv = spec.projections[0]
        width = conv.weight.shape[1] // 3
        for part, key in enumerate(("query", "key", "value")):
            cols = slice(part * width + lo, part * width + hi)
            bias = conv.bias[cols].detach() if conv.bias is not None else None
            found[key] = (conv.weight[:, cols].detach().float(), _float(bias))
    else:
        for key, linear in zip(("query", "key", "value"), spec.projections):
            bias = linear.bias[lo:hi].detach() if linear.bias is not None else None
            # nn.Linear stores [out, in]; transposed it multiplies X from the right.
            found[key] = (linear.weight[lo:hi].detach().float().T.contiguous(), _float(bias))
    return found


def _float(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else t.float()


def allowed(subject: Subject, encoded: Encoded) -> torch.Tensor:
    """[N, N] bool: may token i look at token j (padding and, for decoders, the future)."""
    n = encoded.length
    mask = torch.ones(n, n, dtype=torch.bool)
    padding = encoded.inputs.get("attention_mask")
    if padding is not None:
        mask &= padding[0].bool().unsqueeze(0)
    if subject.causal:
        mask &= torch.ones(n, n, dtype=torch.bool).tril()
    return mask


def array_dtype(n_tokens: int) -> str:
    """float16 for long inputs (N > HALF_PRECISION_ABOVE), float32 otherwise."""
    return "float16" if n_tokens > HALF_PRECISION_ABOVE else "float32"


def text_fields(subject: Subject, encoded: Encoded) -> dict[str, Any]:
    """The keys every view result starts with: which model read which tokens."""
    return {
        "model": subject.name,
        "tokens": encoded.tokens,
        "sentence_b_start": encoded.sentence_b_start,
        "sentence": encoded.sentence,
        "truncated": encoded.truncated,
        "num_layers": len(subject.specs),
    }


def load_and_encode(params: dict[str, Any], ctx: RunContext, steps: int) -> tuple:
    """Steps 1 to 3 of every view task: load the model, tokenize, say how many tokens.

    Returns ``(subject, encoded)``; the caller's step ``steps`` comes after these three.
    """
    # An emptied form field arrives as "" and means "no second sentence".
    text, text_b = params["text"], params.get("text_b") or None
    label = params.get("model_variable") or params.get("run") or params["model"]
    ctx.progress(1, steps, f"Loading the model {label}")
    subject = subject_from_params(params, ctx)
    ctx.progress(2, steps, "Splitting the text into tokens")
    encoded = subject.encode(text, text_b, token_budget(params["max_tokens"], ctx))
    ctx.progress(3, steps, f"Running the model on {encoded.length} tokens",
                 tokens=encoded.length)
    return subject, encoded


def subject_from_params(params: dict[str, Any], ctx: RunContext | None = None) -> Subject:
    """The model the parameters name: a notebook variable, a kept run, or a pretrained model."""
    if params.get("run"):
        return subject_from_run(params["run"], params.get("epoch", -1))
    if params.get("model_variable"):
        return subject_from_namespace(params["model_variable"], params.get("tokenizer_variable"))
    if params.get("tokenizer_variable"):
        raise TaskError("A tokenizer from your notebook needs its model too: fill in the model "
                        "variable.", "model_variable")
    from . import pretrained

    tokenizer, model, _ = pretrained.load(params["model"])
    return Subject(params["model"], model, tokenizer)


def subject_from_namespace(model_name: str, tokenizer_name: str | None,
                           namespace: dict[str, Any] | None = None) -> Subject:
    """A model (and tokenizer) from notebook variables, looked up by name, never evaluated."""
    from ..data.notebook import lookup

    model = lookup(model_name, "model_variable", namespace)
    if not isinstance(model, nn.Module):
        raise TaskError(f"{model_name} is a {type(model).__name__}, not a torch.nn.Module.",
                        "model_variable")
    tokenizer = None
    if tokenizer_name:
        tokenizer = lookup(tokenizer_name, "tokenizer_variable", namespace)
        if not callable(tokenizer) or not hasattr(tokenizer, "convert_ids_to_tokens"):
            raise TaskError(f"{tokenizer_name} is a {type(tokenizer).__name__}, not a "
                            "transformers tokenizer.", "tokenizer_variable")
    elif not hasattr(model, "vocabulary"):
        raise TaskError(f"{model_name} needs its tokenizer: fill in the tokenizer variable.",
                        "tokenizer_variable")
    return Subject(model_name, model, tokenizer, "model_variable")


def subject_from_run(run_id: str, epoch: int = -1) -> Subject:
    """The scratch model of a ``transformer.train`` run, with its weights after ``epoch``."""
    from ..training import runs

    trained = runs.get(run_id)
    if trained is None:
        raise TaskError(f"No transformer trained by run {run_id!r} is kept in this kernel. "
                        f"{runs.why_missing(run_id)}", "run")
    if trained.task != "transformer.train":
        raise TaskError(f"Run {run_id!r} trained a {trained.task} model, not a transformer: "
                        "choose a transformer.train run.", "run")
    model = trained.model
    if epoch is not None and epoch >= 0:
        state = trained.training.snapshots.state(epoch)
        if state is None:
            raise TaskError(f"Epoch {epoch} is not kept for this run; it has epochs "
                            f"{trained.training.snapshots.epochs}.", "epoch")
        model = copy.deepcopy(model)
        model.load_state_dict(state)
    return Subject(f"run {run_id}", model.eval(), None, "run")


def check_position(value: int, count: int, what: str, field_name: str) -> None:
    """Refuse a layer, head or token number outside 0..count-1."""
    if not 0 <= value < count:
        raise TaskError(f"This model has {count} {what} (0 to {count - 1}); {value} is not one "
                        "of them.", field_name)

