"""Sequence data sets for ``rnn.train``, all offline: digit rows, text, synthetic tasks, waves.

Every loader returns a :class:`SequenceData`: inputs ``x`` are token ids (int64 ``[N, T]``,
read through an embedding) or features (float32 ``[N, T, F]``); targets ``y`` are a class
per sequence (int64 ``[N]``), a class per step (int64 ``[N, T]``, ``IGNORE`` where nothing
is predicted), or values (float32 ``[N, 1]`` or ``[N, T, 1]``). Generated data never depends
on the training seed (``DATA_SEED``), so runs on it are comparable.
"""

from __future__ import annotations

import math
import os
import sysconfig
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import torch

from ..tasks import TaskError

SOURCES = ("digits-rows", "text", "synthetic", "series", "notebook")
IGNORE = -100
DATA_SEED = 20240611
# Characters beyond the most frequent ones read as UNKNOWN; keeps the output layer small.
MAX_VOCABULARY = 200
UNKNOWN = "\ufffd"
# Longest text from a notebook variable; a longer one would not fit a course pod's memory.
MAX_TEXT = 2_000_000
# Standard-library modules read first, in this order (then the rest of Lib/*.py, sorted).
PYTHON_FILES = ("textwrap.py", "string.py", "bisect.py", "heapq.py", "fractions.py",
                "shlex.py", "functools.py", "calendar.py", "dataclasses.py", "argparse.py",
                "difflib.py", "inspect.py", "typing.py")
BRACKET_SYMBOLS = "()a"
MAX_DEPTH = 4
COPY_SYMBOLS = "abcdefgh"
BLANK, GO = "-", ":"


@dataclass
class SequenceData:
    """Sequences, their targets and how to read them."""

    name: str
    source: str
    x: torch.Tensor
    y: torch.Tensor
    per_step: bool
    # Class names for classification (the vocabulary for next-character models); None: values.
    classes: list[str] | None
    # The characters behind token ids (token input only).
    vocabulary: list[str] | None = None
    next_character: bool = False
    files: list[str] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Per-step numbers about the inputs, [N, T] (brackets: "depth", the nesting after each step).
    signals: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return int(self.x.shape[1])

    @property
    def features(self) -> int | None:
        """Numbers per step (feature input), None for token input."""
        return None if self.vocabulary is not None else int(self.x.shape[2])

    @property
    def outputs(self) -> int:
        """Size of the head: one per class, or 1 for a value."""
        return len(self.classes) if self.classes is not None else 1

    def encode(self, text: str, field_name: str = "text") -> torch.Tensor:
        """Token ids ``[len(text)]`` of a text; TaskError naming ``field_name`` if it cannot."""
        if self.vocabulary is None:
            raise TaskError("This model reads numbers, not characters.", field_name)
        index = {ch: i for i, ch in enumerate(self.vocabulary)}
        unknown = index.get(UNKNOWN)
        missing = sorted({ch for ch in text if ch not in index})
        if missing and unknown is None:
            raise TaskError(f"The model knows only the characters {''.join(self.vocabulary)!r}; "
                            f"{''.join(missing[:20])!r} are not among them.", field_name)
        return torch.tensor([index.get(ch, unknown) for ch in text], dtype=torch.int64)

    def decode(self, ids: Any) -> str:
        """The characters of token ids (``IGNORE`` becomes a space)."""
        chars = self.vocabulary or []
        return "".join(chars[i] if 0 <= i < len(chars) else " " for i in
                       torch.as_tensor(ids).reshape(-1).tolist())

    def describe(self) -> dict[str, Any]:
        """The JSON-able description that results carry."""
        return {"name": self.name, "source": self.source, "size": int(self.x.shape[0]),
                "steps": self.steps, "features": self.features,
                "vocabulary": self.vocabulary, "classes": self.classes,
                "per_step": self.per_step, "next_character": self.next_character,
                "target": "classes" if self.classes is not None else "values",
                "files": self.files, **self.details}


