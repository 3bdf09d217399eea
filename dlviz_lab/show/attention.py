"""`show.attention` (BertViz's head, model and neuron views) and `show.model_summary`."""

from __future__ import annotations

from typing import Any

from ._view import View

ATTENTION_VIEWS = ("head", "model", "neuron")


def attention(model, tokenizer, text: str, text_b: str | None = None, view: str = "head",
              layer: int | None = None, heads: list[int] | None = None) -> View:
    """The attention of a transformer on `text` (and `text_b`), as a BertViz-style view.

    `view` is "head" (one layer, chosen heads), "model" (every layer and head) or "neuron"
    (queries and keys of one head; BERT-like models). `layer` and `heads` choose what the view
    shows first (default: layer 0, every head). The model is run in eval mode, without
    gradients; its own train/eval mode is restored afterwards.
    """
    if view not in ATTENTION_VIEWS:
        raise ValueError(f"view must be one of {', '.join(ATTENTION_VIEWS)}, not {view!r}")
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    payload = _attention_payload(model, tokenizer, text, text_b or None, view)
    num_layers, num_heads = payload["num_layers"], payload["num_heads"]
    if layer is not None and not 0 <= int(layer) < num_layers:
        raise ValueError(f"layer must be between 0 and {num_layers - 1}, not {layer}")
    if heads is not None:
        heads = [int(h) for h in heads]
        wrong = [h for h in heads if not 0 <= h < num_heads]
        if wrong:
            raise ValueError(f"heads must be between 0 and {num_heads - 1}; not {wrong}")
    payload["layer"] = None if layer is None else int(layer)
    payload["heads"] = heads
    description = (f"dlviz-lab {view} view of the attention of {_model_name(model)}: "
                   f"{num_layers} layers x {num_heads} heads over {len(payload['tokens'])} "
                   f"tokens{' (text cut)' if payload['truncated'] else ''}; "
                   "open the notebook in JupyterLab with dlviz-lab to see it")
    return View(payload, description)


def model_summary(module) -> View:
    """The layers of a torch module (leaf modules) with their parameter counts; runs nothing."""
    layers = []
    for name, child in module.named_modules():
        if any(True for _ in child.children()):
            continue  # containers: their leaves are listed
        own = sum(p.numel() for p in child.parameters(recurse=False))
        layers.append({"name": name or type(child).__name__, "type": type(child).__name__,
                       "parameters": int(own)})
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    payload = {"view": "model_summary", "class_name": type(module).__name__,
               "total_parameters": int(total), "trainable_parameters": int(trainable),
               "layers": layers}
    return View(payload, f"{type(module).__name__}: {total:,} parameters "
                         f"({trainable:,} trainable) in {len(layers)} layers")


# -- attention ---------------------------------------------------------------------------------

def _attention_payload(model, tokenizer, text, text_b, view) -> dict[str, Any]:
    # the kernel runtime computes it, exactly as for the side panel's transformer views
    from dlviz_kernel.transformer.views import attention_view

    return _from_runtime(attention_view(model, tokenizer, text, text_b=text_b, view=view),
                         model, view)


def _from_runtime(data: dict[str, Any], model, view: str) -> dict[str, Any]:
    """The runtime's view data as our payload: float arrays as float16 (half the notebook size)."""
    from dlviz_kernel import arrays

    payload = {"view": view}
    for key, value in data.items():
        if isinstance(value, dict) and value.get("dtype") in ("float32", "float64") \
                and "data" in value and "scale" not in value:
            value = arrays.encode(arrays.decode(value), "float16")
        elif hasattr(value, "shape") and not isinstance(value, dict):
            value = arrays.encode(value, "float16")
        payload[key] = value
    if "dtype" in payload:
        payload["dtype"] = payload["attention"]["dtype"]
    # a short name, not the folder path of the learner's machine, goes into the notebook
    payload["model"] = _model_name(model)
    shape = payload["attention"]["shape"]
    payload.setdefault("num_layers", int(shape[0]))
    payload.setdefault("num_heads", int(shape[1]))
    payload.setdefault("sentence_b_start", None)
    payload.setdefault("truncated", False)
    payload["view"] = view
    return payload


def _model_name(model) -> str:
    config = getattr(model, "config", None)
    name = getattr(config, "name_or_path", None) or getattr(config, "_name_or_path", None)
    if not name:
        return type(model).__name__
    parts = str(name).rstrip("/").split("/")
    # a hub id (owner/name) stays whole; a local folder is named by its last two parts
    return "/".join(parts[-2:])
