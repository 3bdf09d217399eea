"""The shared training engine: splits, optimizers, progress, seeds, snapshots, monitor, cancel."""

import math
import os
import signal
import time

import pytest
import torch
from torch import nn

from dlviz_kernel.tasks import RunContext, TaskError, load_schema
from dlviz_kernel.training import TrainSettings, engine, evaluate, fit, monitor, split
from dlviz_kernel.training.params import complete


def blobs(n=240, seed=0):
    """Three well separated classes of 2-D points shaped like 1x2x2 'images'."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    centres = torch.tensor([[3.0, 0, 0, 0], [0, 3.0, 0, 0], [0, 0, 3.0, 0]])
    x = centres[y] + 0.5 * torch.randn(n, 4, generator=g)
    return x.view(n, 1, 2, 2), y


def small_net(seed=0, hidden=16):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 3))


def test_split_is_seeded_disjoint_and_covers_every_sample():
    x, y = blobs(100)
    first, again, other = split(x, y, 0.2, seed=5), split(x, y, 0.2, seed=5), split(x, y, 0.2, 6)
    assert len(first.val_index) == 20 and len(first.train_index) == 80
    assert torch.equal(first.val_index, again.val_index)
    assert not torch.equal(first.val_index, other.val_index)
    both = torch.cat([first.train_index, first.val_index]).sort().values
    assert torch.equal(both, torch.arange(100))
    assert torch.equal(first.x_val, x[first.val_index])


def test_split_refuses_to_leave_nothing_for_training():
    x, y = blobs(1)
    with pytest.raises(TaskError) as caught:
        split(x, y, 0.5, 0)
    assert caught.value.field == "data.validation_fraction"


@pytest.mark.parametrize(("optimizer", "lr", "kind"), [
    ("sgd", 0.1, torch.optim.SGD), ("adam", 0.01, torch.optim.Adam),
    ("rmsprop", 0.01, torch.optim.RMSprop)])
def test_each_optimizer_learns_the_blobs(optimizer, lr, kind):
    x, y = blobs()
    settings = TrainSettings(optimizer=optimizer, learning_rate=lr, epochs=6, batch_size=16)
    assert isinstance(engine.make_optimizer(settings, small_net().parameters()), kind)
    record = fit(small_net(), split(x, y, 0.25, 0), settings)
    assert record.history["validation_accuracy"][-1] >= 0.95
    assert record.history["train_loss"][-1] < record.history["train_loss"][0]


def test_sgd_gets_momentum_and_weight_decay_from_the_settings():
    settings = TrainSettings(optimizer="sgd", momentum=0.8, weight_decay=0.01)
    group = engine.make_optimizer(settings, small_net().parameters()).param_groups[0]
    assert group["momentum"] == 0.8 and group["weight_decay"] == 0.01


def test_same_seed_gives_identical_history_and_weights_and_another_seed_does_not():
    x, y = blobs()
    runs = []
    for seed in (3, 3, 4):
        settings = TrainSettings(epochs=3, seed=seed, learning_rate=0.01)
        model = small_net(seed)
        record = fit(model, split(x, y, 0.25, seed), settings)
        runs.append((record.history["train_loss"], record.history["validation_loss"],
                     model[1].weight.detach().clone()))
    assert runs[0][0] == runs[1][0] and runs[0][1] == runs[1][1]
    assert torch.equal(runs[0][2], runs[1][2])
    assert runs[0][0] != runs[2][0]


def test_history_has_one_entry_per_epoch_and_matches_a_direct_evaluation(recorder):
    x, y = blobs()
    parts = split(x, y, 0.25, 0)
    model = small_net()
    record = fit(model, parts, TrainSettings(epochs=4, learning_rate=0.01),
                 RunContext("h1", publisher=recorder))
    assert record.history["epoch"] == [1, 2, 3, 4]
    assert all(len(v) == 4 for v in record.history.values())
    loss, accuracy = evaluate(model, parts.x_val, parts.y_val)
    assert record.history["validation_loss"][-1] == pytest.approx(loss)
    assert record.history["validation_accuracy"][-1] == pytest.approx(accuracy)
    assert record.steps == 4 * math.ceil(180 / 32)
    assert record.history["elapsed"] == sorted(record.history["elapsed"])


def test_progress_events_carry_epoch_losses_and_accuracies_and_are_throttled(recorder):
    x, y = blobs(2000)
    parts = split(x, y, 0.1, 0)
    settings = TrainSettings(epochs=3, batch_size=4, learning_rate=0.01)
    record = fit(small_net(), parts, settings, RunContext("p1", publisher=recorder))
    events = recorder.of_kind("progress")
    epoch_ends = [e for e in events if e["phase"] == "epoch"]
    assert [e["epoch"] for e in epoch_ends] == [1, 2, 3]
    last = epoch_ends[-1]
    assert last["step"] == last["total"] == record.steps == 3 * 450
    assert last["validation_accuracy"] == record.history["validation_accuracy"][-1]
    assert last["train_loss"] == record.history["train_loss"][-1]
    assert set(last) >= {"epochs", "train_accuracy", "validation_loss", "elapsed", "message"}
    # Far fewer events than steps: at most one per PROGRESS_INTERVAL plus one per epoch.
    allowed = record.seconds / engine.PROGRESS_INTERVAL + 3 + 1
    assert len(events) <= allowed and len(events) < record.steps / 20


def test_snapshots_keep_the_weights_of_every_epoch_starting_before_training():
    x, y = blobs()
    model = small_net()
    before = model[1].weight.detach().clone()
    record = fit(model, split(x, y, 0.25, 0), TrainSettings(epochs=3, learning_rate=0.01))
    snaps = record.snapshots
    assert snaps.epochs == [0, 1, 2, 3]
    assert torch.equal(snaps.state(0)["1.weight"], before)
    assert torch.equal(snaps.state(3)["1.weight"], model[1].weight)
    assert not torch.equal(snaps.state(1)["1.weight"], snaps.state(2)["1.weight"])


def test_monitor_gradient_norms_and_histograms_per_layer_and_epoch():
    x, y = blobs()
    model = small_net()
    record = fit(model, split(x, y, 0.25, 0), TrainSettings(epochs=2, learning_rate=0.01))
    data = record.monitor_data()
    assert data["layers"] == ["1", "3"]
    assert len(data["gradient_norms"]) == 2 and all(len(r) == 2 for r in data["gradient_norms"])
    assert all(n > 0 for row in data["gradient_norms"] for n in row)
    first = data["weight_histograms"][0]
    assert first["layer"] == "1" and len(first["counts"]) == 3  # epochs 0, 1, 2
    assert sum(first["counts"][-1]) == model[1].weight.numel()
    assert first["edges"][-1][0] == pytest.approx(float(model[1].weight.detach().min()), abs=1e-6)
    assert data["activation_layers"] == ["2"] and len(data["dead_units"]) == 2
    history = record.history
    assert data["loss_gap"][-1] == pytest.approx(
        history["validation_loss"][-1] - history["train_loss"][-1])
    assert data["accuracy_gap"][0] == pytest.approx(
        history["train_accuracy"][0] - history["validation_accuracy"][0])


def test_monitor_gradient_norms_are_the_layer_norms_of_the_sampled_steps_averaged():
    torch.manual_seed(0)
    used, unused = nn.Linear(4, 3), nn.Linear(3, 2)
    model = nn.Sequential(used, unused)
    watch = monitor.Monitor(model, steps_per_epoch=2)
    by_hand = []
    for seed in (1, 2):
        model.zero_grad(set_to_none=True)
        used(torch.randn(5, 4, generator=torch.Generator().manual_seed(seed))).pow(2).sum() \
            .backward()  # the second layer gets no gradient: it counts as 0
        watch.record_gradients()
        by_hand.append(math.sqrt(float(used.weight.grad.pow(2).sum())
                                 + float(used.bias.grad.pow(2).sum())))
    means = watch.end_epoch()
    assert means[0] == pytest.approx(sum(by_hand) / 2, rel=1e-6)
    assert means[1] == 0.0
    assert watch.gradient_norms == [means]
    assert watch.end_epoch() == [0.0, 0.0]  # a new epoch starts without samples


def test_fit_without_histograms_trains_the_same_and_keeps_the_rest_of_the_monitor():
    x, y = blobs()
    parts = split(x, y, 0.25, 0)
    settings = TrainSettings(epochs=2, learning_rate=0.01)
    full = fit(small_net(), parts, settings)
    light = fit(small_net(), parts, settings, histograms=False)
    assert light.history["train_loss"] == full.history["train_loss"]
    assert light.monitor.histograms == [] and len(full.monitor.histograms) == 3
    assert light.monitor.gradient_norms == full.monitor.gradient_norms
    assert light.monitor.dead_units == full.monitor.dead_units


def test_a_relu_layer_pushed_below_zero_is_reported_dead_in_plain_words():
    x, y = blobs()
    model = small_net()
    with torch.no_grad():
        model[1].bias.fill_(-100.0)
    record = fit(model, split(x, y, 0.25, 0), TrainSettings(epochs=2, learning_rate=0.001))
    assert record.monitor.dead_units[-1] == [1.0]
    dead = [w for w in record.warnings if w["kind"] == "dead_units"]
    assert dead and dead[0]["layer"] == "2" and "never fire" in dead[0]["message"]


def test_saturated_deep_network_warns_of_vanishing_gradients_naming_the_first_layer():
    torch.manual_seed(0)
    layers = [nn.Flatten(), nn.Linear(4, 16)]
    for _ in range(8):
        layers += [nn.Sigmoid(), nn.Linear(16, 16)]
    layers += [nn.Sigmoid(), nn.Linear(16, 3)]
    x, y = blobs()
    record = fit(nn.Sequential(*layers), split(x, y, 0.25, 0),
                 TrainSettings(optimizer="sgd", learning_rate=0.01, epochs=1))
    vanishing = [w for w in record.warnings if w["kind"] == "vanishing_gradients"]
    assert vanishing and vanishing[0]["layer"] == "1"
    assert "barely learns" in vanishing[0]["message"]


def test_a_nan_loss_stops_training_and_warns():
    x, y = blobs()
    x[0, 0, 0, 0] = float("nan")
    record = fit(small_net(), split(x, y, 0.0, 0), TrainSettings(epochs=5))
    assert record.history["epoch"] == [1]
    assert record.stopped_early and "NaN" in record.stopped_early
    assert any(w["kind"] == "exploding_gradients" for w in record.warnings)


def test_overfitting_is_reported_only_when_validation_loss_clearly_rises():
    history = {"train_loss": [1.0, 0.5, 0.3, 0.2, 0.1], "validation_loss": [1.0, 0.6, 0.7, 0.9,
                                                                           1.2],
               "validation_accuracy": [0.6, 0.8, 0.8, 0.78, 0.75]}
    found = monitor._overfitting(history)
    assert found and found[0]["epoch"] == 2
    wobble = dict(history, validation_loss=[1.0, 0.6, 0.62, 0.61, 0.63],
                  validation_accuracy=[0.6, 0.8, 0.8, 0.8, 0.8])
    assert monitor._overfitting(wobble) == []


def test_sigint_during_fit_stops_between_steps_keeps_the_partial_model_and_raises():
    x, y = blobs(3000)
    model = small_net()
    kept, sent = [], []

    def interrupt_at_step_50(module, inputs):
        # Mid-training for sure, however slow the machine is: the 50th forward pass.
        if len(sent) == 0 and interrupt_at_step_50.calls == 50:
            sent.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)
        interrupt_at_step_50.calls += 1

    interrupt_at_step_50.calls = 0
    model.register_forward_pre_hook(interrupt_at_step_50)
    with pytest.raises(KeyboardInterrupt):
        fit(model, split(x, y, 0.1, 0), TrainSettings(epochs=1000, batch_size=8),
            on_cancel=kept.append)
    stopped_after = time.monotonic() - sent[0]
    record = kept[0]
    assert record.cancelled and 0 < record.steps < 1000 * 338
    assert stopped_after < 1.0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # The partial model is consistent: it still predicts, in eval mode.
    assert not model.training and model(x[:2]).shape == (2, 3)


def test_nested_params_get_defaults_and_errors_name_the_dotted_field():
    schema = load_schema("cnn.train")
    full = complete(schema, {"blocks": [{"filters": 4}], "training": {"epochs": 2}})
    assert full["blocks"][0]["kernel_size"] == 3 and full["blocks"][0]["filters"] == 4
    assert full["training"]["optimizer"] == "adam" and full["training"]["epochs"] == 2
    assert full["data"]["source"] == "digits"
    with pytest.raises(TaskError) as caught:
        complete(schema, {"blocks": [{}, {}, {"kernel_size": 0}]})
    assert caught.value.field == "blocks.2.kernel_size"
    assert caught.value.message == "Conv block 3: Kernel size must be at least 1."
    with pytest.raises(TaskError) as caught:
        complete(schema, {"training": {"optimizer": "lbfgs"}})
    assert caught.value.field == "training.optimizer"
    with pytest.raises(TaskError) as caught:
        complete(schema, {"blocks": []})
    assert caught.value.field == "blocks"
    with pytest.raises(TaskError) as caught:
        complete(schema, {"dense": [{"units": 8, "colour": 1}]})
    assert caught.value.field == "dense.0.colour"


def test_fit_takes_another_loss_for_regression_and_reports_no_accuracy():
    torch.manual_seed(0)
    x = torch.randn(200, 4)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]])
    model = nn.Linear(4, 1)
    settings = TrainSettings(optimizer="sgd", epochs=10, batch_size=16, learning_rate=0.1)
    record = fit(model, split(x, y, 0.2, 0), settings, loss_fn=torch.nn.functional.mse_loss)
    assert record.history["validation_accuracy"] == [None] * 10
    assert record.history["validation_loss"][-1] < 0.01 < record.history["validation_loss"][0]