def load(spec: dict[str, Any], namespace: dict[str, Any] | None = None) -> SequenceData:
    """The data set the ``data`` parameter object describes; TaskError naming ``data.<field>``."""
    source = spec.get("source", "digits-rows")
    if source == "digits-rows":
        return digit_rows()
    if source == "text":
        return text_data(spec, namespace)
    if source == "synthetic":
        task = spec.get("synthetic", "brackets")
        samples, length = int(spec.get("samples", 2000)), int(spec.get("sequence_length", 100))
        if task == "brackets":
            return brackets(samples, length)
        if task == "copy":
            return copy_task(samples, int(spec.get("copy_length", 5)), int(spec.get("delay", 20)))
        return adding(samples, length)
    if source == "series":
        return series(int(spec.get("samples", 2000)), int(spec.get("sequence_length", 100)),
                      spec.get("wave", "sine"), float(spec.get("noise", 0.1)))
    if source == "notebook":
        return from_notebook(spec.get("x", ""), spec.get("y", ""), namespace)
    raise TaskError(f"Data must be one of {list(SOURCES)}.", "data.source")


def digit_rows() -> SequenceData:
    """scikit-learn's 1,797 digits read row by row: 8 steps of 8 pixels (0..1), 10 classes."""
    from ..data.digits import load_digits

    images = load_digits()
    return SequenceData("digits-rows", "digits-rows", images.x[:, 0].contiguous(), images.y,
                        False, list(images.classes))


def python_source(chars: int) -> tuple[str, list[str]]:
    """About ``chars`` characters of the standard library's own source, and the files read."""
    folder = sysconfig.get_path("stdlib")
    try:
        rest = sorted(name for name in os.listdir(folder) if name.endswith(".py"))
    except OSError:
        rest = []
    parts, files, total = [], [], 0
    for name in list(PYTHON_FILES) + [n for n in rest if n not in PYTHON_FILES]:
        path = os.path.join(folder, name)
        if total >= chars or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read().replace("\r\n", "\n")
        parts.append(text)
        files.append(name)
        total += len(text)
    if not parts:
        raise TaskError("This Python has no readable standard-library source files; paste a "
                        "text instead.", "data.corpus")
    return "".join(parts)[:chars], files


def text_data(spec: dict[str, Any], namespace: dict[str, Any] | None = None) -> SequenceData:
    """Next-character windows over Python's source, a pasted text or a notebook string."""
    corpus = spec.get("corpus", "python")
    files = None
    if corpus == "python":
        text, files = python_source(int(spec.get("corpus_chars", 300_000)))
        name = "Python standard library source"
    elif corpus == "pasted":
        text, name = spec.get("text", ""), "pasted text"
    else:
        from ..data.notebook import lookup

        variable = spec.get("text_variable", "")
        text = lookup(variable, "data.text_variable", namespace)
        if not isinstance(text, str):
            raise TaskError(f"{variable} is a {type(text).__name__}, not a text (str).",
                            "data.text_variable")
        if len(text) > MAX_TEXT:
            raise TaskError(f"{variable} holds {len(text):,} characters; at most {MAX_TEXT:,} "
                            f"can be trained on here (use {variable}[:{MAX_TEXT}]).",
                            "data.text_variable")
        name = variable
    field_name = {"pasted": "data.text", "notebook": "data.text_variable"}.get(corpus,
                                                                             "data.corpus_chars")
    return windows(text, int(spec.get("sequence_length", 100)), name, files, field_name)


def vocabulary_of(text: str) -> list[str]:
    """The text's characters, sorted; beyond MAX_VOCABULARY the rarest become UNKNOWN."""
    counts = Counter(text)
    if len(counts) <= MAX_VOCABULARY:
        return sorted(counts)
    kept = [ch for ch, _ in counts.most_common(MAX_VOCABULARY - 1)]
    return [UNKNOWN] + sorted(kept)


