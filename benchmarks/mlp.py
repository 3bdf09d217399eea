"""Epoch throughput of the MLP playground: the whole ``mlp.train`` task vs a plain PyTorch loop.

The playground's default (circle, features x1 and x2, 4-2 tanh, Playground set-up, SGD lr 0.03,
batch 10, 150 epochs, 250 training points). The task's side: ``dlviz_kernel.run_request`` as the
kernel runs it, with a progress event carrying the weights after every epoch (the frames the view
draws), the monitor, snapshots and the result. The plain side: the same network (same seed), the
same points, loss, optimizer and batches, checking the test points after each epoch. Timed in
this process with one torch thread, in ROUNDS rounds of both back to back (which runs first
alternates); the overhead ratio is the median over the rounds of task / plain, in CPU seconds of
this process (what the work costs, little moved by other programs). A shared machine's speed
drifts by tens of percent within seconds, so a pair compares two runs of the same moment; the
best of each side is printed too.

The frames per second of the live view are measured in Chromium: the frame-rate test of
tests/browser/mlp.spec.ts (Playwright, through node) plays the default in a JupyterLab of its
own, counts the frames the playground draws in 8 seconds and writes them to
artifacts/browser/mlp-fps.json; this script starts it and prints them.

``--instructions`` compares the same two sides in instructions executed instead of seconds
(valgrind's callgrind, see instructions.py): the number a noisy machine cannot move, about four
minutes.

Run: ``.venv/bin/python benchmarks/mlp.py`` (``--no-browser``: the throughput only;
``--browser-only``: the frame rate only; ``--instructions``: the instruction count only; the
browser's server port is DLVIZ_TEST_PORT, 8899 by default). Targets: ratio at most 1.15, at
least 20 frames drawn per second.
"""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import instructions
import torch

import dlviz_kernel
from dlviz_kernel.mlp import train
from dlviz_kernel.mlp.data import load
from dlviz_kernel.mlp.model import loss_for
from dlviz_kernel.mlp.train import build, inputs_of
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import load_schema
from dlviz_kernel.training import TrainSettings, evaluate, split
from dlviz_kernel.training.params import complete

ROUNDS = int(os.environ.get("DLVIZ_BENCH_ROUNDS", 9))
TARGET = 1.15
FPS_TARGET = 20
EPOCHS_COUNTED = 150  # the default's epochs, counted under callgrind (about 4 minutes)
ROOT = Path(__file__).resolve().parents[1]
FPS_FILE = ROOT / "artifacts" / "browser" / "mlp-fps.json"


def plain_loop(params) -> tuple[float, float, float]:
    """Wall and CPU seconds and final test accuracy of a plain loop over the default."""
    data = load(params["data"])
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, 1 - params["data"]["train_share"] / 100, params["data"]["seed"])
    torch.manual_seed(settings.seed)
    model = build(params, data, inputs_of(data, params["features"]))
    loss_fn = loss_for(model.net, "none", 0)
    start, cpu = time.perf_counter(), time.process_time()
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
    return time.perf_counter() - start, time.process_time() - cpu, accuracy


def task(run_id: str, params: dict | None = None) -> tuple[float, float, dict, Recorder]:
    recorder = Recorder()
    start, cpu = time.perf_counter(), time.process_time()
    message = dlviz_kernel.run_request(json.dumps({"run_id": run_id, "task": "mlp.train",
                                                   "params": params or {}}), publisher=recorder)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert message["kind"] == "result", message
    return seconds, cpu, message["result"], recorder


