"""Overhead of the training engine: the default CNN through ``fit`` vs a plain PyTorch loop.

Same model (same seed), same digits split, same optimizer, batches and epochs; the plain loop
also checks the validation set after each epoch, as any real loop does. Both are timed in
this process, alternating; the fastest of ROUNDS runs each is compared (the least disturbed
by other work on the machine).

Run: ``.venv/bin/python benchmarks/training.py``. Target: ratio at most 1.15.
"""

from __future__ import annotations

import json
import math
import statistics
import time

import torch

import dlviz_kernel
from dlviz_kernel.cnn.model import FormCNN
from dlviz_kernel.data import load
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import RunContext, load_schema
from dlviz_kernel.training import TrainSettings, evaluate, fit, split
from dlviz_kernel.training.params import complete

ROUNDS = 7
TARGET = 1.15


def default_setup():
    """The default cnn.train parameters, the digits and their split."""
    params = complete(load_schema("cnn.train"), {})
    data = load(params["data"])
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    return params, data, settings, parts


def new_model(params, data, settings):
    torch.manual_seed(settings.seed)
    return FormCNN(data.input_shape, params["blocks"], params["dense"], len(data.classes))


def plain_loop(model, parts, settings) -> float:
    """A plain PyTorch training loop: shuffle, batches, Adam, validation after each epoch."""
    shuffle = torch.Generator().manual_seed(settings.seed + 1)
    torch.manual_seed(settings.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate,
                                 weight_decay=settings.weight_decay)
    n = parts.x_train.shape[0]
    batch = settings.batch_size
    accuracy = 0.0
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        for i in range(math.ceil(n / batch)):
            index = order[i * batch:(i + 1) * batch]
            loss = torch.nn.functional.cross_entropy(model(parts.x_train[index]),
                                                     parts.y_train[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _, accuracy = evaluate(model, parts.x_val, parts.y_val)
    return accuracy


def main() -> None:
    params, data, settings, parts = default_setup()
    # Warm up both paths once (first calls allocate and pick kernels).
    warm = TrainSettings(**{**settings.__dict__, "epochs": 1})
    plain_loop(new_model(params, data, warm), parts, warm)
    fit(new_model(params, data, warm), parts, warm, RunContext("warm", publisher=Recorder()))

    plain_times, engine_times = [], []
    for round_number in range(ROUNDS):
        model = new_model(params, data, settings)
        start = time.perf_counter()
        plain_accuracy = plain_loop(model, parts, settings)
        plain_times.append(time.perf_counter() - start)

        model = new_model(params, data, settings)
        recorder = Recorder()
        start = time.perf_counter()
        record = fit(model, parts, settings, RunContext(f"bench-{round_number}",
                                                         publisher=recorder))
        engine_times.append(time.perf_counter() - start)
    engine_accuracy = record.history["validation_accuracy"][-1]

    # The whole task as the server runs it (engine + every view's data), for reference.
    start = time.perf_counter()
    message = dlviz_kernel.run_request(json.dumps({"run_id": "bench-task", "task": "cnn.train",
                                                   "params": {}}), publisher=Recorder())
    task_seconds = time.perf_counter() - start

    plain, engine = min(plain_times), min(engine_times)
    ratio = engine / plain
    print(f"default CNN on digits: {settings.epochs} epochs, batch {settings.batch_size}, "
          f"{settings.optimizer}, {torch.get_num_threads()} threads, "
          f"best of {ROUNDS} alternating runs")
    print(f"plain PyTorch loop : {plain:.3f} s  (validation accuracy {plain_accuracy:.3f})")
    print(f"dlviz engine (fit) : {engine:.3f} s  (validation accuracy {engine_accuracy:.3f}, "
          f"{len(recorder.of_kind('progress'))} progress events)")
    print(f"whole cnn.train task with all view data: {task_seconds:.3f} s "
          f"({message['kind']})")
    median = statistics.median(engine_times) / statistics.median(plain_times)
    print(f"(ratio of the medians: {median:.3f}; the machine's other work adds noise)")
    print(f"overhead ratio: {ratio:.3f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
