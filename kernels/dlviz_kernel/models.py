"""Models in the notebook, and models made by runs.

``list_models`` shows which ``torch.nn.Module`` objects and tokenizers the learner's
notebook holds, so a view can use "the model from my notebook". ``get_model`` hands
back a model that a run (for example a training run) made.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import Any

from . import protocol, sizes

# How many runs keep their model at most, whatever their size; older ones are dropped so a
# long class session does not fill the pod's memory. Bytes are bounded too (max_kept_model_bytes).
KEEP_AT_MOST = 20
# How many dropped run ids are remembered, to tell "dropped" from "never made here".
REMEMBER_DROPPED = 500


class RunRecord:
    """What a run keeps besides a bare model (a training run); ``get_model`` gives ``.model``."""

    model: Any = None


class RecentRuns:
    """Things made by runs, by run id: the newest ``KEEP_AT_MOST`` within a byte budget.

    Bytes are those of the distinct tensor storages the kept things hold (models, snapshot
    weights, data), counted once however many runs share them. The oldest go first; the
    newest is always kept, whatever its size. Lives in this package (``sys.modules``), never
    in the learner's variables.
    """

    def __init__(self) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._storages: dict[str, dict[int, int]] = {}
        self.max_bytes = sizes.DEFAULT_LIMITS["max_kept_model_bytes"]
        # Run id -> why it is gone, for helpful messages.
        self.dropped: OrderedDict[str, str] = OrderedDict()

    def keep(self, run_id: str | None, item: Any, max_bytes: int | None = None) -> None:
        """Remember ``item`` under ``run_id`` (nothing without a run id), dropping old ones.

        ``max_bytes`` (the request's max_kept_model_bytes) becomes the budget from now on.
        """
        if run_id is None:
            return
        if max_bytes:
            self.max_bytes = int(max_bytes)
        self._items[run_id] = item
        self._items.move_to_end(run_id)
        self._storages[run_id] = sizes.storages(item)
        self.dropped.pop(run_id, None)
        while len(self._items) > KEEP_AT_MOST:
            self._drop(f"only the last {KEEP_AT_MOST} runs keep their model")
        while len(self._items) > 1 and self.total_bytes() > self.max_bytes:
            self._drop(f"the kernel keeps at most {sizes.format_bytes(self.max_bytes)} of "
                       "trained models, snapshots and data, and newer runs needed the room")

    def _drop(self, reason: str) -> None:
        run_id, _ = self._items.popitem(last=False)
        self._storages.pop(run_id, None)
        self.dropped[run_id] = reason
        while len(self.dropped) > REMEMBER_DROPPED:
            self.dropped.popitem(last=False)

    def total_bytes(self) -> int:
        """Bytes of the distinct tensor storages all kept items hold."""
        union: dict[int, int] = {}
        for found in self._storages.values():
            union.update(found)
        return sum(union.values())

    def get(self, run_id: str) -> Any:
        """The item kept for ``run_id``, or None."""
        return self._items.get(run_id)

    def why_missing(self, run_id: str) -> str:
        """A sentence saying why nothing is kept for ``run_id``."""
        if run_id in self.dropped:
            return f"It was dropped because {self.dropped[run_id]}."
        return ("Only the most recent runs of this kernel keep their model (at most "
                f"{KEEP_AT_MOST}, within {sizes.format_bytes(self.max_bytes)}), and a kernel "
                "restart forgets them.")

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._items


_kept = RecentRuns()
keep = _kept.keep
why_missing = _kept.why_missing


def get_model(run_id: str) -> Any:
    """The model that the run ``run_id`` made, to use in your notebook.

    Example: ``model = dlviz_kernel.get_model("3f2a...")`` with the id shown in the run's view.
    """
    if run_id not in _kept:
        raise KeyError(f"No model is kept for run {run_id!r}. {why_missing(run_id)} "
                       "Run it again to get a model.")
    item = _kept.get(run_id)
    return item.model if isinstance(item, RunRecord) else item


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
