"""Task ``rnn.inspect``: every step of an RNN, LSTM or GRU reading one sequence.

For a run trained here (at any kept epoch) or a model from the notebook: hidden and cell
states and gates per layer and direction (``gates.replay``, checked against the module's own
outputs), predictions per step, the memory plot (gradient of the prediction at one step with
respect to every input), the hidden state's path in 2-D (PCA) and gate saturation per unit.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from .. import arrays
from ..data.notebook import lookup
from ..tasks import RunContext, TaskError, load_schema
from ..training import runs as kept_runs
from ..training.params import complete
from ..transformer.pca import pca_2d
from . import gates
from . import probe as probing
from .data import UNKNOWN
from .probe import Parts, evaluating, find_parts, probe, scores_of

TASK = "rnn.inspect"
# The replay must match the module's own outputs this closely (float32 models).
TOLERANCE = 1e-4
INPUT_KINDS = ("text", "tokens", "values", "variable")


def run(params: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Every RNN view's data for one sequence; see rnn/inspect.result.schema.json."""
    params = complete(load_schema(TASK), params)
    model, trained, epoch, field = _source(params)
    data = trained.data if trained is not None else None
    name = params["model"] or f"The model of run {params['run']!r}"
    parts = find_parts(model, name, field)
    sequence, shown = choose_input(params["input"], parts, data)
    shown["length"] = int(sequence.shape[0])
    keep = params["max_steps"]
    sequence = sequence[:keep]
    shown["steps"] = int(sequence.shape[0])
    for key in ("tokens", "characters"):
        if shown[key] is not None:
            shown[key] = shown[key][:keep]
    if isinstance(shown["target"], list) and len(shown["target"]) == shown["length"]:
        shown["target"] = shown["target"][:keep]
    shown["signals"] = {key: values[:keep] for key, values in shown["signals"].items()}
    if parts.embedding is None:
        shown["values"] = arrays.encode(sequence.float(), "float32")
    labels = _labels(parts, data, params["input"])
    # A model that cannot read the sequence: the typed input is the likelier culprit.
    reading = field if shown["source"] == "data" else f"input.{shown['source']}"
    result = inspect(model, parts, sequence, params["step"], params["top_k"], labels, field,
                     reading)
    result["source"] = {"run": params["run"] or None, "model": params["model"] or None,
                        "epoch": epoch}
    result["input"] = shown
    result["dataset"] = None
    if trained is not None:
        result["dataset"] = {**data.describe(),
                             "train_size": int(trained.split.train_index.shape[0]),
                             "validation_size": int(trained.split.val_index.shape[0])}
    return result


def _source(params: dict[str, Any]) -> tuple[nn.Module, Any, int | None, str]:
    """The model to inspect, its kept run (None for a notebook model), the epoch, the field."""
    run_id, model_name = params["run"], params["model"]
    if bool(run_id) == bool(model_name):
        raise TaskError("Choose either a training run or a model from your notebook (one of "
                        "the two).", "run" if not run_id else "model")
    if model_name:
        return lookup(model_name, "model"), None, None, "model"
    trained = kept_runs.get(run_id)
    if trained is None:
        raise TaskError(f"No trained model is kept for run {run_id!r} in this kernel. "
                        f"{kept_runs.why_missing(run_id)}", "run")
    model, epoch = trained.model, None
    if params["epoch"] >= 0:
        epoch = params["epoch"]
        state = trained.training.snapshots.state(epoch)
        if state is None:
            snapshots = trained.training.snapshots
            kept = [e for e in snapshots.epochs if snapshots.state(e) is not None]
            raise TaskError(f"Epoch {epoch} is not kept for this run; kept epochs: {kept}.",
                            "epoch")
        model = copy.deepcopy(model)
        model.load_state_dict(state)
    return model, trained, epoch, "run"


