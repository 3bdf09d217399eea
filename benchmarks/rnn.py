"""The RNN family's costs: the engine on the character LSTM, and rnn.inspect's round trip.

1. Engine overhead. The default character LSTM of ``rnn.train`` (Python's source, 128 units,
   sequences of 100, Adam 3e-3, clipping at 5) trained through ``fit`` vs a plain PyTorch loop
   with the same model (same seed), split, batches, loss, clipping and a validation pass after
   each epoch. Alternating rounds; the fastest of each is compared (the least disturbed by other
   work on the machine). Also shown: ``fit`` with rnn.train's sequence extras (gradient per
   time step before training and after epoch 1, which is also the last here, so this is the
   schedule's worst case; per-step accuracy counted in the validation pass), timed from the
   extras' set-up, and the whole task as the server runs it.
2. Round trip. A real ``jupyter server`` with the extension (``attention.Server``): a character
   LSTM is trained there once (REST), then ``rnn.inspect`` on a typed 200-character text is
   timed from ``POST runs`` until the client holds the run's JSON (events followed as the
   frontend does) and, if stubbed, the first layer's hidden states. Warm: after one untimed call.

Run: ``.venv/bin/python benchmarks/rnn.py`` (``--threads 1`` on a shared machine,
``--engine-only`` without the round trip). Targets: ratio at most 1.15; round trip at most
300 ms (median).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch

import dlviz_kernel
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.rnn.data import load as load_data
from dlviz_kernel.rnn.data import python_source
from dlviz_kernel.rnn.train import EpochWatch, build, clipping, loss_for, snapshot_bytes
from dlviz_kernel.tasks import RunContext, load_schema
from dlviz_kernel.training import TrainSettings, fit, split
from dlviz_kernel.training.monitor import SEQUENCES
from dlviz_kernel.training.params import complete

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attention import TERMINAL, Server  # noqa: E402

ROUNDS = 5
EPOCHS = 1
TARGET_RATIO = 1.15
TARGET_SECONDS = 0.300
TRIPS = 9
PARAMS = {"data": {"source": "text"}, "training": {"epochs": EPOCHS}}


def setup():
    """The default character LSTM's parameters, data, settings, split and loss."""
    params = complete(load_schema("rnn.train"), PARAMS)
    data = load_data(params["data"])
    settings = TrainSettings.from_params(params["training"])
    parts = split(data.x, data.y, params["data"]["validation_fraction"], settings.seed)
    return params, data, settings, parts, loss_for(data)


def new_model(params, data, settings):
    torch.manual_seed(settings.seed)
    return build(data, params["model"])


