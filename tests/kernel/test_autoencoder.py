"""autoencoder.train and autoencoder.inspect in-process: anchors against PCA, the VAE's KL, the
latent space actions, a notebook encoder/decoder pair, and the result contracts."""

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.autoencoder.model import kl_divergence, loss_for
from dlviz_kernel.autoencoder.space import slerp
from dlviz_kernel.autoencoder.train import pca_baseline, targets_are_inputs
from dlviz_kernel.protocol import Recorder
from dlviz_kernel.training import runs

from .test_result_schemas import assert_fits


def request(task, params, run_id, recorder=None):
    message = dlviz_kernel.run_request(
        json.dumps({"run_id": run_id, "task": task, "params": params}),
        publisher=recorder or Recorder())
    return message


def train(params, run_id):
    message = request("autoencoder.train", params, run_id)
    assert message["kind"] == "result", message
    return message["result"]


def inspect(params):
    message = request("autoencoder.inspect", params, "inspect")
    assert message["kind"] == "result", message
    return message["result"]


@pytest.fixture(scope="module")
def ae2():
    """The default: a dense AE with a 2-D latent space on the digits, default epochs."""
    return train({}, "ae-2")


@pytest.fixture(scope="module")
def vae():
    return train({"model": {"kind": "vae", "latent": 4}, "training": {"epochs": 3}}, "ae-vae")


def test_latent_2_beats_pca_with_2_components(ae2):
    assert ae2["epochs_completed"] == 40
    assert ae2["pca"]["components"] == 2
    # measured: 0.031 against PCA's 0.053 on [0, 1] pixels
    assert ae2["test_mse"] < ae2["pca"]["test_mse"]
    assert ae2["errors"]["validation_mse"][-1] == pytest.approx(ae2["test_mse"])
    assert_fits("autoencoder.train", ae2)


def test_latent_8_halves_the_error_of_pca_with_8_components():
    result = train({"model": {"latent": 8}}, "ae-8")
    assert result["test_mse"] <= 0.5 * result["pca"]["test_mse"], (result["test_mse"],
                                                                   result["pca"])
    assert result["latent"]["projection"]["method"] == "pca"


def test_reconstructions_are_the_decoder_of_the_encoder(ae2):
    model = runs.get("ae-2").model.eval()
    images = torch.from_numpy(decode(ae2["samples"]["images"]).copy())
    last = decode(ae2["samples"]["reconstructions"])[-1]
    with torch.no_grad():
        expected = model.decode(model.encode(images))
    assert np.allclose(last, expected.numpy(), atol=1e-6)
    codes = decode(ae2["latent"]["codes"])
    assert np.allclose(codes[:8], model.encode(images).detach().numpy(), atol=1e-5)
    # a 2-D latent is drawn as it is
    assert np.allclose(decode(ae2["latent"]["projection"]["points"]), codes)