def inspect(model: nn.Module, parts: Parts, sequence: torch.Tensor, step: int, top_k: int,
            labels: list[str] | None, field: str = "model", reading: str = "model"
            ) -> dict[str, Any]:
    """The views of ``model`` reading ``sequence`` (token ids [T] or numbers [T, F]).

    ``step`` (-1: the last) is the step whose prediction the memory plot traces back;
    ``labels`` name the model's outputs (characters or classes) when known. Errors name
    ``field`` (the model) or ``reading`` (when the model cannot read the sequence).
    """
    steps = int(sequence.shape[0])
    if steps < 1:
        raise TaskError("The sequence is empty: give at least one step.", "input")
    if step >= steps:
        raise TaskError(f"Step {step} is past the end of this sequence of {steps} steps "
                        f"(0 to {steps - 1}).", "step")
    step = steps - 1 if step < 0 else step
    with evaluating(model):
        batch = probing.as_batch(model, parts, sequence)
        seen = probe(model, parts, batch, reading)
        found = gates.replay(parts.rnn, seen.rnn_input, seen.h0, seen.c0)
        worst = gates.difference(found, seen.output, seen.h_n, seen.c_n)
        if worst > TOLERANCE:
            raise TaskError(f"The gates recomputed from the weights differ from the network's "
                            f"own outputs by {worst:.2g} (more than {TOLERANCE:g}), so they "
                            "cannot be shown: does the model change its recurrent module's "
                            "weights or states in a way this view does not know?", field)
        scores = scores_of(seen.model_output, parts)
        predictions = _predictions(model, parts, batch, scores, top_k, labels)
        memory = _memory(model, parts, batch, seen, scores, step, reading)
    rnn = parts.rnn
    return {
        "network": _network(parts, scores),
        "check": {"max_abs_difference": worst, "tolerance": TOLERANCE},
        "layers": [_layer(rnn.mode, entry) for entry in found.layers],
        "predictions": predictions,
        "memory": memory,
    }


def _network(parts: Parts, scores) -> dict[str, Any]:
    rnn = parts.rnn
    return {"cell": gates.cell_name(rnn), "module": parts.rnn_name,
            "layers": rnn.num_layers, "hidden_size": rnn.hidden_size,
            "bidirectional": bool(rnn.bidirectional), "input_size": rnn.input_size,
            "projection_size": int(getattr(rnn, "proj_size", 0) or 0),
            "reads": "tokens" if parts.embedding is not None else "numbers",
            "vocabulary_size": parts.embedding.num_embeddings if parts.embedding else None,
            "outputs": int(scores[1].shape[-1]) if scores else None,
            "per_step": scores[0] == "per_step" if scores else None,
            "gates": list(gates.GATES[rnn.mode])}


def _layer(mode: str, entry: dict[str, Any]) -> dict[str, Any]:
    """One layer and direction: states, gates, gate saturation and the state's 2-D path."""
    hidden = entry["hidden"]
    points, shares = pca_2d(hidden)
    return {
        "layer": entry["layer"], "direction": entry["direction"],
        "hidden": arrays.encode(hidden.float(), "float32"),
        "cell": arrays.encode(entry["cell"].float(), "float32")
        if entry["cell"] is not None else None,
        "gates": {name: arrays.encode(values.float(), "float32")
                  for name, values in entry["gates"].items()},
        "saturation": {name: {side: arrays.encode(share.float(), "float32")
                              for side, share in sides.items()}
                       for name, sides in gates.saturation(mode, entry["gates"]).items()},
        "trajectory": {"points": arrays.encode(points, "float32"), "variance": shares},
    }


def _predictions(model: nn.Module, parts: Parts, batch: torch.Tensor, scores, top_k: int,
                 labels: list[str] | None) -> dict[str, Any]:
    """Top-k per step (per-step models) or the class probabilities after each step."""
    empty = {"kind": "none", "task": None, "labels": None, "top_k": None,
             "probabilities": None, "values": None}
    if scores is None:
        return empty
    kind, values = scores
    if kind == "last":
        values = probing.after_each_step(model, parts, batch, values)
    values = values.detach().float().cpu()
    outputs = int(values.shape[-1])
    found = {**empty, "kind": "per_step" if kind == "per_step" else "after_each_step",
             "labels": labels if labels is not None and len(labels) == outputs else None}
    if outputs == 1:
        return {**found, "task": "regression", "values": arrays.encode(values[:, 0], "float32")}
    probabilities = torch.softmax(values, dim=-1)
    best = probabilities.topk(min(top_k, outputs), dim=-1)
    found.update(task="classification", top_k={
        "indices": arrays.encode(best.indices.to(torch.int32), "int32"),
        "probabilities": arrays.encode(best.values, "float32")})
    if kind == "last":
        found["probabilities"] = arrays.encode(probabilities, "float32")
    return found


