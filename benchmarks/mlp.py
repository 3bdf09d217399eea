"""Epoch throughput of the MLP playground: the whole ``mlp.train`` task vs a plain PyTorch loop.

The playground's default (circle, features x1 and x2, 4-2 tanh, Playground set-up, SGD lr 0.03,
batch 10, 150 epochs, 250 training points). The task's side: ``dlviz_kernel.run_request`` as the
kernel runs it, with a progress event carrying the weights after every epoch (the frames the view
draws), the monitor, snapshots and the result. The plain side: the same network (same seed), the
same points, loss, optimizer and batches, checking the test points after each epoch. Timed in
this process, alternating; the fastest of ROUNDS runs each is compared.

The frames per second of the live view are measured in the browser (tests/browser/mlp.spec.ts).

Run: ``.venv/bin/python benchmarks/mlp.py``. Target: ratio at most 1.15.
"""

from __future__ import annotations

import json
import math
import statistics
import time

import torch

import dlviz_kernel
from dlviz_kernel.mlp.data import load
from dlviz_kernel.mlp.model import loss_for
from dlviz_kernel.mlp.train import build, inputs_of
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import load_schema
from dlviz_kernel.training import TrainSettings, evaluate, split
from dlviz_kernel.training.params import complete

ROUNDS = 5
TARGET = 1.15


def plain_loop(params) -> tuple[float, float]:
    """Seconds and final test accuracy of a plain loop over the playground's default."""
    data = load(params["data"])
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, 1 - params["data"]["train_share"] / 100, params["data"]["seed"])
    torch.manual_seed(settings.seed)
    model = build(params, data, inputs_of(data, params["features"]))
    loss_fn = loss_for(model.net, "none", 0)
    start = time.perf_counter()
    shuffle = torch.Generator().manual_seed(settings.seed + 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.learning_rate)
    n, batch = parts.x_train.shape[0], settings.batch_size
    accuracy = 0.0
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        for i in range(math.ceil(n / batch)):
            index = order[i * batch:(i + 1) * batch]
            loss = loss_fn(model(parts.x_train[index]), parts.y_train[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _, accuracy = evaluate(model, parts.x_val, parts.y_val, loss_fn)
    return time.perf_counter() - start, accuracy


def task(run_id: str) -> tuple[float, dict, Recorder]:
    recorder = Recorder()
    start = time.perf_counter()
    message = dlviz_kernel.run_request(json.dumps({"run_id": run_id, "task": "mlp.train",
                                                   "params": {}}), publisher=recorder)
    seconds = time.perf_counter() - start
    assert message["kind"] == "result", message
    return seconds, message["result"], recorder


def main() -> None:
    params = complete(load_schema("mlp.train"), {})
    plain_loop(params)  # warm both paths up
    task("warm")
    plain_times, task_times = [], []
    for round_number in range(ROUNDS):
        seconds, plain_accuracy = plain_loop(params)
        plain_times.append(seconds)
        seconds, result, recorder = task(f"bench-{round_number}")
        task_times.append(seconds)
    frames = [m for m in recorder.of_kind("progress") if "weights" in m]
    epochs = params["training"]["epochs"]
    plain, engine = min(plain_times), min(task_times)
    print(f"playground default: {epochs} epochs, batch {params['training']['batch_size']}, "
          f"{torch.get_num_threads()} threads, best of {ROUNDS} alternating runs")
    print(f"plain PyTorch loop : {plain:.3f} s = {epochs / plain:.0f} epochs/s "
          f"(test accuracy {plain_accuracy:.3f})")
    print(f"mlp.train task     : {engine:.3f} s = {epochs / engine:.0f} epochs/s "
          f"(test accuracy {result['history']['validation_accuracy'][-1]:.3f}, "
          f"{len(frames)} frames of weights sent)")
    median = statistics.median(task_times) / statistics.median(plain_times)
    print(f"(ratio of the medians: {median:.3f}; the machine's other work adds noise)")
    print(f"overhead ratio: {engine / plain:.3f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
