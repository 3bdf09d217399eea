"""The autoencoder family's costs: training overhead, and the latent-space ``decode`` round trip.

1. Training overhead. The default ``autoencoder.train`` (dense AE, latent 2, digits, Adam 3e-3,
   batch 32, 40 epochs) against a plain PyTorch loop on the same model (same seed), split,
   batches, epochs and optimizer, with ``mse_loss`` and the validation MSE after each epoch, as
   any real loop does. Three sides, alternating rounds, the fastest of each compared (the least
   disturbed by other work on the machine):
   - ``fit`` alone (the shared engine: progress, monitor, snapshots) with the task's loss;
   - the whole task as the kernel runs it (``dlviz_kernel.run_request``): the engine plus the
     per-epoch validation MSE/KL events, the PCA baseline, the codes and the reconstructions.
   The whole task is the headline ratio (what a learner waits for). Each side is timed by the
   wall clock and by the process's CPU time: with one thread (below) the CPU time is the work
   done, which other programs on a shared machine disturb far less than the wall clock.
2. Round trip. A real ``jupyter server`` with the extension (``attention.Server``): an
   autoencoder is trained there once (REST, kept in the scratch kernel), then
   ``autoencoder.inspect`` ``decode`` of 32 latent points is timed from ``POST runs`` until the
   client holds the run's JSON with the decoded images (events followed as the frontend does).
   Warm: after a few untimed calls. The split of the median between server and kernel comes from
   the run's ``created``/``started``/``finished`` stamps; the kernel's own work is timed in this
   process on the same request.

Threads: torch runs on ``DLVIZ_BENCH_THREADS`` threads (default 1), here and in the server's
kernel (``OMP_NUM_THREADS``). The network is small: one thread is as fast, and on a machine
whose cores other programs share, torch's default of one thread per core makes each step wait
for a descheduled thread (measured on a busy 2-core machine: a 5-epoch plain loop 1.6-1.8 s
with 1 thread, 19-43 s with 2).

Run: ``.venv/bin/python benchmarks/autoencoder.py``. Targets: ratio at most 1.15; decode round
trip at most 50 ms (median).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import torch

import dlviz_kernel
from dlviz_kernel.autoencoder.model import loss_for
from dlviz_kernel.autoencoder.train import SAMPLES, build, targets_are_inputs
from dlviz_kernel.data import load as load_data
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.tasks import RunContext, load_schema
from dlviz_kernel.training import TrainSettings, fit, split
from dlviz_kernel.training.params import complete

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attention import TERMINAL, Server  # noqa: E402

TASK = "autoencoder.train"
ROUNDS = 5
TARGET_RATIO = 1.15
TARGET_SECONDS = 0.050
POINTS = 32
WARM_TRIPS = 5
TRIPS = 30
THREADS = int(os.environ.get("DLVIZ_BENCH_THREADS", "1"))


def setup():
    """The default autoencoder.train parameters, data, settings and split (images as targets)."""
    params = complete(load_schema(TASK), {})
    data = load_data(params["data"])
    settings = TrainSettings.from_params(params["training"])
    labelled = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    return params, data, settings, targets_are_inputs(labelled)


def new_model(params, data, settings):
    torch.manual_seed(settings.seed)
    return build(data, params["model"])


def plain_loop(model, parts, settings) -> float:
    """Shuffle, batches, Adam, mse_loss; the validation MSE after each epoch. Final MSE."""
    shuffle = torch.Generator().manual_seed(settings.seed + 1)
    torch.manual_seed(settings.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate,
                                 weight_decay=settings.weight_decay)
    mse = torch.nn.functional.mse_loss
    n, batch = parts.x_train.shape[0], settings.batch_size
    validation = math.nan
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        for i in range(math.ceil(n / batch)):
            index = order[i * batch:(i + 1) * batch]
            xb = parts.x_train[index]
            loss = mse(model(xb), xb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            validation = float(mse(model(parts.x_val), parts.x_val))
    return validation


class Clock:
    """Wall and CPU seconds of a block: ``with Clock() as clock: ...; clock.wall, clock.cpu``."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def engine(params, data, settings, parts) -> tuple[Clock, float]:
    """``fit`` as autoencoder.train calls it, without the task's extras; clock, val loss."""
    model = new_model(params, data, settings)
    pixels = math.prod(data.input_shape)
    with Clock() as clock:
        record = fit(model, parts, settings, RunContext("bench", publisher=Recorder()),
                     loss_fn=loss_for(model), snapshot_bytes=4 * SAMPLES * pixels)
    return clock, record.history["validation_loss"][-1]


