"""Notebook API, every family: `show.filters`, `show.hidden_states`, `show.decision_boundary`,
`show.latent_space` and `show.training_curves` in a real kernel give data-only outputs whose
numbers are the user's model's own, and that survive a save and a reopen."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from dlviz_lab.client import decode_array
from dlviz_lab.show import VIEW_MIME_TYPE

SETUP = """
import json, torch
from torch import nn
from dlviz_lab import show
torch.manual_seed(0)
torch.set_num_threads(1)
cnn = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.Conv2d(6, 4, 3, padding=1), nn.ReLU(),
                    nn.Flatten(), nn.Linear(4 * 10 * 10, 3))
digit = torch.rand(1, 12, 12)

class CharLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 5)
        self.lstm = nn.LSTM(5, 7, num_layers=2, batch_first=True)
        self.out = nn.Linear(7, 20)
    def forward(self, ids):
        h, _ = self.lstm(self.embed(ids))
        return self.out(h)

reader = CharLSTM()
ids = torch.tensor([3, 1, 4, 1, 5, 9])

mlp = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
X = torch.randn(120, 2)
y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()

encoder2 = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
encoder5 = nn.Sequential(nn.Flatten(), nn.Linear(16, 5))
decoder5 = nn.Sequential(nn.Linear(5, 16), nn.Sigmoid())
pictures = torch.rand(50, 1, 4, 4)
digits = torch.arange(50) % 3
cnn.train()
"""


def _payload(out) -> dict:
    assert out["status"] == "ok", out["reply"]
    (output,) = out["outputs"]
    assert set(output["data"]) == {VIEW_MIME_TYPE, "text/plain"}
    assert "\n" not in output["data"]["text/plain"]
    return output["data"][VIEW_MIME_TYPE]


async def _json(cells, code: str):
    out = await cells.execute(f"print(json.dumps({code}))")
    assert out["status"] == "ok", out["reply"]
    return json.loads(out["stdout"])


async def test_every_family_shows_the_models_own_numbers_and_survives_a_save(
        start_kernel, notebook, tmp_path):
    cells = await notebook(await start_kernel())
    assert (await cells.execute(SETUP, timeout=180))["status"] == "ok"
    outputs = []

    # filters: exactly the conv's weights; feature maps: that layer's output on the image
    out = await cells.execute("show.filters(cnn, layer='2', image=digit)")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    assert payload["view"] == "filters" and payload["layers"] == ["0", "2"]
    assert payload["layer"] == "2" and payload["filters_cut"] is False
    weights = np.array(await _json(cells, "cnn[2].weight.tolist()"), dtype=np.float32)
    assert np.array_equal(decode_array(payload["filters"]), weights)
    maps = np.array(await _json(cells, "cnn[:3](digit[None])[0].tolist()"), dtype=np.float32)
    got = decode_array(payload["feature_maps"]).astype(np.float32)
    assert got.shape == maps.shape == (4, 10, 10)
    np.testing.assert_allclose(got, maps, atol=2e-3, rtol=2e-3)
    assert (await _json(cells, "cnn.training")) is True  # its mode is left as it was

    # hidden states: the LSTM's own output (top layer) and its last cell state (c_n)
    out = await cells.execute("show.hidden_states(reader, ids, text='abcdef')")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    assert payload["cell"] == "lstm" and payload["labels"] == list("abcdef")
    assert [(entry["layer"], entry["direction"]) for entry in payload["layers"]] == \
        [(0, "forward"), (1, "forward")]
    assert set(payload["layers"][1]["gates"]) == {"input", "forget", "cell", "output"}
    reference = await _json(
        cells, "(lambda o: [o[0][0].tolist(), o[1][1][:, 0].tolist()])"
               "(reader.lstm(reader.embed(ids[None])))")
    top = decode_array(payload["layers"][1]["hidden"])
    assert top.shape == (6, 7)
    np.testing.assert_allclose(top, np.array(reference[0]), atol=1e-5)
    for layer in (0, 1):
        last_cell = decode_array(payload["layers"][layer]["cell"]).astype(np.float32)[-1]
        np.testing.assert_allclose(last_cell, np.array(reference[1][layer]), atol=2e-3)

    # decision boundary: the grid's classes and probabilities are mlp(grid)'s
    out = await cells.execute("show.decision_boundary(mlp, X, y, grid=30)")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    bounds = await _json(cells, "[X[:, 0].min().item(), X[:, 0].max().item(), "
                                "X[:, 1].min().item(), X[:, 1].max().item()]")
    span_x, span_y = bounds[1] - bounds[0], bounds[3] - bounds[2]
    np.testing.assert_allclose(payload["x_range"], [bounds[0] - 0.1 * span_x,
                                                    bounds[1] + 0.1 * span_x], rtol=1e-6)
    np.testing.assert_allclose(payload["y_range"], [bounds[2] - 0.1 * span_y,
                                                    bounds[3] + 0.1 * span_y], rtol=1e-6)
    probabilities = await _json(
        cells, f"torch.softmax(mlp(torch.stack(torch.meshgrid("
               f"torch.linspace({payload['y_range'][0]!r}, {payload['y_range'][1]!r}, 30), "
               f"torch.linspace({payload['x_range'][0]!r}, {payload['x_range'][1]!r}, 30), "
               f"indexing='ij')[::-1], -1)), -1).tolist()")
    expected = np.array(probabilities, dtype=np.float32)  # [row = y, column = x, class]
    got = decode_array(payload["probabilities"]).astype(np.float32)
    assert got.shape == (30, 30, 3)
    np.testing.assert_allclose(got, expected, atol=2e-3)
    predicted = decode_array(payload["predicted"])
    sure = np.sort(expected, -1)[..., -1] - np.sort(expected, -1)[..., -2] > 1e-4
    assert np.array_equal(predicted[sure], expected.argmax(-1)[sure])
    accuracy = await _json(cells, "(mlp(X).argmax(1) == y).float().mean().item()")
    assert payload["accuracy"] == pytest.approx(accuracy)
    assert payload["classes"] == 3 and len(np.unique(predicted)) > 1

    # latent space: 2-D codes are encoder(X) as they are; 5-D ones their PCA
    out = await cells.execute("show.latent_space(encoder2, pictures, digits)")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    assert payload["method"] == "identity" and payload["latent_dims"] == 2
    codes = np.array(await _json(cells, "encoder2(pictures).tolist()"), dtype=np.float32)
    np.testing.assert_allclose(decode_array(payload["points"]), codes, atol=1e-6)
    assert decode_array(payload["labels"]).tolist() == [i % 3 for i in range(50)]

    out = await cells.execute("show.latent_space(encoder5, pictures, digits, decoder=decoder5, "
                              "grid=3)")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    assert payload["method"] == "pca" and payload["latent_dims"] == 5
    assert "PCA of 5-D codes" in out["outputs"][0]["data"]["text/plain"]
    codes = np.array(await _json(cells, "encoder5(pictures).tolist()"), dtype=np.float64)
    centred = codes - codes.mean(0)
    axes = np.linalg.svd(centred, full_matrices=False)[2][:2]
    points = decode_array(payload["points"]).astype(np.float64)
    expected = centred @ axes.T
    for k in range(2):  # the same axes up to their sign
        sign = np.sign(points[:, k] @ expected[:, k])
        np.testing.assert_allclose(points[:, k], sign * expected[:, k], atol=1e-4)
    images = decode_array(payload["decoded"]["images"])
    assert images.shape == (9, 4, 4)
    assert images.min() >= -0.01 and images.max() <= 1.01  # the decoder ends in a sigmoid

    # training curves
    out = await cells.execute("show.training_curves([{'loss': 1.0, 'val_loss': 1.5}, "
                              "{'loss': 0.5, 'val_loss': None, 'accuracy': 0.75}])")
    outputs.append(out["outputs"][0])
    payload = _payload(out)
    assert payload["epochs"] == [1, 2]
    assert payload["series"] == [{"name": "loss", "values": [1.0, 0.5]},
                                 {"name": "val_loss", "values": [1.5, None]},
                                 {"name": "accuracy", "values": [None, 0.75]}]

    # saved and reopened: the notebook holds the very same data for the renderers
    nb = nbformat.v4.new_notebook()
    for output in outputs:
        cell = nbformat.v4.new_code_cell("show...")
        cell.outputs = [nbformat.from_dict(output)]
        nb.cells.append(cell)
    nbformat.validate(nb)
    file = tmp_path / "families.ipynb"
    nbformat.write(nb, str(file))
    reopened = nbformat.read(str(file), as_version=4)
    nbformat.validate(reopened)
    for cell, output in zip(reopened.cells, outputs):
        assert cell.outputs[0]["data"][VIEW_MIME_TYPE] == output["data"][VIEW_MIME_TYPE]


async def test_wrong_arguments_raise_errors_naming_them(start_kernel, notebook):
    cells = await notebook(await start_kernel())
    assert (await cells.execute(SETUP, timeout=180))["status"] == "ok"
    wrong = {
        "show.filters(mlp)": "model (Sequential) has no torch.nn.Conv2d layer",
        "show.filters(cnn, layer='4')": "layer must be one of the conv layers ['0', '2'], not '4'",
        "show.filters(cnn, image=torch.rand(1, 3, 12, 12))": "image: the model cannot read",
        "show.hidden_states(mlp, X)": "rnn_or_module: ",
        "show.hidden_states(reader, ids.float())": "inputs must be token ids",
        "show.hidden_states(reader, ids, text='abc')": "text must label every step: 6 labels",
        "show.decision_boundary(mlp, X, y, grid=1000)": "grid must be between 10 and 100, not 1000",
        "show.decision_boundary(mlp, X[:, :1], y)": "X must be points [N, 2]",
        "show.decision_boundary(mlp, X, y[:5])": "y must have one label per point",
        "show.latent_space(encoder5, pictures, decoder=decoder5, grid=50)":
            "grid must be between 2 and 12, not 50",
        "show.training_curves(3)": "history must be a list of dicts",
    }
    for code, message in wrong.items():
        out = await cells.execute(code)
        assert out["status"] == "error", code
        assert out["reply"]["ename"] == "ValueError", (code, out["reply"])
        assert message in out["reply"]["evalue"], (code, out["reply"]["evalue"])


def test_payloads_stay_within_their_bounds():
    torch = pytest.importorskip("torch")
    from dlviz_lab import show
    from dlviz_lab.show import boundary, cnn_filters, rnn_states

    torch.manual_seed(0)
    wide = torch.nn.Conv2d(20, 100, 3)
    payload = show.filters(wide, image=torch.rand(20, 300, 300)).payload
    assert decode_array(payload["filters"]).shape == (cnn_filters.MAX_FILTERS,
                                                      cnn_filters.MAX_CHANNELS, 3, 3)
    assert np.array_equal(decode_array(payload["filters"]),
                          wide.weight.detach()[:64, :16].numpy())
    assert decode_array(payload["feature_maps"]).shape == (64, 128, 128)
    assert payload["filters_cut"] and payload["maps_cut"]
    assert len(json.dumps(payload)) < 5_000_000

    lstm = torch.nn.LSTM(3, 300, num_layers=2, bidirectional=True)
    view = show.hidden_states(lstm, torch.randn(1000, 3))
    steps = rnn_states.MAX_VALUES // (4 * 256 * 6)
    assert view.payload["steps"] == steps and view.payload["steps_total"] == 1000
    assert decode_array(view.payload["layers"][3]["hidden"]).shape == (steps, 256)
    assert "(cut)" in view.text
    assert len(json.dumps(view.payload)) < 5_000_000

    points = torch.randn(6000, 2)
    payload = show.decision_boundary(torch.nn.Linear(2, 4), points, torch.zeros(6000),
                                     grid=100).payload
    assert decode_array(payload["points"]).shape == (boundary.MAX_POINTS, 2)
    assert payload["points_total"] == 6000
    assert len(json.dumps(payload)) < 1_000_000
    with pytest.raises(ValueError, match="at most 20 can be shown"):
        show.decision_boundary(torch.nn.Linear(2, 21), points, torch.zeros(6000))

    encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(100 * 100, 3))
    decoder = torch.nn.Linear(3, 100 * 100)
    payload = show.latent_space(encoder, torch.rand(6000, 1, 100, 100), torch.arange(6000) % 10,
                                decoder=decoder, grid=12).payload
    assert decode_array(payload["points"]).shape == (5000, 2) and payload["points_total"] == 6000
    assert decode_array(payload["decoded"]["images"]).shape == (144, 64, 64)
    assert len(json.dumps(payload)) < 1_000_000

    with pytest.raises(ValueError, match="at most 2000 epochs"):
        show.training_curves([{"loss": 1.0}] * 2001)


def test_a_one_score_classifier_gives_sigmoid_probabilities_of_two_classes():
    torch = pytest.importorskip("torch")
    from dlviz_lab import show

    model = torch.nn.Linear(2, 1)
    points = torch.tensor([[0.0, 0.0], [1.0, 2.0], [-1.0, 1.0]])
    payload = show.decision_boundary(model, points.numpy(), [0, 1, 1], grid=10).payload
    got = decode_array(payload["probabilities"]).astype(np.float32)
    corner = torch.tensor([payload["x_range"][0], payload["y_range"][0]])
    p = torch.sigmoid(model(corner)).item()
    np.testing.assert_allclose(got[0, 0], [1 - p, p], atol=1e-3)
    assert payload["classes"] == 2
