"""`show.training_curves`: losses and metrics per epoch, from a list of dicts or a dict of lists.

Pure Python: nothing runs through a model. Bounds: at most MAX_SERIES series of at most
MAX_EPOCHS epochs (JSON numbers, about 20 bytes each: under 500 kB).
"""

from __future__ import annotations

import math
from typing import Any

from ._view import View

MAX_EPOCHS = 2000
MAX_SERIES = 12


def training_curves(history) -> View:
    """Curves of `history`: ``[{"loss": 0.9, "val_loss": 1.0}, ...]`` (one dict per epoch) or
    ``{"loss": [...], "val_loss": [...]}`` (Keras' ``History.history``).

    An ``"epoch"`` key gives the x values (else 1, 2, ...). Missing or non-numeric values are
    gaps. Series whose name contains "acc" are drawn on a second chart (0 to 1).
    """
    rows = _rows(history)
    if not rows:
        raise ValueError("history must hold at least one epoch")
    if len(rows) > MAX_EPOCHS:
        raise ValueError(f"history must hold at most {MAX_EPOCHS} epochs, not {len(rows)}")
    names: list[str] = []
    for row in rows:
        for key in row:
            if key != "epoch" and key not in names and _number(row[key]) is not None:
                names.append(str(key))
    if not names:
        raise ValueError("history holds no numbers to draw (give dicts like {'loss': 0.5})")
    if len(names) > MAX_SERIES:
        raise ValueError(f"history must hold at most {MAX_SERIES} series, not {len(names)}")
    epochs = [_number(row.get("epoch")) for row in rows]
    if any(e is None for e in epochs):
        epochs = list(range(1, len(rows) + 1))
    series = [{"name": name[:60], "values": [_number(row.get(name)) for row in rows]}
              for name in names]
    payload: dict[str, Any] = {"view": "training_curves", "epochs": epochs, "series": series}
    last = ", ".join(f"{s['name']} {_last(s['values'])}" for s in series[:4])
    return View(payload, f"dlviz-lab training curves over {len(rows)} epochs: {last}")


def _rows(history) -> list[dict]:
    if isinstance(history, dict):
        lengths = {len(v) for v in history.values() if isinstance(v, (list, tuple))}
        if len(lengths) != 1:
            raise ValueError("history as a dict must map names to lists of the same length")
        length = lengths.pop()
        return [{k: v[i] for k, v in history.items() if isinstance(v, (list, tuple))}
                for i in range(length)]
    if hasattr(history, "history") and isinstance(history.history, dict):
        return _rows(history.history)
    if not isinstance(history, (list, tuple)) or not all(isinstance(r, dict) for r in history):
        raise ValueError("history must be a list of dicts (one per epoch) or a dict of lists")
    return list(history)


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _last(values: list) -> str:
    found = next((v for v in reversed(values) if v is not None), None)
    return "-" if found is None else f"{found:.4g}"