def whole_task(run_id: str) -> tuple[Clock, dict, Recorder]:
    recorder = Recorder()
    with Clock() as clock:
        message = dlviz_kernel.run_request(json.dumps({"run_id": run_id, "task": TASK,
                                                       "params": {}}), publisher=recorder)
    assert message["kind"] == "result", message
    return clock, message["result"], recorder


def best(clocks: list[Clock]) -> tuple[float, float]:
    """The fastest wall and the smallest CPU seconds of some rounds."""
    return min(c.wall for c in clocks), min(c.cpu for c in clocks)


def training_overhead() -> dict:
    params, data, settings, parts = setup()
    warm = TrainSettings(**{**settings.__dict__, "epochs": 1})
    plain_loop(new_model(params, data, warm), parts, warm)
    whole_task("bench-warm")  # imports and first calls
    plain_clocks, engine_clocks, task_clocks = [], [], []
    found = {}

    def plain_side(_round: int) -> None:
        model = new_model(params, data, settings)
        with Clock() as clock:
            found["plain_mse"] = plain_loop(model, parts, settings)
        plain_clocks.append(clock)

    def engine_side(_round: int) -> None:
        clock, found["engine_loss"] = engine(params, data, settings, parts)
        engine_clocks.append(clock)

    def task_side(round_number: int) -> None:
        clock, found["result"], found["recorder"] = whole_task(f"bench-{round_number}")
        task_clocks.append(clock)

    sides = [plain_side, engine_side, task_side]
    for round_number in range(ROUNDS):
        # each side goes first, second and third in turn: no side always runs after the others
        for side in sides[round_number % 3:] + sides[:round_number % 3]:
            side(round_number)
    plain_mse, engine_loss = found["plain_mse"], found["engine_loss"]
    result, recorder = found["result"], found["recorder"]
    (plain, plain_cpu), (fitted, fitted_cpu), (task, task_cpu) = (
        best(plain_clocks), best(engine_clocks), best(task_clocks))
    events = recorder.of_kind("progress")
    print(f"default autoencoder ({params['model']['kind']}, {params['model']['layout']}, "
          f"latent {params['model']['latent']}) on {data.describe()['name']}: "
          f"{settings.epochs} epochs, {parts.x_train.shape[0]} training images, batch "
          f"{settings.batch_size}, {settings.optimizer}, {torch.get_num_threads()} thread(s), "
          f"best of {ROUNDS} rounds, order rotated (wall s / CPU s)")
    print(f"plain PyTorch loop        : {plain:.3f} / {plain_cpu:.3f}  "
          f"(validation MSE {plain_mse:.4f})")
    print(f"dlviz engine (fit) alone  : {fitted:.3f} / {fitted_cpu:.3f}  (validation loss "
          f"{engine_loss:.4f}; ratio {fitted / plain:.3f} / {fitted_cpu / plain_cpu:.3f})")
    print(f"whole autoencoder.train   : {task:.3f} / {task_cpu:.3f}  (test MSE "
          f"{result['test_mse']:.4f}, PCA {result['pca']['test_mse']:.4f}; {len(events)} "
          f"progress events, {sum(e.get('phase') == 'epoch' for e in events)} epoch ends)")
    print(f"  last round: fit {result['seconds']:.3f} s of the task's "
          f"{task_clocks[-1].wall:.3f} s wall (the rest: data, split, PCA, codes, "
          f"reconstructions, result)")
    for name, clocks in (("plain", plain_clocks), ("fit", engine_clocks),
                         ("task", task_clocks)):
        print(f"  rounds {name:5}: wall {' '.join(f'{c.wall:.2f}' for c in clocks)}; "
              f"CPU {' '.join(f'{c.cpu:.2f}' for c in clocks)}")
    ratio, ratio_cpu = task / plain, task_cpu / plain_cpu
    medians = [statistics.median(getattr(c, kind) for c in task_clocks)
               / statistics.median(getattr(c, kind) for c in plain_clocks)
               for kind in ("wall", "cpu")]
    print(f"(ratio of the medians: wall {medians[0]:.3f}, CPU {medians[1]:.3f}; the machine's "
          "other work adds noise)")
    for name, value in (("wall", ratio), ("CPU", ratio_cpu)):
        print(f"overhead ratio, {name} (whole task / plain loop): {value:.3f} "
              f"(target <= {TARGET_RATIO}): {'MET' if value <= TARGET_RATIO else 'NOT MET'}")
    return {"ratio": ratio, "ratio_cpu": ratio_cpu, "kept_run": f"bench-{ROUNDS - 1}"}


