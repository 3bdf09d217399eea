"""Models in the notebook, and models made by runs.

``list_models`` shows which ``torch.nn.Module`` objects and tokenizers the learner's
notebook holds, so a view can use "the model from my notebook". ``get_model`` hands
back a model that a run (for example a training run) made.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import Any

from . import protocol

# How many run models are kept; older ones are dropped so a long class session does not
# fill the pod's memory.
KEEP_AT_MOST = 20

# run_id -> model, oldest first. Lives in this module, never in the learner's variables.
_kept: OrderedDict[str, Any] = OrderedDict()


def keep(run_id: str | None, model: Any) -> None:
    """Remember the model a run made, under its run id."""
    if run_id is None:
        return
    _kept[run_id] = model
    _kept.move_to_end(run_id)
    while len(_kept) > KEEP_AT_MOST:
        _kept.popitem(last=False)


def get_model(run_id: str) -> Any:
    """The model that the run ``run_id`` made, to use in your notebook.

    Example: ``model = dlviz_kernel.get_model("3f2a...")`` with the id shown in the run's view.
    """
    try:
        return _kept[run_id]
    except KeyError:
        raise KeyError(
            f"No model is kept for run {run_id!r}. Only the last {KEEP_AT_MOST} runs that "
            "made a model keep it, and a kernel restart forgets them."
        ) from None


def list_models(namespace: dict[str, Any] | None = None, publisher: Any = None) -> list[dict]:
    """List the models and tokenizers held by the notebook's variables, and publish the list.

    ``namespace`` defaults to the IPython user namespace (empty outside IPython). Names that
    start with ``_`` are skipped. Each entry is ``{"name", "class_name", "kind", "parameters"}``
    with ``kind`` "module" or "tokenizer" (tokenizers have 0 parameters). Nothing in the
    namespace is created or changed.
    """
    if namespace is None:
        namespace = _user_namespace()
    module_type = _module_type()
    found = []
    # A copy of the items, so a variable assigned meanwhile cannot break the loop.
    for name, value in sorted(list(namespace.items()), key=lambda item: item[0]):
        if not isinstance(name, str) or name.startswith("_"):
            continue
        if module_type is not None and isinstance(value, module_type):
            found.append(_entry(name, value, "module", count_parameters(value)))
        elif _is_tokenizer(value):
            found.append(_entry(name, value, "tokenizer", 0))
    (publisher or protocol.default_publisher).publish({"kind": "models", "models": found})
    return found


def count_parameters(module: Any) -> int:
    """The number of numbers a module learns (shared weights counted once)."""
    total = 0
    for parameter in module.parameters():
        try:
            total += parameter.numel()
        except ValueError:
            # Lazy layers have no size until they first see data.
            continue
    return int(total)


def _entry(name: str, value: Any, kind: str, parameters: int) -> dict[str, Any]:
    return {"name": name, "class_name": type(value).__name__, "kind": kind,
            "parameters": parameters}


def _user_namespace() -> dict[str, Any]:
    """The running IPython's user namespace, or an empty dict outside IPython."""
    shell = protocol.running_shell()
    return shell.user_ns if shell is not None else {}


def _module_type():
    """``torch.nn.Module`` if torch is loaded; without torch there can be no modules."""
    torch = sys.modules.get("torch")
    return getattr(getattr(torch, "nn", None), "Module", None)


def _is_tokenizer(value: Any) -> bool:
    """True for transformers tokenizers, checked by class name so transformers is not imported."""
    if "transformers" not in sys.modules:
        return False
    return any(
        cls.__name__ == "PreTrainedTokenizerBase" and cls.__module__.startswith("transformers")
        for cls in type(value).__mro__
    )
