"""transformer.train: a tiny transformer trained from scratch through the shared engine."""

import json

import numpy as np
import pytest
import torch

import dlviz_kernel
from dlviz_kernel.arrays import decode
from dlviz_kernel.protocol import Recorder

TASK = "transformer.train"
SMALL = {"text": "The cat sat on the mat.", "text_b": "The dog lay on the rug.",
         "embedding_size": 16, "heads": 2, "layers": 2, "feed_forward": 32, "epochs": 12,
         "learning_rate": 0.01, "seed": 3}


@pytest.fixture(scope="module")
def causal_run():
    recorder = Recorder()
    request = {"run_id": "tt-causal", "task": TASK, "params": {**SMALL, "mask": "causal"}}
    message = dlviz_kernel.run_request(json.dumps(request), publisher=recorder)
    return message, recorder


def test_causal_training_lowers_the_loss_and_streams_epoch_progress(causal_run):
    message, recorder = causal_run
    assert message["kind"] == "result"
    result = message["result"]
    history = result["history"]
    assert history["epoch"] == list(range(1, 13))
    assert history["train_loss"][-1] < history["train_loss"][0] * 0.5
    assert history["train_accuracy"] == [None] * 12
    epochs = [p for p in recorder.of_kind("progress") if p.get("phase") == "epoch"]
    assert [p["epoch"] for p in epochs] == list(range(1, 13))
    assert epochs[-1]["train_loss"] == pytest.approx(history["train_loss"][-1])
    assert result["objective"] == "next_token" and result["causal"] is True


def test_causal_snapshots_hold_attention_for_every_epoch_and_it_changes(causal_run):
    result = causal_run[0]["result"]
    tokens = result["tokens"]
    assert tokens[:3] == ["[CLS]", "the", "cat"] and tokens[-1] == "[SEP]"
    assert result["sentence_b_start"] == tokens.index("[SEP]") + 1 == 9
    attention = decode(result["snapshots"]["attention"])
    n = len(tokens)
    assert result["snapshots"]["epochs"] == list(range(13))
    assert attention.shape == (13, 2, 2, n, n)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.triu(attention, k=1) == 0)  # causal: nobody looks ahead
    assert np.abs(attention[0] - attention[12]).max() > 0.05
    assert not np.allclose(attention[5], attention[6])
    projection = decode(result["snapshots"]["projection"])
    assert projection.shape == (13, 3, n, 2)
    # Axes keep their direction from one epoch to the next, so the slider shows no flips.
    assert ((projection[1:] * projection[:-1]).sum(axis=2) >= 0).all()
    assert len(result["vocabulary"]) == 5 + 9  # specials + the, cat, sat, on, mat, ., dog, ...


def test_inspect_a_run_at_an_epoch_gives_that_epochs_attention_and_step_views(causal_run):
    result = causal_run[0]["result"]
    snapshot = decode(result["snapshots"]["attention"])
    recorder = Recorder()

    def inspect(**params):
        request = {"run_id": "ti", "task": "transformer.inspect",
                   "params": {"run": "tt-causal", **params}}
        return dlviz_kernel.run_request(json.dumps(request), publisher=recorder)

    at_four = inspect(epoch=4, view="neuron")["result"]
    assert at_four["source"] == {"run": "tt-causal", "epoch": 4}
    np.testing.assert_allclose(decode(at_four["attention"]), snapshot[4], atol=1e-6)
    queries, keys = decode(at_four["queries"]), decode(at_four["keys"])
    scores = queries @ keys.transpose(0, 1, 3, 2) * at_four["scales"][0]
    scores = np.where(np.tril(np.ones(scores.shape[-2:], dtype=bool)), scores, -np.inf)
    soft = np.exp(scores - scores.max(-1, keepdims=True))
    np.testing.assert_allclose(soft / soft.sum(-1, keepdims=True), snapshot[4], atol=1e-5)

    last = inspect(view="steps", layer=1, head=1, token=5)["result"]
    assert last["source"]["epoch"] == 12
    np.testing.assert_allclose(decode(last["attention"]), snapshot[12][1, 1], atol=1e-5)
    assert last["embeddings"]["token_type"] is None and last["embeddings"]["layer_norm"] is True
    projection = inspect(view="projection", epoch=0)["result"]
    assert decode(projection["coordinates"]).shape == (3, len(result["tokens"]), 2)
    other = inspect(view="attention", text="the cat sat on the rug")["result"]
    assert other["tokens"] == ["[CLS]", "the", "cat", "sat", "on", "the", "rug", "[SEP]"]
    missing = inspect(epoch=99)
    assert missing["kind"] == "error" and missing["field"] == "epoch"


