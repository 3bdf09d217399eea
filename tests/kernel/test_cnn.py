"""cnn.train and cnn.inspect in-process: accuracy, reproducibility, and views checked by hand."""

import ast

import pytest
import torch
import torch.nn.functional as F

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.cnn import views
from dlviz_kernel.data import load
from dlviz_kernel.data.shapes import CLASSES, make_shapes
from dlviz_kernel.training import runs

torch.set_grad_enabled(True)


@pytest.fixture(scope="module")
def default_run():
    """The default CNN trained once on the digits through the task, as the server runs it."""
    import json

    from dlviz_kernel.protocol import Recorder

    recorder = Recorder()
    message = dlviz_kernel.run_request(
        json.dumps({"run_id": "cnn-default", "task": "cnn.train", "params": {}}), recorder)
    assert message["kind"] == "result", message
    return message["result"], recorder


def tensor(array):
    return torch.from_numpy(decode(array).copy())


def test_default_cnn_reaches_90_percent_on_digits_and_validation_loss_falls(default_run):
    result, _ = default_run
    history = result["history"]
    epochs = result["params"]["training"]["epochs"]
    assert history["epoch"] == list(range(1, epochs + 1))
    assert history["validation_accuracy"][-1] >= 0.90
    assert history["validation_loss"][-1] < history["validation_loss"][0]
    assert result["dataset"]["train_size"] + result["dataset"]["validation_size"] == 1797
    # About 1 s on an idle 2-core CPU; the bound leaves room for a machine shared with others.
    assert result["seconds"] < 60


def test_training_streams_epoch_progress_events(default_run):
    result, recorder = default_run
    ends = [m for m in recorder.of_kind("progress") if m["phase"] == "epoch"]
    assert [m["epoch"] for m in ends] == result["history"]["epoch"]
    assert [m["validation_loss"] for m in ends] == result["history"]["validation_loss"]
    assert all(m["run_id"] == "cnn-default" for m in ends)


def test_trained_model_is_reachable_from_the_notebook_and_matches_the_result(default_run):
    result, _ = default_run
    model = dlviz_kernel.get_model("cnn-default")
    weights = tensor(result["final"]["layers"][0]["filters"])
    assert torch.equal(weights, model.blocks[0].conv.weight.detach())
    digits = load({"source": "digits"})
    index = result["final"]["input"]["index"]
    with torch.no_grad():
        expected = torch.softmax(model(digits.x[index:index + 1]), 1)[0]
    assert torch.allclose(tensor(result["final"]["probabilities"]), expected, atol=1e-6)


def test_snapshots_hold_filters_and_sample_maps_of_every_epoch(default_run):
    result, _ = default_run
    snaps = result["snapshots"]
    epochs = result["epochs_completed"]
    assert snaps["epochs"] == list(range(epochs + 1))
    model = dlviz_kernel.get_model("cnn-default")
    first = snaps["layers"][0]
    filters = tensor(first["filters"])
    assert filters.shape == (epochs + 1, 16, 1, 3, 3)
    assert torch.equal(filters[-1], model.blocks[0].conv.weight.detach())
    assert not torch.equal(filters[0], filters[-1])
    assert tensor(first["feature_maps"]).shape == (epochs + 1, 16, 8, 8)
    assert tensor(snaps["probabilities"]).shape == (epochs + 1, 10)
    assert torch.allclose(tensor(snaps["probabilities"])[-1],
                          tensor(result["final"]["probabilities"]), atol=1e-6)


def test_same_seed_gives_the_same_metrics_twice():
    params = {"training": {"epochs": 2, "seed": 7}}
    first = dlviz_kernel.train("cnn.train", params, quiet=True)
    second = dlviz_kernel.train("cnn.train", params, quiet=True)
    other = dlviz_kernel.train("cnn.train", {"training": {"epochs": 2, "seed": 8}}, quiet=True)
    assert first.history["train_loss"] == second.history["train_loss"]
    assert first.history["validation_accuracy"] == second.history["validation_accuracy"]
    assert first.history["train_loss"] != other.history["train_loss"]


