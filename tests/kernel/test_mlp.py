"""mlp.train in-process: the playground's data, features, regularisation, anchors and contract."""

import json
import math

import numpy as np
import pytest
import torch

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.mlp import data as plane
from dlviz_kernel.mlp import features
from dlviz_kernel.mlp.model import PlaygroundNet, loss_for
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.training import runs

from .test_result_schemas import assert_fits

TASK = "mlp.train"
ALL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
SPEC = {"samples": 400, "noise": 0, "seed": 3, "classes": 3, "x": "", "y": "", "target": "",
        "columns": []}


def train(params, run_id="mlp-1"):
    recorder = Recorder()
    request = {"run_id": run_id, "task": TASK, "params": params}
    message = dlviz_kernel.run_request(json.dumps(request), publisher=recorder)
    assert message["kind"] == "result", message
    return message["result"], recorder


def error_of(params):
    request = {"run_id": "bad", "task": TASK, "params": params}
    message = dlviz_kernel.run_request(json.dumps(request), publisher=Recorder())
    assert message["kind"] == "error", message
    return message


@pytest.mark.parametrize("source", plane.CLASSIFICATION + plane.REGRESSION)
@pytest.mark.parametrize("noise", [0, 50])
def test_every_data_set_has_its_shape_and_range(source, noise):
    data = plane.load({**SPEC, "source": source, "noise": noise})
    assert data.x.shape == (400, 2) and data.x.dtype == torch.float32
    assert float(data.x.abs().max()) <= plane.RANGE
    assert torch.isfinite(data.x).all()
    if source in plane.REGRESSION:
        assert data.classes is None and data.y.dtype == torch.float32
        assert float(data.y.min()) >= -1 and float(data.y.max()) <= 1
        assert float(data.y.std()) > 0.1  # a surface, not a constant
    else:
        expected = 3 if source == "blobs" else 2
        assert data.classes == expected
        assert sorted(data.y.unique().tolist()) == list(range(expected))
        counts = torch.bincount(data.y)
        assert counts.min() >= 400 // expected - 40  # balanced
    again = plane.load({**SPEC, "source": source, "noise": noise})
    assert torch.equal(again.x, data.x) and torch.equal(again.y, data.y)  # the seed decides


def test_clean_sets_follow_their_rules():
    circle = plane.load({**SPEC, "source": "circle"})
    radius = circle.x.norm(dim=1)
    assert float(radius[circle.y == 1].max()) <= 0.5 * plane.RADIUS + 1e-5
    assert float(radius[circle.y == 0].min()) >= 0.7 * plane.RADIUS - 1e-5
    xor = plane.load({**SPEC, "source": "xor"})
    assert torch.equal((xor.x[:, 0] * xor.x[:, 1] > 0).long(), xor.y)
    gauss = plane.load({**SPEC, "source": "gauss"})
    assert gauss.x[gauss.y == 1].mean(0).tolist() == pytest.approx([2, 2], abs=0.2)
    assert gauss.x[gauss.y == 0].mean(0).tolist() == pytest.approx([-2, -2], abs=0.2)
    flat = plane.load({**SPEC, "source": "plane"})
    assert torch.allclose(flat.y, flat.x.sum(1) / (2 * plane.RADIUS), atol=1e-6)
    # noise scatters the circle's classes into each other
    noisy = plane.load({**SPEC, "source": "circle", "noise": 50})
    noisy_radius = noisy.x.norm(dim=1)
    assert float(noisy_radius[noisy.y == 1].max()) > float(noisy_radius[noisy.y == 0].min())