def test_the_vae_kl_term_is_its_closed_form(vae):
    model = runs.get("ae-vae").model.eval()
    x = runs.get("ae-vae").split.x_val[:16]
    mean, log_var = model.gaussian(x)
    sigma = (0.5 * log_var).exp()
    reference = torch.distributions.kl_divergence(
        torch.distributions.Normal(mean, sigma), torch.distributions.Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(kl_divergence(mean, log_var), reference, atol=1e-5)
    # the loss per pixel: (squared error + beta KL) / pixels, here without sampling (eval)
    with torch.no_grad():
        out = model(x)
        by_hand = ((out - x).square().flatten(1).sum(1) + model.beta * reference) / 64
        assert float(loss_for(model)(out, x)) == pytest.approx(float(by_hand.mean()), rel=1e-5)
    assert vae["test_kl"] == pytest.approx(vae["errors"]["validation_kl"][-1])
    sigma_sent = decode(vae["latent"]["sigma"])
    assert sigma_sent.shape == (vae["dataset"]["validation_size"], 4) and (sigma_sent > 0).all()
    assert_fits("autoencoder.train", vae)


def test_the_vae_sends_reconstruction_and_kl_apart_after_every_epoch():
    recorder = Recorder()
    params = {"model": {"kind": "vae", "latent": 2, "beta": 2.0}, "training": {"epochs": 2}}
    message = request("autoencoder.train", params, "ae-vae-terms", recorder)
    assert message["kind"] == "result", message
    result = message["result"]
    ends = [e for e in recorder.of_kind("progress") if e.get("phase") == "epoch"]
    assert [e["epoch"] for e in ends] == [1, 2]
    for end in ends:
        # the training loss is the two terms of the images trained on: MSE + beta KL / pixels
        assert end["train_mse"] > 0 and end["train_kl"] > 0
        assert end["train_loss"] == pytest.approx(end["train_mse"] + 2.0 * end["train_kl"] / 64,
                                                  rel=1e-5)
        # the validation loss (no sampling) is the same sum of the validation terms
        assert end["validation_loss"] == pytest.approx(
            end["validation_mse"] + 2.0 * end["validation_kl"] / 64, rel=1e-5)
    errors = result["errors"]
    assert errors["train_mse"] == [e["train_mse"] for e in ends]
    assert errors["train_kl"] == [e["train_kl"] for e in ends]
    assert errors["validation_kl"] == [e["validation_kl"] for e in ends]
    assert_fits("autoencoder.train", result)


def test_an_autoencoder_reports_its_training_loss_as_its_training_mse(ae2):
    assert ae2["errors"]["train_mse"] == ae2["history"]["train_loss"]
    assert ae2["errors"]["train_kl"] is None and ae2["errors"]["validation_kl"] is None


def test_the_pca_baseline_is_scikit_learns_pca(ae2):
    from sklearn.decomposition import PCA

    parts = runs.get("ae-2").split
    train, val = parts.x_train.flatten(1).numpy(), parts.x_val.flatten(1).numpy()
    for components in (2, 8):
        pca = PCA(components, random_state=0).fit(train)
        back = pca.inverse_transform(pca.transform(val))
        ours = pca_baseline(targets_are_inputs(parts), components)
        assert ours["test_mse"] == pytest.approx(float(((back - val) ** 2).mean()), rel=1e-5)
        assert ours["explained_variance"] == pytest.approx(
            float(pca.explained_variance_ratio_.sum()), rel=1e-5)


def test_denoising_and_convolutional_autoencoders_train():
    result = train({"model": {"kind": "denoising", "layout": "conv", "noise": 0.3},
                    "training": {"epochs": 3}}, "ae-conv")
    losses = result["history"]["validation_loss"]
    assert losses[-1] < losses[0]
    assert result["model"]["layout"] == "conv" and result["model"]["noise"] == 0.3


def test_every_action_on_the_latent_space(ae2):
    model = runs.get("ae-2").model.eval()
    latent = inspect({"run": "ae-2", "action": "latent"})
    assert_fits("autoencoder.inspect", latent)
    assert latent["labels"][:5] == runs.get("ae-2").split.y_val[:5].tolist()

    codes = [[0.0, 0.0], [1.5, -2.0]]
    decoded = inspect({"run": "ae-2", "action": "decode", "codes": codes})
    assert_fits("autoencoder.inspect", decoded)
    with torch.no_grad():
        expected = model.decode(torch.tensor(codes)).numpy()
    assert np.allclose(decode(decoded["images"]), expected, atol=1e-6)

    drawn = np.zeros((8, 8))
    drawn[1:7, 3:5] = 1.0  # a "1"
    encoded = inspect({"run": "ae-2", "action": "encode", "pixels": drawn.flatten().tolist()})
    assert_fits("autoencoder.inspect", encoded)
    with torch.no_grad():
        code = model.encode(torch.tensor(drawn, dtype=torch.float32).view(1, 1, 8, 8))
    assert encoded["code"] == pytest.approx(code[0].tolist(), abs=1e-5)

    path = inspect({"run": "ae-2", "action": "interpolate", "index": 2, "index_b": 5,
                    "steps": 5})
    assert_fits("autoencoder.inspect", path)
    ends = model.encode(runs.get("ae-2").split.x_val[[2, 5]]).detach()
    assert path["codes"][0] == pytest.approx(ends[0].tolist(), abs=1e-5)
    assert path["codes"][-1] == pytest.approx(ends[1].tolist(), abs=1e-5)
    assert decode(path["images"]).shape == (5, 1, 8, 8)

    grid = inspect({"run": "ae-2", "action": "grid", "size": 3})
    assert_fits("autoencoder.inspect", grid)
    assert decode(grid["images"]).shape == (3, 3, 1, 8, 8)
    with torch.no_grad():
        corner = model.decode(torch.tensor([[grid["xs"][0], grid["ys"][2]]])).numpy()
    assert np.allclose(decode(grid["images"])[2, 0], corner[0], atol=1e-5)

    early = inspect({"run": "ae-2", "action": "decode", "codes": codes, "epoch": 0})
    assert not np.allclose(decode(early["images"]), decode(decoded["images"]))


def test_spherical_interpolation_keeps_the_length_between_codes_of_equal_length():
    a, b = torch.tensor([3.0, 0.0, 0.0]), torch.tensor([0.0, 0.0, 3.0])
    t = torch.linspace(0, 1, 7)
    path = slerp(a, b, t)
    assert torch.allclose(path.norm(dim=1), torch.full((7,), 3.0), atol=1e-5)
    assert torch.allclose(path[3], torch.tensor([3 / math.sqrt(2), 0.0, 3 / math.sqrt(2)]),
                          atol=1e-5)


def test_a_notebook_encoder_and_decoder_by_name(shell):
    torch.manual_seed(0)
    shell.user_ns.update(enc=nn.Sequential(nn.Flatten(), nn.Linear(16, 3)),
                         dec=nn.Sequential(nn.Linear(3, 16), nn.Sigmoid(), nn.Unflatten(1, (4, 4))),
                         pictures=torch.rand(10, 4, 4), digits=list(range(10)))
    result = inspect({"encoder": "enc", "decoder": "dec", "x": "pictures", "y": "digits"})
    assert result["latent_size"] == 3 and result["vae"] is False
    with torch.no_grad():
        expected = shell.user_ns["enc"](shell.user_ns["pictures"]).numpy()
    assert np.allclose(decode(result["codes"]), expected, atol=1e-6)
    assert result["labels"] == list(range(10))
    assert result["projection"]["method"] == "pca"
    assert_fits("autoencoder.inspect", result)


def test_bad_requests_name_their_field(ae2):
    both = request("autoencoder.inspect", {"run": "ae-2", "encoder": "enc"}, "x")
    assert both["kind"] == "error" and both["field"] == "run"
    short = request("autoencoder.inspect", {"run": "ae-2", "action": "decode",
                                            "codes": [[1.0, 2.0, 3.0]]}, "x")
    assert short["kind"] == "error" and short["field"] == "codes"
    pixels = request("autoencoder.inspect", {"run": "ae-2", "action": "encode",
                                             "pixels": [0.5] * 10}, "x")
    assert pixels["kind"] == "error" and pixels["field"] == "pixels"
    epoch = request("autoencoder.inspect", {"run": "ae-2", "epoch": 299}, "x")
    assert epoch["kind"] == "error" and epoch["field"] == "epoch"