def test_inspect_filters_equal_conv_weights_and_maps_equal_a_forward_hook(run_task):
    dlviz_kernel.train("cnn.train", {"training": {"epochs": 1}}, quiet=True)
    trained = dlviz_kernel.train("cnn.train", {"training": {"epochs": 2}}, quiet=True)
    model = trained.model
    message = run_task("cnn.inspect", {"run": trained.run_id, "input": {"index": 42}})
    result = message["result"]
    digits = load({"source": "digits"})
    captured = {}
    handles = [m.register_forward_hook(lambda mod, i, out, n=name: captured.__setitem__(n, out))
               for name, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model(digits.x[42:43])
    for handle in handles:
        handle.remove()
    assert [layer["name"] for layer in result["layers"]] == ["blocks.0.conv", "blocks.1.conv"]
    for layer in result["layers"]:
        module = dict(model.named_modules())[layer["name"]]
        assert torch.equal(tensor(layer["filters"]), module.weight.detach())
        assert torch.allclose(tensor(layer["feature_maps"]), captured[layer["name"]][0],
                              atol=1e-6)
    assert result["input"]["index"] == 42 and result["input"]["label"] == int(digits.y[42])
    assert result["source"] == {"run": trained.run_id, "model": None, "epoch": None}


def test_inspect_at_an_earlier_epoch_uses_that_epochs_weights(run_task):
    trained = dlviz_kernel.train("cnn.train", {"training": {"epochs": 2}}, quiet=True)
    result = run_task("cnn.inspect", {"run": trained.run_id, "epoch": 0})["result"]
    snaps = trained.result["snapshots"]["layers"][0]
    assert torch.equal(tensor(result["layers"][0]["filters"]), tensor(snaps["filters"])[0])
    assert result["source"]["epoch"] == 0
    missing = run_task("cnn.inspect", {"run": trained.run_id, "epoch": 9})
    assert missing["kind"] == "error" and missing["field"] == "epoch"


def test_saliency_gradcam_confusion_and_summary_match_direct_computation(default_run):
    result, _ = default_run
    final = result["final"]
    model = dlviz_kernel.get_model("cnn-default")
    run = runs.get("cnn-default")
    image = tensor(final["input"]["image"]).unsqueeze(0).requires_grad_(True)
    scores = model(image)
    predicted = int(scores.argmax())
    assert final["predicted"] == predicted
    (gradient,) = torch.autograd.grad(scores[0, predicted], image)
    assert torch.allclose(tensor(final["saliency"]), gradient[0].abs().amax(0), atol=1e-6)
    cam = tensor(final["grad_cam"]["map"])
    assert final["grad_cam"]["layer"] == "blocks.1.conv" and cam.shape == (4, 4)
    assert float(cam.max()) == pytest.approx(1.0) and float(cam.min()) >= 0
    assert tensor(final["grad_cam"]["upsampled"]).shape == (8, 8)
    matrix = tensor(final["confusion"]["matrix"])
    with torch.no_grad():
        predictions = model(run.split.x_val).argmax(1)
    assert int(matrix.sum()) == len(run.split.y_val)
    assert int(matrix[3, 5]) == int(((run.split.y_val == 3) & (predictions == 5)).sum())
    accuracy = float((predictions == run.split.y_val).float().mean())
    assert final["confusion"]["accuracy"] == pytest.approx(accuracy)
    assert final["confusion"]["accuracy"] == pytest.approx(
        result["history"]["validation_accuracy"][-1])
    summary = {layer["name"]: layer for layer in final["summary"]["layers"]}
    assert summary["blocks.0.conv"]["output_shape"] == [16, 8, 8]
    assert summary["blocks.1.pool"]["output_shape"] == [32, 2, 2]
    assert summary["blocks.1.conv"]["parameters"] == 32 * 16 * 9 + 32
    assert final["summary"]["total_parameters"] == sum(p.numel() for p in model.parameters())


def test_selectivity_counts_where_each_filter_fires_per_class(default_run):
    result, _ = default_run
    model = dlviz_kernel.get_model("cnn-default")
    run = runs.get("cnn-default")
    layer = result["final"]["selectivity"][0]
    assert layer["name"] == "blocks.0.conv" and layer["response_layer"] == "blocks.0.act"
    with torch.no_grad():
        fired = (model.blocks[0].act(model.blocks[0].norm(model.blocks[0].conv(
            run.split.x_val))) > 0).float()
    occurrence = tensor(layer["occurrence"])
    assert torch.allclose(occurrence, fired.mean(0), atol=0.003)
    sevens = run.split.y_val == 7
    by_class = tensor(layer["class_occurrence"])
    assert by_class.shape == (16, 10, 8, 8)
    assert torch.allclose(by_class[:, 7], fired[sevens].mean(0), atol=0.003)
    assert sorted(layer["order"]) == list(range(16))
    assert layer["dead"] == [bool(fired[:, f].max() == 0) for f in range(16)]


def test_dead_and_duplicated_filters_are_flagged():
    plain = {"batch_norm": False}
    trained = dlviz_kernel.train("cnn.train", {"blocks": [plain, plain],
                                               "training": {"epochs": 1}}, quiet=True)
    conv = trained.model.blocks[0].conv
    with torch.no_grad():
        # Filter 2: never positive on images in 0..1. Filter 5: a copy of filter 4.
        conv.weight[2] = -1.0
        conv.bias[2] = -50.0
        conv.weight[5] = conv.weight[4]
        conv.bias[5] = conv.bias[4]
    run = runs.get(trained.run_id)
    digits = load({"source": "digits"})
    found = views.inspect(trained.model, digits.x[0], run.split.x_val, run.split.y_val,
                          digits.classes)
    layer = found["selectivity"][0]
    assert layer["response_layer"] == "blocks.0.act"
    with torch.no_grad():
        response = torch.relu(conv(run.split.x_val))
    assert layer["dead"][2] is True
    assert layer["dead"] == [bool(response[:, f].max() == 0) for f in range(16)]
    assert float(tensor(layer["occurrence"])[2].max()) == 0.0
    assert layer["redundant_with"][5] == 4 and layer["redundant_with"][2] is None
    assert abs(layer["order"].index(5) - layer["order"].index(4)) == 1
    similarity = tensor(layer["similarity"])
    assert float(similarity[4, 5]) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("blocks", "field", "words"), [
    ([{}, {}, {"kernel_size": 5, "padding": 0}], "blocks.2.kernel_size", "Conv block 3"),
    ([{}, {}, {}, {}], "blocks.3.pooling", "Conv block 4"),
    ([{"kernel_size": 3, "dilation": 4, "padding": 0}], "blocks.0.kernel_size", "below 1 pixel"),
    ([{"filters": 256, "pooling": "none"}, {"filters": 256, "pooling": "none"}], "blocks",
     "parameters"),
])
def test_invalid_architectures_are_refused_before_training_naming_the_block(
        run_task, recorder, blocks, field, words):
    message = run_task("cnn.train", {"blocks": blocks, "dense": [{"units": 1024}]}
                       if field == "blocks" else {"blocks": blocks})
    assert message["kind"] == "error" and message["field"] == field
    assert words in message["message"]
    assert recorder.of_kind("progress") == []