def test_features_are_computed_as_stated():
    points = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    got = features.compute(points, list(reversed(ALL_FEATURES)))  # order is always NAMES'
    a, b = points[:, 0].numpy(), points[:, 1].numpy()
    expected = np.stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)], 1)
    assert np.allclose(got.numpy(), expected)
    assert features.compute(points, ["x2^2"]).flatten().tolist() == [4.0, 9.0]


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularisation_moves_the_weights_as_its_formula_says(kind):
    torch.manual_seed(0)
    net = PlaygroundNet(2, [{"neurons": 3, "activation": "tanh"}], 2, "pytorch")
    x, y = torch.randn(16, 2), torch.randint(0, 2, (16,))
    lr, rate = 0.1, 0.05

    def step(regularization, rate):
        copy = PlaygroundNet(2, [{"neurons": 3, "activation": "tanh"}], 2, "pytorch")
        copy.load_state_dict(net.state_dict())
        optimizer = torch.optim.SGD(copy.parameters(), lr=lr)
        loss_for(copy, regularization, rate)(copy(x), y).backward()
        optimizer.step()
        return copy

    plain, regular = step("none", 0), step(kind, rate)
    for before, a, b in zip(net.layers, plain.layers, regular.layers):
        w = before.weight.detach()
        pull = torch.sign(w) if kind == "l1" else w
        assert torch.allclose(b.weight - a.weight, -lr * rate * pull, atol=1e-6)
        assert torch.allclose(b.bias, a.bias)  # biases are not regularised
    # evaluation (reduction="sum") measures the data loss alone
    loss = loss_for(net, kind, rate)
    assert torch.allclose(loss(net(x), y, reduction="sum"),
                          loss_for(net, "none", 0)(net(x), y, reduction="sum"))


def numpy_picture(result):
    """The output over the plane from the result's weights, as the browser computes it."""
    xs, ys = np.array(result["output"]["xs"]), np.array(result["output"]["ys"])
    gx, gy = np.meshgrid(xs, ys)
    a, b = gx.reshape(-1), gy.reshape(-1)
    table = {"x1": a, "x2": b, "x1^2": a * a, "x2^2": b * b, "x1*x2": a * b,
             "sin(x1)": np.sin(a), "sin(x2)": np.sin(b)}
    h = np.stack([table[name] for name in result["features"]], 1)
    act = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v,
           "sigmoid": lambda v: 1 / (1 + np.exp(-v))}
    for layer in result["weights"]:
        h = act[layer["activation"]](h @ np.array(layer["weight"]).T + np.array(layer["bias"]))
    return h[:, 0].reshape(len(ys), len(xs))


@pytest.fixture(scope="module")
def default_run():
    return train({"training": {"epochs": 30}}, "mlp-default")


def test_the_result_fits_its_contract_and_frames_travel_live(default_run):
    result, recorder = default_run
    assert_fits(TASK, result)
    epochs = [m for m in recorder.of_kind("progress") if m.get("phase") == "epoch"]
    assert [m["epoch"] for m in epochs] == list(range(1, 31))
    # each live frame is the network after that epoch: the last one is the final weights
    assert epochs[-1]["weights"] == result["weights"]
    assert result["frames"]["epochs"] == list(range(31))
    assert result["model"]["sizes"] == [2, 4, 2, 1]
    assert result["dataset"]["train_size"] == result["dataset"]["test_size"] == 250


def test_the_kernels_picture_equals_a_forward_pass_from_the_sent_weights(default_run):
    result, _ = default_run
    picture = decode(result["output"]["values"])
    # the weights travel rounded to 5 significant digits: the picture agrees to about that
    assert np.allclose(picture, numpy_picture(result), atol=2e-4)


def test_the_same_seed_gives_the_same_first_weights_and_continue_goes_on(default_run):
    result, _ = default_run
    again, _ = train({"training": {"epochs": 1}}, "mlp-again")
    assert again["frames"]["weights"][0] == result["frames"]["weights"][0]
    other, _ = train({"training": {"epochs": 1, "seed": 9}}, "mlp-other")
    assert other["frames"]["weights"][0] != result["frames"]["weights"][0]
    more, _ = train({"training": {"epochs": 2, "learning_rate": 0.1},
                     "continue_from": "mlp-default"}, "mlp-more")
    assert more["frames"]["weights"][0] == result["weights"]  # from where it stopped
    changed = error_of({"model": {"hidden": [{"neurons": 3}]}, "continue_from": "mlp-default"})
    assert changed["field"] == "continue_from"
    missing = error_of({"continue_from": "no-such-run"})
    assert missing["field"] == "continue_from"