def windows(text: str, length: int, name: str, files: list[str] | None,
            field_name: str) -> SequenceData:
    """Non-overlapping windows of ``length`` characters; the target is the next character."""
    count = (len(text) - 1) // length
    if count < 4:
        raise TaskError(f"The text has {len(text):,} characters: too few for 4 sequences of "
                        f"{length}. Use a longer text or a shorter sequence length.", field_name)
    vocabulary = vocabulary_of(text)
    data = SequenceData(name, "text", torch.empty(0), torch.empty(0), True, vocabulary,
                        vocabulary, next_character=True, files=files,
                        details={"characters": len(text)})
    ids = data.encode(text[:count * length + 1])
    data.x = ids[:-1].view(count, length).clone()
    data.y = ids[1:].view(count, length).clone()
    return data


def brackets(samples: int, length: int) -> SequenceData:
    """Next character on strings of nested brackets with a filler ``a``, at most MAX_DEPTH deep.

    ``(`` and ``)`` come with probability 0.45 each, ``a`` with 0.1; but ``)`` never at
    depth 0 and ``(`` never at MAX_DEPTH (the filler takes their share). So a good model
    must count the nesting depth; ``signals["depth"]`` is the depth after each input step.
    """
    generator = torch.Generator().manual_seed(DATA_SEED)
    chars = torch.empty(samples, length + 1, dtype=torch.int64)
    depth_after = torch.empty(samples, length + 1, dtype=torch.int64)
    depth = torch.zeros(samples, dtype=torch.int64)
    for t in range(length + 1):
        draw = torch.rand(samples, generator=generator)
        opening = (depth < MAX_DEPTH) & (draw < 0.45)
        closing = (depth > 0) & (draw >= 0.45) & (draw < 0.9)
        chars[:, t] = torch.where(opening, 0, torch.where(closing, 1, 2))
        depth = depth + opening.long() - closing.long()
        depth_after[:, t] = depth
    return SequenceData("brackets", "synthetic", chars[:, :-1].contiguous(),
                        chars[:, 1:].contiguous(), True, list(BRACKET_SYMBOLS),
                        list(BRACKET_SYMBOLS), next_character=True,
                        details={"max_depth": MAX_DEPTH},
                        signals={"depth": depth_after[:, :-1].contiguous()})


def copy_task(samples: int, copy_length: int, delay: int) -> SequenceData:
    """Read ``copy_length`` symbols, wait ``delay`` blanks, then write them back after ``:``.

    Only the recalled steps have targets; chance accuracy is 1/8.
    """
    generator = torch.Generator().manual_seed(DATA_SEED)
    vocabulary = list(COPY_SYMBOLS) + [BLANK, GO]
    steps = 2 * copy_length + delay
    symbols = torch.randint(0, len(COPY_SYMBOLS), (samples, copy_length), generator=generator)
    x = torch.full((samples, steps), vocabulary.index(BLANK), dtype=torch.int64)
    x[:, :copy_length] = symbols
    x[:, copy_length + delay] = vocabulary.index(GO)
    y = torch.full((samples, steps), IGNORE, dtype=torch.int64)
    y[:, copy_length + delay:] = symbols
    return SequenceData("copy", "synthetic", x, y, True, vocabulary, vocabulary,
                        details={"delay": delay, "copy_length": copy_length,
                                 "chance_accuracy": 1 / len(COPY_SYMBOLS)})


def adding(samples: int, length: int) -> SequenceData:
    """The adding problem: the sum of the two values marked in channel 2 (regression)."""
    if length < 2:
        raise TaskError("The adding problem needs sequences of at least 2 steps.",
                        "data.sequence_length")
    generator = torch.Generator().manual_seed(DATA_SEED)
    values = torch.rand(samples, length, generator=generator)
    half = length // 2
    first = torch.randint(0, half, (samples,), generator=generator)
    second = torch.randint(half, length, (samples,), generator=generator)
    marks = torch.zeros(samples, length)
    rows = torch.arange(samples)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return SequenceData("adding", "synthetic", torch.stack([values, marks], dim=2), y, False,
                        None, details={"baseline_mse": 1 / 6})


