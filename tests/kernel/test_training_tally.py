"""The engine's per-epoch tally and the MLP playground's Insert code, on real values.

`EpochTally` sums a step's loss and accuracy only when read (or when the outputs it holds pass
FOLD_ELEMENTS): it must give what a plain per-step sum gives. `model_code` is the cell the
playground inserts: run, it must give the very network the kernel keeps.
"""

from __future__ import annotations

import torch

import dlviz_kernel
from dlviz_kernel.training import engine
from dlviz_kernel.training.engine import EpochTally


def _steps(seed: int, count: int, classes: int = 5):
    generator = torch.Generator().manual_seed(seed)
    for _ in range(count):
        batch = int(torch.randint(1, 40, (1,), generator=generator))
        out = torch.randn(batch, classes, generator=generator)
        target = torch.randint(0, classes, (batch,), generator=generator)
        loss = torch.nn.functional.cross_entropy(out, target)
        yield loss, out, target, batch


def _reference(steps):
    loss_sum, correct, seen = 0.0, 0, 0
    for loss, out, target, batch in steps:
        loss_sum += float(loss) * batch
        correct += int((out.argmax(1) == target).sum())
        seen += batch
    return loss_sum / seen, correct / seen


def test_the_tally_equals_a_per_step_sum_also_across_folds(monkeypatch):
    steps = list(_steps(0, 300))
    expected_loss, expected_accuracy = _reference(steps)
    for fold in (engine.FOLD_ELEMENTS, 64):  # 64: a fold every few steps
        monkeypatch.setattr(engine, "FOLD_ELEMENTS", fold)
        tally = EpochTally(classifying=True)
        for i, (loss, out, target, batch) in enumerate(steps):
            tally.add(loss, out, target, batch)
            if i == 150:  # a progress report reads it mid-epoch
                half_loss, half_accuracy = _reference(steps[:151])
                assert abs(tally.loss() - half_loss) < 1e-12
                assert tally.accuracy() == half_accuracy
        assert abs(tally.loss() - expected_loss) < 1e-12
        assert tally.accuracy() == expected_accuracy
        assert tally.seen == sum(s[3] for s in steps)


def test_a_regression_tally_has_a_loss_and_no_accuracy():
    tally = EpochTally(classifying=False)
    assert tally.accuracy() is None
    values = [(torch.tensor(0.5), 10), (torch.tensor(1.5), 30)]
    for loss, count in values:
        tally.add(loss, torch.zeros(count, 1), torch.zeros(count, 1), count)
    assert abs(tally.loss() - (0.5 * 10 + 1.5 * 30) / 40) < 1e-12


def test_the_playgrounds_insert_code_gives_the_kept_network(run_task):
    params = {"training": {"epochs": 3}, "model": {"hidden": [{"neurons": 3,
                                                               "activation": "tanh"}]}}
    message = run_task("mlp.train", params, run_id="mlp-code")
    assert message["kind"] == "result", message
    code = message["result"]["model_code"]
    namespace: dict = {}
    exec(compile(code, "<insert code>", "exec"), namespace)  # what the inserted cell runs
    model = namespace["model"]
    assert model is dlviz_kernel.get_model("mlp-code")
    assert not model.training
    rows = torch.tensor([[0.0, 0.0], [3.0, -2.0], [-5.0, 5.0]])
    with torch.no_grad():
        scores = model(rows)
    assert scores.shape[0] == 3 and torch.isfinite(scores).all()
    # the network the playground draws: its first layer has the 3 neurons asked for
    first = next(m for m in model.net.modules() if isinstance(m, torch.nn.Linear))
    assert first.out_features == 3
