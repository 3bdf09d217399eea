"""The notebook API of the trainable tasks: train as the side panel does, and get the code of a run.

Example, in a notebook cell::

    import dlviz_kernel
    model, history = dlviz_kernel.train("cnn.train", {"training": {"epochs": 5, "seed": 1}})
    history["validation_accuracy"][-1]

``code_for_run(run_id)`` returns such a cell for a run made from the side panel (its
"Insert code" button), with every parameter written out, so the cell repeats the run.
Importing this module is cheap: torch is loaded when ``train`` runs.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from . import tasks

# Tasks that train a model through the shared engine and keep it.
TRAINABLE = ("cnn.train", "transformer.train", "rnn.train", "mlp.train", "autoencoder.train")
# Longest line of generated code before a literal is split over several lines.
LINE = 80


class Trained:
    """What ``train`` returns: unpacks as ``model, history``; ``run_id`` and ``result`` too.

    ``history`` maps ``epoch``, ``train_loss``, ``train_accuracy``, ``validation_loss``,
    ``validation_accuracy`` and ``elapsed`` (seconds) to one value per epoch. ``result``
    is the task's full result (the data of every view, arrays encoded).
    """

    def __init__(self, model: Any, history: dict[str, list], run_id: str,
                 result: dict[str, Any]) -> None:
        self.model = model
        self.history = history
        self.run_id = run_id
        self.result = result

    def __iter__(self):
        return iter((self.model, self.history))

    def __repr__(self) -> str:
        accuracy = self.history.get("validation_accuracy") or [None]
        loss = self.history.get("validation_loss") or [None]
        # Sequence models have a loss but no accuracy.
        last = (f"validation accuracy {accuracy[-1]:.1%}" if accuracy[-1] is not None
                else f"validation loss {loss[-1]:.4f}" if loss[-1] is not None else "no epochs")
        epochs = len(self.history.get("epoch", []))
        return f"<dlviz_kernel run {self.run_id}: {epochs} epochs, {last}>"


class _EpochPrinter:
    """Prints one line per finished epoch instead of sending the side panel's messages."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def publish(self, message: dict[str, Any]) -> None:
        if self.quiet or message.get("kind") != "progress" or message.get("phase") != "epoch":
            return
        print(f"epoch {message['epoch']}/{message['epochs']}: "
              f"train loss {_number(message['train_loss'], '.4f')}"
              f"{_accuracy(message['train_accuracy'])}; "
              f"validation loss {_number(message['validation_loss'], '.4f')}"
              f"{_accuracy(message['validation_accuracy'])}", file=sys.stdout, flush=True)


def _number(value: Any, spec: str) -> str:
    """A number for the epoch line; a NaN loss arrives as None."""
    return "nan" if value is None else format(value, spec)


def _accuracy(value: Any) -> str:
    # Sequence models (transformer.train) report no accuracy.
    return "" if value is None else f", accuracy {value:.1%}"


def train(task: str, params: dict[str, Any] | None = None, *, quiet: bool = False) -> Trained:
    """Train with a trainable task (``"cnn.train"``, ``"transformer.train"``): model, history.

    ``params`` are the task's parameters as the side panel's form sends them (JSON-like
    data; missing ones take their defaults). Prints one line per epoch unless ``quiet``.
    Interrupting the cell stops training between two steps; the partial model stays
    reachable with ``dlviz_kernel.get_model(run_id)`` (the id is printed).
    Raises ``dlviz_kernel.TaskError`` for parameters the task refuses.
    """
    if task not in TRAINABLE:
        raise ValueError(f"{task!r} is not a training task; use one of {list(TRAINABLE)}.")
    schema = tasks.load_schema(task)
    full = tasks.with_defaults(schema, params)
    tasks.check_params(schema, full)
    run_id = "nb-" + uuid.uuid4().hex[:12]
    ctx = tasks.RunContext(run_id, publisher=_EpochPrinter(quiet))
    try:
        result = tasks.task_function(task)(full, ctx)
    except KeyboardInterrupt:
        print(f"Training interrupted. The partial model: dlviz_kernel.get_model({run_id!r})",
              file=sys.stdout, flush=True)
        raise
    from .models import get_model

    return Trained(get_model(run_id), result["history"], run_id, result)


def code_for(task: str, params: dict[str, Any]) -> str:
    """Notebook code that repeats a run of ``task`` with ``params`` through ``train``."""
    return ("import dlviz_kernel\n\n"
            "# Repeats the run from the dlviz-lab panel: same data, network, settings and seed.\n"
            f"params = {_literal(params)}\n"
            f"model, history = dlviz_kernel.train({task!r}, params)\n")


def _literal(value: Any, indent: int = 0) -> str:
    """A Python literal for JSON-like data, one item per line where a line would be too long."""
    flat = repr(value)
    if not isinstance(value, (dict, list)) or not value or indent + len(flat) <= LINE:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        lines = [f"{pad}{key!r}: {_literal(item, indent + 4)}," for key, item in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"
    lines = [f"{pad}{_literal(item, indent + 4)}," for item in value]
    return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"


def code_for_run(run_id: str) -> str:
    """The notebook code that repeats the training run ``run_id`` (for "Insert code")."""
    from .training import runs

    run = runs.get(run_id)
    if run is None:
        raise KeyError(f"No training run {run_id!r} is kept in this kernel.")
    return code_for(run.task, run.params)