def run_to_end(server: Server, body: dict) -> dict:
    """POST runs, follow its events to the end, GET the run; the run's JSON."""
    session = server.session
    posted = session.post(server.api("runs"), json=body, timeout=60)
    posted.raise_for_status()
    run_id = posted.json()["id"]
    with session.get(server.api(f"runs/{run_id}/events"), stream=True, timeout=600) as events:
        buffer = ""
        for chunk in events.iter_content(chunk_size=None, decode_unicode=True):
            buffer += chunk
            *blocks, buffer = buffer.split("\n\n")
            if any(b.startswith("event: status")
                   and json.loads(b.split("data: ", 1)[1])["status"] in TERMINAL
                   for b in blocks):
                break
    run = session.get(server.api(f"runs/{run_id}"), timeout=60).json()
    if run["status"] != "succeeded":
        raise RuntimeError(f"run failed: {run['error']}")
    return run


def stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def latent_points(seed: int = 0) -> list[list[float]]:
    """32 points of a 2-D latent space, spread like the codes of a trained AE."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(POINTS, 2, generator=generator) * 3).tolist()


def kernel_side(run_id: str, codes: list[list[float]]) -> float:
    """Median seconds of the decode request run in this process (the kernel's own work)."""
    request = json.dumps({"run_id": "decode", "task": "autoencoder.inspect",
                          "params": {"run": run_id, "action": "decode", "codes": codes}})
    times = []
    for _ in range(WARM_TRIPS + TRIPS):
        start = time.perf_counter()
        message = dlviz_kernel.run_request(request, publisher=Recorder())
        times.append(time.perf_counter() - start)
        assert message["kind"] == "result", message
    return statistics.median(times[WARM_TRIPS:])


def round_trip(kept_run: str) -> dict:
    codes = latent_points()
    os.environ["OMP_NUM_THREADS"] = str(THREADS)  # the server's kernel inherits it
    server = Server()
    try:
        trained = run_to_end(server, {"task": TASK, "params": {"training": {"epochs": 5}}})
        body = {"task": "autoencoder.inspect",
                "params": {"run": trained["id"], "action": "decode", "codes": codes}}
        for _ in range(WARM_TRIPS):
            run_to_end(server, body)
        times, queued, in_kernel = [], [], []
        for _ in range(TRIPS):
            start = time.perf_counter()
            run = run_to_end(server, body)
            images = run["result"]["images"]
            assert "href" not in images and images["shape"] == [POINTS, 1, 8, 8], images
            times.append(time.perf_counter() - start)
            queued.append(stamp(run["started"]) - stamp(run["created"]))
            in_kernel.append(stamp(run["finished"]) - stamp(run["started"]))
    finally:
        server.stop()
    median = statistics.median(times)
    kernel = kernel_side(kept_run, codes)
    print(f"autoencoder.inspect decode of {POINTS} latent points (latent 2, 8x8 images), warm, "
          f"{TRIPS} round trips, kernel on {THREADS} thread(s): median {median * 1000:.1f} ms, "
          f"best {min(times) * 1000:.1f} ms, "
          f"worst {max(times) * 1000:.1f} ms (target <= {TARGET_SECONDS * 1000:.0f} ms): "
          f"{'MET' if median <= TARGET_SECONDS else 'NOT MET'}")
    print(f"  where the median goes (run stamps, ms resolution): created -> started (server "
          f"queue, send, kernel picks it up) {statistics.median(queued) * 1000:.1f} ms; "
          f"started -> finished (kernel runs it, result back on iopub) "
          f"{statistics.median(in_kernel) * 1000:.1f} ms; the same request in this process "
          f"(kernel code only) {kernel * 1000:.2f} ms")
    return {"median": median}


def main() -> None:
    torch.set_num_threads(THREADS)
    overhead = training_overhead()
    print()
    round_trip(overhead["kept_run"])


if __name__ == "__main__":
    main()