def test_the_trained_model_is_kept_and_works_as_a_notebook_variable(causal_run, shell,
                                                                      run_task):
    model = dlviz_kernel.get_model("tt-causal")
    shell.user_ns["tiny"] = model
    result = run_task("transformer.attention", {"text": "the cat sat", "model_variable": "tiny"})
    attention = decode(result["result"]["attention"])
    assert result["result"]["tokens"] == ["[CLS]", "the", "cat", "sat", "[SEP]"]
    assert attention.shape == (2, 2, 5, 5) and np.all(np.triu(attention, k=1) == 0)


def test_bidirectional_training_fills_in_masked_words_and_sees_both_ways():
    trained = dlviz_kernel.train(TASK, {**SMALL, "mask": "bidirectional", "epochs": 15},
                                 quiet=True)
    model, history = trained
    result = trained.result
    assert result["objective"] == "masked_token" and model.causal is False
    assert history["train_loss"][-1] < history["train_loss"][0]
    attention = decode(result["snapshots"]["attention"])
    assert np.triu(attention[-1], k=1).max() > 0.01  # words look at later words too
    assert "dlviz_kernel.train('transformer.train', params)" in result["code"]


def test_notebook_train_prints_losses_without_accuracy(capsys):
    dlviz_kernel.train(TASK, {**SMALL, "epochs": 2})
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("epoch 1/2: train loss ") and "accuracy" not in lines[0]


def test_embedding_size_that_does_not_split_over_the_heads_is_an_error_on_heads(run_task,
                                                                               recorder):
    message = run_task(TASK, {**SMALL, "embedding_size": 10, "heads": 3})
    assert message["kind"] == "error" and message["field"] == "heads"
    assert recorder.of_kind("progress") == []


def test_same_seed_gives_the_same_run(run_task):
    first = run_task(TASK, {**SMALL, "epochs": 3}, run_id="s1")["result"]
    second = run_task(TASK, {**SMALL, "epochs": 3}, run_id="s2")["result"]
    assert first["history"]["train_loss"] == second["history"]["train_loss"]
    assert torch.equal(torch.as_tensor(decode(first["snapshots"]["attention"])),
                       torch.as_tensor(decode(second["snapshots"]["attention"])))


def test_cancel_keeps_the_partial_model_and_its_finished_epochs_for_inspect(run_task):
    import os
    import signal

    class InterruptAfterTwoEpochs(Recorder):
        """Sends the kernel interrupt a cancel sends, once epoch 2 is reported."""

        def publish(self, message):
            super().publish(message)
            if message.get("phase") == "epoch" and message["epoch"] == 2:
                os.kill(os.getpid(), signal.SIGINT)

    request = {"run_id": "tt-cancel", "task": TASK, "params": {**SMALL, "epochs": 500}}
    publisher = InterruptAfterTwoEpochs()
    with pytest.raises(KeyboardInterrupt):
        dlviz_kernel.run_request(json.dumps(request), publisher=publisher)
    assert publisher.of_kind("result") == []
    assert dlviz_kernel.get_model("tt-cancel").training is False
    result = run_task("transformer.inspect", {"run": "tt-cancel", "epoch": 1})["result"]
    assert result["source"]["epoch"] == 1
    assert decode(result["attention"]).shape[:2] == (2, 2)
    last = run_task("transformer.inspect", {"run": "tt-cancel"})["result"]
    assert 2 <= last["source"]["epoch"] < 500
