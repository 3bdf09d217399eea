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

class RecentRuns:
    """Things made by runs, by run id, keeping the newest ``KEEP_AT_MOST`` only.

    Lives in this package (``sys.modules``), never in the learner's variables.
    """

    def __init__(self) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()

    def keep(self, run_id: str | None, item: Any) -> None:
        """Remember ``item`` under ``run_id`` (nothing without a run id)."""
        if run_id is None:
            return
        self._items[run_id] = item
        self._items.move_to_end(run_id)
        while len(self._items) > KEEP_AT_MOST:
            self._items.popitem(last=False)

    def get(self, run_id: str) -> Any:
        """The item kept for ``run_id``, or None."""
        return self._items.get(run_id)

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._items


_kept = RecentRuns()
keep = _kept.keep


def get_model(run_id: str) -> Any:
    """The model that the run ``run_id`` made, to use in your notebook.

    Example: ``model = dlviz_kernel.get_model("3f2a...")`` with the id shown in the run's view.
    """
    if run_id not in _kept:
        raise KeyError(
            f"No model is kept for run {run_id!r}. Only the last {KEEP_AT_MOST} runs that "
            "made a model keep it, and a kernel restart forgets them."
        )
    return _kept.get(run_id)


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