def test_unknown_or_invalid_variable_names_are_refused_before_training(run_task, recorder, shell):
    message = run_task("cnn.train", {"data": {"source": "notebook", "x": "no_such_images",
                                              "y": "labels"}})
    assert message["field"] == "data.x" and "no_such_images" in message["message"]
    message = run_task("cnn.train", {"data": {"source": "notebook", "x": "__import__('os')",
                                              "y": "y"}})
    assert message["field"] == "data.x" and "not a variable name" in message["message"]
    shell.run_cell("images = __import__('torch').zeros(10, 8, 8)")
    message = run_task("cnn.train", {"data": {"source": "notebook", "x": "images", "y": "lbls"}})
    assert message["field"] == "data.y" and "lbls" in message["message"]
    message = run_task("cnn.inspect", {"model": "images"})
    assert message["field"] == "model" and "not a torch.nn.Module" in message["message"]
    assert recorder.of_kind("progress") == []


def test_training_on_notebook_tensors_found_by_name(run_task, shell):
    shell.run_cell("from sklearn.datasets import load_digits\n"
                   "d = load_digits()\n"
                   "X_train, y_train = d.images[:600] * 2.0, d.target[:600] + 1\n")
    message = run_task("cnn.train", {"data": {"source": "notebook", "x": "X_train",
                                              "y": "y_train"},
                                     "training": {"epochs": 3}}, run_id="nb-data")
    result = message["result"]
    assert result["dataset"]["classes"] == [str(c) for c in range(1, 11)]
    assert result["dataset"]["input_shape"] == [1, 8, 8]
    assert result["dataset"]["pixel_range"] == [0.0, 32.0]
    assert result["history"]["validation_accuracy"][-1] > 0.5


def test_a_cnn_class_defined_in_a_notebook_cell_is_inspected(run_task, shell):
    shell.run_cell(
        "import torch\n"
        "from torch import nn\n"
        "import torch.nn.functional as F\n\n"
        "class TinyNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.c1 = nn.Conv2d(1, 4, 3, padding=1)\n"
        "        self.c2 = nn.Conv2d(4, 6, 3)\n"
        "        self.fc = nn.Linear(6 * 6 * 6, 10)\n\n"
        "    def forward(self, x):\n"
        "        x = F.relu(self.c1(x))\n"
        "        x = F.relu(self.c2(x))\n"
        "        return self.fc(x.flatten(1))\n\n"
        "torch.manual_seed(3)\n"
        "net = TinyNet().train()\n")
    net = shell.user_ns["net"]
    result = run_task("cnn.inspect", {"model": "net", "input": {"index": 11}})["result"]
    x = load({"source": "digits"}).x[11:12]
    with torch.no_grad():
        c1 = F.conv2d(x, net.c1.weight, net.c1.bias, padding=1)
        c2 = F.conv2d(F.relu(c1), net.c2.weight, net.c2.bias)
        probabilities = torch.softmax(net.fc(F.relu(c2).flatten(1)), 1)[0]
    assert [layer["name"] for layer in result["layers"]] == ["c1", "c2"]
    assert torch.equal(tensor(result["layers"][0]["filters"]), net.c1.weight.detach())
    assert torch.equal(tensor(result["layers"][1]["filters"]), net.c2.weight.detach())
    assert torch.allclose(tensor(result["layers"][0]["feature_maps"]), c1[0], atol=1e-6)
    assert torch.allclose(tensor(result["layers"][1]["feature_maps"]), c2[0], atol=1e-6)
    assert torch.allclose(tensor(result["probabilities"]), probabilities, atol=1e-6)
    assert result["source"] == {"run": None, "model": "net", "epoch": None}
    # F.relu is invisible to hooks: the conv output itself says where a filter fires.
    assert result["selectivity"][0]["response_layer"] == "c1"
    assert net.training, "inspecting must not switch the learner's model to eval mode"
    assert all(p.grad is None for p in net.parameters())