def plain_loop(model, parts, settings, loss_fn, clip: float) -> float:
    """Shuffle, batches, Adam, clipping, and the validation loss after each epoch."""
    shuffle = torch.Generator().manual_seed(settings.seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    n, batch = parts.x_train.shape[0], settings.batch_size
    validation = math.nan
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        for i in range(math.ceil(n / batch)):
            index = order[i * batch:(i + 1) * batch]
            loss = loss_fn(model(parts.x_train[index]), parts.y_train[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
        model.eval()
        with torch.no_grad():
            total = sum(float(loss_fn(model(parts.x_val[s:s + 1024]), parts.y_val[s:s + 1024],
                                      reduction="sum"))
                        for s in range(0, parts.x_val.shape[0], 1024))
        validation = total / parts.x_val.shape[0]
    return validation


def engine(params, data, settings, parts, loss_fn, extras: bool):
    """``fit`` as rnn.train calls it (clipping, snapshots, sequence advice); seconds, loss."""
    model = new_model(params, data, settings)
    start, cpu = time.perf_counter(), time.process_time()
    ctx = RunContext("bench", publisher=Recorder())
    if extras:  # its start-up (the gradient through time before training) counts
        ctx = EpochWatch(ctx, model, data, parts, loss_fn)
        loss_fn = ctx.loss
    with clipping(model, params["training"]["clip_norm"]):
        record = fit(model, parts, settings, ctx, loss_fn=loss_fn,
                     snapshot_bytes=snapshot_bytes(model, data), advice=SEQUENCES)
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    return seconds, record.history["validation_loss"][-1]


def engine_overhead() -> dict:
    params, data, settings, parts, loss_fn = setup()
    clip = params["training"]["clip_norm"]
    warm = TrainSettings(**{**settings.__dict__, "epochs": 1})
    plain_loop(new_model(params, data, warm), parts, warm, loss_fn, clip)
    plain_times, engine_times, extra_times = [], [], []
    for _ in range(ROUNDS):
        model = new_model(params, data, settings)
        start, cpu = time.perf_counter(), time.process_time()
        plain_loss = plain_loop(model, parts, settings, loss_fn, clip)
        plain_times.append((time.perf_counter() - start, time.process_time() - cpu))
        seconds, engine_loss = engine(params, data, settings, parts, loss_fn, extras=False)
        engine_times.append(seconds)
        seconds, _ = engine(params, data, settings, parts, loss_fn, extras=True)
        extra_times.append(seconds)
    start = time.perf_counter()
    message = dlviz_kernel.run_request(json.dumps({"run_id": "bench-task", "task": "rnn.train",
                                                   "params": PARAMS}), publisher=Recorder())
    task = time.perf_counter() - start
    # Best of the rounds, wall clock and this process's CPU time (threads summed): the CPU
    # time hardly counts the other work of a busy machine, the wall clock does.
    plain, fitted, extra = (min(t[0] for t in times) for times in
                            (plain_times, engine_times, extra_times))
    cpu_plain, cpu_fitted, cpu_extra = (min(t[1] for t in times) for times in
                                        (plain_times, engine_times, extra_times))
    print(f"character LSTM on {data.details['characters']:,} characters of Python source: "
          f"{EPOCHS} epochs, {parts.x_train.shape[0]} sequences of {data.steps}, batch "
          f"{settings.batch_size}, {torch.get_num_threads()} threads, best of {ROUNDS} rounds")
    print(f"plain PyTorch loop         : {plain:.3f} s  (validation loss {plain_loss:.4f})")
    print(f"dlviz engine (fit)         : {fitted:.3f} s  (validation loss {engine_loss:.4f})")
    print(f"fit + the sequence extras  : {extra:.3f} s  (ratio {extra / plain:.3f}, target <= "
          f"{TARGET_RATIO}: {'MET' if extra / plain <= TARGET_RATIO else 'NOT MET'})")
    print(f"whole rnn.train task       : {task:.3f} s  ({message['kind']})")
    print(f"CPU time: plain {cpu_plain:.3f} s, fit {cpu_fitted:.3f} s (ratio "
          f"{cpu_fitted / cpu_plain:.3f}), fit + extras {cpu_extra:.3f} s (ratio "
          f"{cpu_extra / cpu_plain:.3f})")
    ratio = fitted / plain
    median = (statistics.median(t[0] for t in engine_times)
              / statistics.median(t[0] for t in plain_times))
    print(f"(ratio of the medians: {median:.3f}; the machine's other work adds noise)")
    print(f"overhead ratio: {ratio:.3f} (target <= {TARGET_RATIO}): "
          f"{'MET' if ratio <= TARGET_RATIO else 'NOT MET'}")
    return {"ratio": ratio, "extras_ratio": extra / plain,
            "cpu_ratio": cpu_fitted / cpu_plain, "cpu_extras_ratio": cpu_extra / cpu_plain}


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


def round_trip() -> dict:
    text = python_source(20_000)[0][:200]
    server = Server()
    try:
        trained = run_to_end(server, {"task": "rnn.train", "params": {
            "data": {"source": "text", "corpus_chars": 20_000}, "training": {"epochs": 1}}})
        body = {"task": "rnn.inspect", "params": {"run": trained["id"], "input": {"text": text}}}
        run_to_end(server, body)  # warm-up
        times = []
        for _ in range(TRIPS):
            start = time.perf_counter()
            result = run_to_end(server, body)["result"]
            hidden = result["layers"][0]["hidden"]
            if "href" in hidden:
                server.session.get(server.api(hidden["href"]), timeout=60).raise_for_status()
            times.append(time.perf_counter() - start)
    finally:
        server.stop()
    median = statistics.median(times)
    print(f"rnn.inspect of a 200-character text (128-unit LSTM), warm, {TRIPS} round trips: "
          f"median {median * 1000:.0f} ms, best {min(times) * 1000:.0f} ms, worst "
          f"{max(times) * 1000:.0f} ms (target <= {TARGET_SECONDS * 1000:.0f} ms): "
          f"{'MET' if median <= TARGET_SECONDS else 'NOT MET'}")
    return {"median": median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's own choice)")
    parser.add_argument("--engine-only", action="store_true", help="skip the round trip")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    engine_overhead()
    if not args.engine_only:
        print(flush=True)
        round_trip()


if __name__ == "__main__":
    main()