def test_playground_default_learns_the_circle_for_nine_seeds_of_ten():
    """Circle, 4-2 tanh, SGD lr 0.03, batch 10, noise 0, train 50 %: test accuracy >= 0.95
    within 150 epochs, for at least 9 of 10 seeds (data and weights)."""
    reached = []
    for seed in range(10):
        result, _ = train({"data": {"seed": seed}, "training": {"seed": seed}}, f"mlp-s{seed}")
        accuracy = result["history"]["validation_accuracy"]
        assert len(accuracy) == 150
        reached.append(max(accuracy) >= 0.95)
    assert sum(reached) >= 9, reached


def test_spiral_with_every_feature_and_three_layers_of_eight():
    result, _ = train({"data": {"source": "spiral"}, "features": ALL_FEATURES,
                       "model": {"hidden": [{"neurons": 8}] * 3}, "training": {"epochs": 250}},
                      "mlp-spiral")
    assert result["history"]["validation_accuracy"][-1] >= 0.9


def test_four_blobs_give_a_confusion_matrix_of_the_test_points():
    result, _ = train({"data": {"source": "blobs", "classes": 4}, "model": {"setup": "pytorch"},
                       "training": {"optimizer": "adam", "epochs": 20}}, "mlp-blobs")
    matrix = np.array(result["confusion"])
    assert matrix.shape == (4, 4)
    assert matrix.sum() == result["dataset"]["test_size"]
    accuracy = np.trace(matrix) / matrix.sum()
    assert accuracy == pytest.approx(result["history"]["validation_accuracy"][-1])
    assert accuracy > 0.8
    assert_fits(TASK, result)


def test_regression_and_the_playground_set_up_refuse_what_they_cannot_do():
    result, _ = train({"data": {"source": "plane"}, "training": {"epochs": 20}}, "mlp-plane")
    assert result["confusion"] is None and result["dataset"]["classes"] is None
    losses = result["history"]["validation_loss"]
    assert losses[-1] < losses[0] / 2
    many = error_of({"data": {"source": "blobs", "classes": 4}})  # playground: one output
    assert many["field"] == "model.setup"


def test_a_notebook_dataframe_with_a_target_column(shell):
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"height": rng.normal(170, 10, 200), "weight": rng.normal(70, 8, 200),
                          "age": rng.uniform(18, 60, 200)})
    frame["tall"] = np.where(frame["height"] > 170, "yes", "no")
    shell.user_ns["people"] = frame
    result, _ = train({"data": {"source": "notebook", "x": "people", "target": "tall",
                                "columns": ["height", "age"]},
                       "model": {"setup": "pytorch"},
                       "training": {"optimizer": "adam", "learning_rate": 0.01, "epochs": 5}},
                      "mlp-frame")
    data = result["dataset"]
    assert data["columns"] == ["height", "weight", "age"] and data["shown"] == [0, 2]
    assert data["fixed"] == pytest.approx(frame[["height", "weight", "age"]].mean().tolist())
    assert data["classes"] == 2 and result["features"] == ["height", "weight", "age"]
    assert result["computes_features"] is False
    assert [len(p) for p in result["train"]["x"][:1]] == [2]
    bad = error_of({"data": {"source": "notebook", "x": "people", "target": "shoe"}})
    assert bad["field"] == "data.target"
    assert math.isfinite(result["history"]["validation_loss"][-1])
    assert runs.get("mlp-frame").model(torch.zeros(1, 3)).shape == (1, 2)


def test_hand_edits_set_a_weight_and_a_bias_before_training(default_run):
    result, _ = default_run
    edited, _ = train({"training": {"epochs": 0}, "continue_from": "mlp-default",
                       "edits": [{"layer": 1, "to": 0, "from": 3, "value": 2.5},
                                 {"layer": 2, "to": 0, "from": -1, "value": -0.75}]}, "mlp-edit")
    weights = edited["weights"]
    assert weights[1]["weight"][0][3] == 2.5 and weights[2]["bias"][0] == -0.75
    # everything else is the run it continued from
    assert weights[0] == result["weights"][0]
    assert weights[1]["weight"][1] == result["weights"][1]["weight"][1]
    bad = error_of({"edits": [{"layer": 1, "to": 0, "from": 9, "value": 1}]})
    assert bad["field"] == "edits.0"