def test_a_drawn_input_is_scaled_like_the_data_set(run_task, shell):
    trained = dlviz_kernel.train("cnn.train", {"training": {"epochs": 1}}, quiet=True)
    drawing = [[0.0] * 8 for _ in range(8)]
    for row in range(1, 7):
        drawing[row][4] = 1.0
    result = run_task("cnn.inspect", {"run": trained.run_id,
                                      "input": {"pixels": drawing}})["result"]
    image = tensor(result["input"]["image"])
    assert image.shape == (1, 8, 8) and float(image.sum()) == 6.0
    assert result["input"]["index"] is None
    with torch.no_grad():
        expected = torch.softmax(trained.model(image[None]), 1)[0]
    assert torch.allclose(tensor(result["probabilities"]), expected, atol=1e-6)
    bad = run_task("cnn.inspect", {"run": trained.run_id, "input": {"pixels": [[0.5] * 3]}})
    assert bad["field"] == "input.pixels" and "8 rows of 8" in bad["message"]
    far = run_task("cnn.inspect", {"run": trained.run_id, "input": {"index": 5000}})
    assert far["field"] == "input.index"


def test_inspect_needs_exactly_one_of_run_and_model(run_task):
    assert run_task("cnn.inspect", {})["field"] == "run"
    assert run_task("cnn.inspect", {"run": "nothing-kept"})["field"] == "run"


def test_shapes_data_is_deterministic_balanced_and_learnable():
    first, again = make_shapes(200), make_shapes(200)
    assert torch.equal(first.x, again.x) and first.x.shape == (200, 1, 16, 16)
    assert torch.bincount(first.y).tolist() == [50, 50, 50, 50]
    assert first.classes == CLASSES and 0.0 <= float(first.x.min()) <= float(first.x.max()) <= 1
    trained = dlviz_kernel.train("cnn.train", {"data": {"source": "shapes", "samples": 600},
                                               "training": {"epochs": 6}}, quiet=True)
    assert trained.history["validation_accuracy"][-1] >= 0.8


def test_code_for_a_run_calls_the_notebook_api_and_repeats_the_run(default_run):
    result, _ = default_run
    code = dlviz_kernel.code_for_run("cnn-default")
    assert code == result["code"]
    tree = ast.parse(code)
    assignment = next(node for node in tree.body if isinstance(node, ast.Assign)
                      and node.targets[0].id == "params")
    assert ast.literal_eval(assignment.value) == result["params"]
    assert "dlviz_kernel.train('cnn.train', params)" in code
    namespace = {}
    exec(compile(code, "<inserted cell>", "exec"), namespace)
    assert namespace["history"]["validation_loss"] == result["history"]["validation_loss"]
    assert isinstance(namespace["model"], torch.nn.Module)


def test_training_leaves_the_notebooks_random_state_as_it_was():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    dlviz_kernel.train("cnn.train", {"training": {"epochs": 1, "seed": 9}}, quiet=True)
    assert torch.equal(torch.rand(3), expected)


def test_a_double_precision_sequential_from_the_notebook_is_inspected(run_task, shell):
    shell.run_cell("import torch\n"
                   "torch.manual_seed(1)\n"
                   "seq = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(),\n"
                   "                          torch.nn.Flatten(), torch.nn.Linear(72, 10))\n"
                   "seq = seq.double()\n")
    seq = shell.user_ns["seq"]
    result = run_task("cnn.inspect", {"model": "seq", "data": {"source": "digits"}})["result"]
    x = load({"source": "digits"}).x[0:1].double()
    assert [layer["name"] for layer in result["layers"]] == ["0"]
    assert torch.equal(tensor(result["layers"][0]["filters"]), seq[0].weight.detach().float())
    with torch.no_grad():
        expected = torch.softmax(seq(x), 1)[0].float()
    assert torch.allclose(tensor(result["probabilities"]), expected, atol=1e-6)
    assert result["selectivity"][0]["response_layer"] == "1"
    assert result["summary"]["layers"][0]["output_shape"] == [2, 6, 6]
