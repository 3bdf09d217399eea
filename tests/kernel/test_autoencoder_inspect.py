"""autoencoder.inspect for the explorer's sections: `compare` (the network beside PCA of the same
size, on the run's own split) and `encode` of a drawing, checked against the model itself."""

import json

import numpy as np
import pytest
import torch

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.training import runs

from .test_result_schemas import assert_fits


def request(task, params, run_id):
    return dlviz_kernel.run_request(
        json.dumps({"run_id": run_id, "task": task, "params": params}), publisher=Recorder())


def inspect(params):
    message = request("autoencoder.inspect", params, "inspect-view")
    assert message["kind"] == "result", message
    return message["result"]


@pytest.fixture(scope="module")
def short_ae():
    torch.set_num_threads(1)
    message = request("autoencoder.train", {"training": {"epochs": 3}}, "ae-view")
    assert message["kind"] == "result", message
    return message["result"]


def test_compare_gives_the_training_runs_numbers_and_both_reconstructions(short_ae):
    result = inspect({"run": "ae-view", "action": "compare", "samples": 5})
    assert_fits("autoencoder.inspect", result)
    assert result["components"] == 2
    # the same PCA as the training run's baseline, on the same validation images
    assert result["pca_mse"] == pytest.approx(short_ae["pca"]["test_mse"], rel=1e-5)
    assert result["explained_variance"] == pytest.approx(
        short_ae["pca"]["explained_variance"], rel=1e-5)
    assert result["network_mse"] == pytest.approx(short_ae["test_mse"], rel=1e-5)
    images = decode(result["images"])
    assert images.shape == (5, 1, 8, 8)
    model = runs.get("ae-view").model.eval()
    with torch.no_grad():
        expected = model.decode(model.encode(torch.from_numpy(images.copy())))
    assert np.allclose(decode(result["network"]), expected.numpy(), atol=1e-6)
    pca = decode(result["pca"])
    assert pca.shape == images.shape
    # PCA's pictures differ from the network's and from the originals
    assert not np.allclose(pca, images, atol=1e-3)
    assert not np.allclose(pca, decode(result["network"]), atol=1e-3)


def test_compare_at_epoch_0_is_worse_than_after_training(short_ae):
    before = inspect({"run": "ae-view", "action": "compare", "epoch": 0})
    after = inspect({"run": "ae-view", "action": "compare"})
    assert before["source"]["epoch"] == 0
    assert before["network_mse"] > after["network_mse"]
    assert before["pca_mse"] == pytest.approx(after["pca_mse"])


def test_a_drawing_is_encoded_as_the_model_encodes_it(short_ae):
    drawing = np.zeros((8, 8), dtype=np.float32)
    drawing[1:7, 3:5] = 1.0  # a "1"
    result = inspect({"run": "ae-view", "action": "encode",
                      "pixels": drawing.reshape(-1).tolist()})
    assert_fits("autoencoder.inspect", result)
    model = runs.get("ae-view").model.eval()
    with torch.no_grad():
        code = model.encode(torch.from_numpy(drawing).reshape(1, 1, 8, 8))
    assert np.allclose(result["code"], code[0].numpy(), atol=1e-5)
    assert np.allclose(decode(result["image"])[0], drawing)


def test_compare_refuses_an_unknown_run():
    message = request("autoencoder.inspect", {"run": "nope", "action": "compare"}, "x")
    assert message["kind"] == "error" and message["field"] == "run"


def test_only_a_vae_has_a_sigma(short_ae):
    drawing = [0.0] * 64
    ae = inspect({"run": "ae-view", "action": "encode", "pixels": drawing})
    assert ae["vae"] is False and ae["sigma"] is None
    assert inspect({"run": "ae-view", "action": "latent"})["sigma"] is None
    message = request("autoencoder.train", {"model": {"kind": "vae"}, "training": {"epochs": 1}},
                      "vae-view")
    assert message["kind"] == "result", message
    vae = inspect({"run": "vae-view", "action": "encode", "pixels": drawing})
    assert_fits("autoencoder.inspect", vae)
    model = runs.get("vae-view").model.eval()
    with torch.no_grad():
        mean, log_var = model.gaussian(torch.zeros(1, 1, 8, 8))
    assert np.allclose(vae["code"], mean[0].numpy(), atol=1e-5)
    assert np.allclose(vae["sigma"], (0.5 * log_var).exp()[0].numpy(), atol=1e-5)