def series(samples: int, length: int, wave: str, noise: float) -> SequenceData:
    """Forecast the next value of a noisy sine or sawtooth wave (target without the noise).

    Each sequence has its own period (10 to 40 steps) and phase.
    """
    generator = torch.Generator().manual_seed(DATA_SEED)
    period = 10 + 30 * torch.rand(samples, 1, generator=generator)
    phase = torch.rand(samples, 1, generator=generator)
    t = torch.arange(length + 1, dtype=torch.float32).unsqueeze(0)
    cycles = t / period + phase
    if wave == "sawtooth":
        clean = 2 * (cycles - torch.floor(cycles)) - 1
    else:
        clean = torch.sin(2 * math.pi * cycles)
    noisy = clean[:, :-1] + noise * torch.randn(samples, length, generator=generator)
    return SequenceData(f"{wave} wave", "series", noisy.unsqueeze(2).contiguous(),
                        clean[:, -1:].contiguous(), False, None,
                        details={"wave": wave, "noise": noise})


def from_notebook(x_name: str, y_name: str,
                  namespace: dict[str, Any] | None = None) -> SequenceData:
    """``X [N, T, F]`` (or ``[N, T]``) and targets from two notebook variables.

    Integer (or boolean) ``y [N]``: a class per sequence; ``[N, T]``: a class per step.
    Floating-point ``y [N]`` / ``[N, 1]``: a value per sequence; ``[N, T]`` / ``[N, T, 1]``:
    a value per step (regression).
    """
    from ..data.notebook import _tensor, lookup

    x = _tensor(lookup(x_name, "data.x", namespace), x_name, "data.x").to(torch.float32)
    y = _tensor(lookup(y_name, "data.y", namespace), y_name, "data.y")
    if x.dim() == 2:
        x = x.unsqueeze(2)
    if x.dim() != 3 or x.shape[1] < 1 or x.shape[2] < 1:
        raise TaskError(f"{x_name} must hold sequences shaped [N, T, F] (or [N, T]), not "
                        f"{list(x.shape)}.", "data.x")
    n, steps = int(x.shape[0]), int(x.shape[1])
    if n < 4:
        raise TaskError(f"{x_name} holds {n} sequences; at least 4 are needed.", "data.x")
    if not torch.isfinite(x).all():
        raise TaskError(f"{x_name} holds NaN or infinite values.", "data.x")
    if y.shape[:1] != (n,) or y.dim() > 3:
        raise TaskError(f"{y_name} must hold one target per sequence ({n}) or per step "
                        f"([{n}, {steps}]), but its shape is {list(y.shape)}.", "data.y")
    per_step = y.dim() >= 2 and y.shape[1] == steps and not (y.dim() == 2 and steps == 1)
    if y.dim() == 3 and (y.shape[2] != 1 or not per_step):
        raise TaskError(f"{y_name} must be [N], [N, T] or [N, T, 1], not {list(y.shape)}.",
                        "data.y")
    if y.dim() == 2 and not per_step and y.shape[1] != 1:
        raise TaskError(f"{y_name} has {y.shape[1]} targets per sequence; give one per "
                        f"sequence or one per step ({steps}).", "data.y")
    name = f"{x_name}, {y_name}"
    if y.is_floating_point():
        if not torch.isfinite(y).all():
            raise TaskError(f"{y_name} holds NaN or infinite values.", "data.y")
        shape = (n, steps, 1) if per_step else (n, 1)
        return SequenceData(name, "notebook", x.contiguous(),
                            y.to(torch.float32).reshape(shape).contiguous(), per_step, None)
    labels = y.to(torch.int64).reshape((n, steps) if per_step else (n,))
    values, inverse = torch.unique(labels, return_inverse=True)
    if len(values) < 2:
        raise TaskError(f"{y_name} holds only one class; a classifier needs at least two.",
                        "data.y")
    return SequenceData(name, "notebook", x.contiguous(), inverse.to(torch.int64).contiguous(),
                        per_step, [str(int(v)) for v in values])