def _memory(model: nn.Module, parts: Parts, batch: torch.Tensor, seen, scores, step: int,
            field: str) -> dict[str, Any]:
    """How much the prediction at ``step`` depends on each input: |d prediction / d x_s|."""
    steps = int(seen.rnn_input.shape[0])
    inputs = "embedding" if parts.embedding is not None else "numbers"
    if not seen.rnn_input.requires_grad:
        return {"step": step, "of": None, "class": None, "inputs": inputs,
                "gradient_norms": arrays.encode(torch.zeros(steps), "float32")}
    chosen = None
    if scores is None:
        of = "hidden"
        norms = probing.jacobian_norms(parts.rnn, seen.rnn_input, seen.h0, seen.c0, step)
    else:
        kind, values = scores
        traced = seen
        if kind == "last" and step < steps - 1:
            time_dim = 1 if parts.rnn.batch_first else 0
            traced = probe(model, parts, batch.narrow(time_dim, 0, step + 1), field)
            values = scores_of(traced.model_output, parts)[1]
        row = values[step] if kind == "per_step" else values
        if row.shape[-1] == 1:
            of, target = "value", row[0]
        else:
            of, chosen = "score", int(row.detach().argmax())
            target = row[chosen]
        norms = traced.gradient_norms(target)
        if norms.shape[0] < steps:
            norms = torch.cat([norms, torch.zeros(steps - norms.shape[0], dtype=norms.dtype)])
    return {"step": step, "of": of, "class": chosen, "inputs": inputs,
            "gradient_norms": arrays.encode(norms.float(), "float32")}


def choose_input(spec: dict[str, Any], parts: Parts, data: Any
                 ) -> tuple[torch.Tensor, dict[str, Any]]:
    """The sequence to read (token ids [T] or numbers [T, F]) and how the result shows it."""
    given = [kind for kind in INPUT_KINDS if spec[kind]]
    if len(given) > 1:
        raise TaskError(f"Give one sequence: {given[0]} and {given[1]} are both filled in.",
                        f"input.{given[1]}")
    tokens = parts.embedding is not None
    kind = given[0] if given else "data"
    shown: dict[str, Any] = {"source": kind, "index": None, "tokens": None,
                             "characters": None, "values": None, "target": None, "signals": {}}
    if kind in ("text", "tokens") and not tokens:
        raise TaskError("This model reads numbers, not characters or tokens: give numbers "
                        "per step instead.", f"input.{kind}")
    if kind == "values" and tokens:
        raise TaskError("This model reads characters or tokens (it has an embedding), not "
                        "numbers per step.", "input.values")
    if kind == "text":
        sequence = _encode(spec["text"], _vocabulary(data, spec["vocabulary"]))
    elif kind == "tokens":
        sequence = torch.tensor(spec["tokens"], dtype=torch.int64)
    elif kind == "values":
        sequence = _numbers(spec["values"], "input.values", "Numbers per step")
    elif kind == "variable":
        sequence, picked = _from_variable(spec["variable"], spec["index"], tokens)
        shown["index"] = spec["index"] if picked else None
    else:
        if data is None:
            raise TaskError("A notebook model has no data set here: type a sequence (text, "
                            "token numbers or numbers per step) or name a notebook variable.",
                            "input")
        sequence, shown["target"], shown["signals"] = _from_data(data, spec["index"], tokens)
        shown["index"] = spec["index"]
    if tokens:
        size = parts.embedding.num_embeddings
        if sequence.numel() and int(sequence.max()) >= size:
            raise TaskError(f"Token numbers must be below {size}, the size of the model's "
                            "embedding.", f"input.{kind if kind != 'data' else 'index'}")
        shown["tokens"] = sequence.tolist()
        shown["characters"] = _characters(sequence, data, spec["vocabulary"])
    return sequence, shown