def throughput() -> None:
    torch.set_num_threads(1)
    params = complete(load_schema("mlp.train"), {})
    plain_loop(params)  # warm both paths up
    task("warm")
    plain_runs, task_runs = [], []  # (wall s, CPU s, accuracy) / (wall s, CPU s, result, recorder)
    sides = (lambda n: plain_runs.append(plain_loop(params)),
             lambda n: task_runs.append(task(f"bench-{n}")))
    for round_number in range(ROUNDS):
        # both sides back to back, the first one in turn (this machine's speed drifts by tens
        # of percent within seconds: a pair shares its moment)
        for side in sides if round_number % 2 == 0 else sides[::-1]:
            gc.collect()  # neither side pays for the other's garbage
            side(round_number)
    plain_times, plain_cpu = [r[0] for r in plain_runs], [r[1] for r in plain_runs]
    task_times, task_cpu = [r[0] for r in task_runs], [r[1] for r in task_runs]
    plain_accuracy = plain_runs[-1][2]
    result, recorder = task_runs[-1][2:]
    frames = [m for m in recorder.of_kind("progress") if "weights" in m]
    epochs = params["training"]["epochs"]
    plain, engine = min(plain_times), min(task_times)
    print(f"playground default: {epochs} epochs, batch {params['training']['batch_size']}, "
          f"{torch.get_num_threads()} thread, {ROUNDS} rounds of both, back to back")
    print(f"plain PyTorch loop : best {plain:.3f} s = {epochs / plain:.0f} epochs/s, "
          f"{min(plain_cpu):.3f} CPU s, median {statistics.median(plain_cpu):.3f} CPU s "
          f"(test accuracy {plain_accuracy:.3f})")
    print(f"mlp.train task     : best {engine:.3f} s = {epochs / engine:.0f} epochs/s, "
          f"{min(task_cpu):.3f} CPU s, median {statistics.median(task_cpu):.3f} CPU s "
          f"(test accuracy {result['history']['validation_accuracy'][-1]:.3f}, "
          f"{len(frames)} frames of weights sent)")
    paired = statistics.median(t / p for t, p in zip(task_cpu, plain_cpu))
    print(f"(best against best: {min(task_cpu) / min(plain_cpu):.3f} in CPU time, "
          f"{engine / plain:.3f} in wall-clock time)")
    print(f"overhead ratio: {paired:.3f}, the median over the rounds of task / plain CPU "
          f"seconds (target <= {TARGET})")


def frame_rate() -> dict | None:
    """Play the default in Chromium (the frame-rate browser test) and read what it measured."""
    if FPS_FILE.exists():
        FPS_FILE.unlink()
    command = ["npx", "playwright", "test", "--config", "tests/browser/playwright.config.ts",
               "tests/browser/mlp.spec.ts", "-g", "frame rate"]
    env = {**os.environ, "CHROMIUM": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if not FPS_FILE.exists():
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        print("frame rate: the browser test measured nothing (see its output above)")
        return None
    numbers = json.loads(FPS_FILE.read_text())
    print(f"live view, default playground playing, {numbers['seconds']:.1f} s in Chromium: "
          f"{numbers['frames_drawn_per_second']:.1f} frames drawn per second "
          f"(target >= {FPS_TARGET}); weights arrived {numbers['frames_arrived_per_second']:.1f}"
          f" times and epochs {numbers['epochs_arrived_per_second']:.1f} times per second; "
          f"a frame draws in {numbers['mean_draw_ms']:.1f} ms; the browser gave "
          f"{numbers['browser_animation_frames_per_second']:.0f} animation frames per second")
    if done.returncode != 0:
        print(f"(the browser test itself failed, exit {done.returncode}: see "
              "test-results/ for its trace)")
    return numbers


def instruction_ratio() -> None:
    """The same comparison in instructions executed (callgrind): free of the machine's drift."""
    lacking = instructions.missing()
    if lacking:
        print(f"instructions: not counted, this needs {lacking}")
        return
    counts = instructions.count(Path(__file__), [])
    plain, engine = counts["plain"], counts["task"]
    print(f"instructions (callgrind, one run each of the default, {EPOCHS_COUNTED} epochs): "
          f"plain loop {plain / 1e9:.3f} G, mlp.train task {engine / 1e9:.3f} G")
    print(f"overhead ratio in instructions: {engine / plain:.3f} (target <= {TARGET})")


def count_sides(sides: instructions.Sides) -> None:
    """Under callgrind (``instruction_ratio``): one plain loop and one task, counted apart.

    An epoch of the default takes about 10 ms, under the 30 ms after which the task sends a
    frame inside an epoch; under callgrind everything is ~50 times slower, so that timer is
    set out of reach to count what a real run does.
    """
    torch.set_num_threads(1)
    train.FRAME_INTERVAL = math.inf
    params = complete(load_schema("mlp.train"), {"training": {"epochs": 3}})
    plain_loop(params)  # warm both paths up, uncounted
    task("warm", {"training": {"epochs": 3}})
    params["training"]["epochs"] = EPOCHS_COUNTED
    gc.collect()
    with sides("plain"):
        plain_loop(params)
    gc.collect()
    with sides("task"):
        task("counted", {"training": {"epochs": EPOCHS_COUNTED}})


def main() -> None:
    library = instructions.library_argument()
    if library is not None:
        count_sides(instructions.Sides(library))
        return
    if "--instructions" in sys.argv:
        instruction_ratio()
        return
    if "--browser-only" not in sys.argv:
        throughput()
    if "--no-browser" not in sys.argv:
        frame_rate()


if __name__ == "__main__":
    main()