def _numbers(rows: Any, field: str, title: str) -> torch.Tensor:
    """Numbers per step as float32 [T, F]: every row as long as the first, no NaN."""
    try:
        values = torch.as_tensor(rows, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TaskError(f"{title} must be rows of numbers, every row as long as the first.",
                        field) from None
    if values.dim() == 1:
        values = values.unsqueeze(1)
    if values.dim() != 2 or not torch.isfinite(values).all():
        raise TaskError(f"{title} must be rows of finite numbers, one row per step.", field)
    return values


def _from_variable(name: str, index: int, tokens: bool) -> tuple[torch.Tensor, bool]:
    """One sequence from a notebook variable: [N, T(, F)] picks ``index`` (True), else itself."""
    value = lookup(name, "input.variable")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
    try:
        value = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise TaskError(f"{name} is a {type(value).__name__}, not a tensor or array.",
                        "input.variable") from None
    single = 1 if tokens else 2
    picked = value.dim() == single + 1
    if picked:
        if index >= value.shape[0]:
            raise TaskError(f"{name} holds {value.shape[0]} sequences (0 to "
                            f"{value.shape[0] - 1}).", "input.index")
        value = value[index]
    if value.dim() != single:
        wanted = "[N, T] or [T] token numbers" if tokens else "[N, T, F] or [T, F] numbers"
        raise TaskError(f"{name} is shaped {list(value.shape)}; this model reads {wanted}.",
                        "input.variable")
    if tokens:
        if value.is_floating_point() and not torch.equal(value, value.round()):
            raise TaskError(f"{name} must hold token numbers (whole numbers).", "input.variable")
        if value.numel() and int(value.min()) < 0:
            raise TaskError(f"{name} holds negative token numbers.", "input.variable")
        return value.to(torch.int64), picked
    return _numbers(value.to(torch.float32), "input.variable", name), picked



def _vocabulary(data: Any, variable: str) -> list[str | None]:
    """The character of every token id: from the notebook variable named, else the run's data."""
    if variable:
        value = lookup(variable, "input.vocabulary")
        if isinstance(value, str):
            return list(value)
        if isinstance(value, (list, tuple)) and all(isinstance(c, str) for c in value):
            return list(value)
        if isinstance(value, dict) and all(isinstance(c, str) and isinstance(i, int)
                                           and 0 <= i < 10_000_000 for c, i in value.items()):
            found: list[str | None] = [None] * (max(value.values(), default=-1) + 1)
            for char, i in value.items():
                found[i] = char
            return found
        raise TaskError(f"{variable} must be a string, a list of characters or a dict from "
                        "character to token number.", "input.vocabulary")
    if data is not None and getattr(data, "vocabulary", None):
        return list(data.vocabulary)
    raise TaskError("To type text for a notebook model, name the notebook variable that holds "
                    "its vocabulary (which number each character has).", "input.vocabulary")


def _encode(text: str, vocabulary: list[str | None]) -> torch.Tensor:
    """Token ids of ``text``; unknown characters read as the vocabulary's UNKNOWN, if it has one."""
    index = {char: i for i, char in enumerate(vocabulary) if char is not None}
    fallback = index.get(UNKNOWN)
    missing = sorted({char for char in text if char not in index})
    if missing and fallback is None:
        raise TaskError(f"The model does not know the character(s) "
                        f"{', '.join(map(repr, missing[:10]))}.", "input.text")
    return torch.tensor([index.get(char, fallback) for char in text], dtype=torch.int64)


def _characters(sequence: torch.Tensor, data: Any, variable: str) -> list[str | None] | None:
    """The characters behind the token ids, when the vocabulary is known."""
    if not variable and getattr(data, "vocabulary", None) is None:
        return None
    vocabulary = _vocabulary(data, variable)
    return [vocabulary[i] if i < len(vocabulary) else None for i in sequence.tolist()]


def _labels(parts: Parts, data: Any, spec: dict[str, Any]) -> list[str] | None:
    """Names of the model's outputs: the run's classes (characters for text), or the vocabulary."""
    if data is not None and getattr(data, "classes", None) is not None:
        return [str(c) for c in data.classes]
    if parts.embedding is not None and spec["vocabulary"]:
        vocabulary = _vocabulary(data, spec["vocabulary"])
        return [c if c is not None else "" for c in vocabulary]
    return None


def _from_data(data: Any, index: int, tokens: bool) -> tuple[torch.Tensor, Any, dict]:
    """The run's sequence ``index``: inputs, target (as JSON) and per-step signals."""
    size = int(data.x.shape[0])
    if index >= size:
        raise TaskError(f"The {data.name} data has {size} sequences (0 to {size - 1}).",
                        "input.index")
    sequence = data.x[index]
    if tokens == sequence.is_floating_point():
        raise TaskError("The run's data does not fit its model's input.", "run")
    target = data.y[index]
    target = target.reshape(-1).tolist() if target.dim() >= 1 and target.numel() > 1 \
        else target.reshape(-1)[0].item()
    signals = {name: values[index].tolist()
               for name, values in (getattr(data, "signals", None) or {}).items()}
    return sequence, target, signals
