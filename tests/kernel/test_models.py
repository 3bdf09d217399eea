"""list_models finds the notebook's models and tokenizers; get_model returns a run's model."""

import pytest
import torch

import dlviz_kernel
from dlviz_kernel import models
from dlviz_kernel.tasks import RunContext


class TiedWeights(torch.nn.Module):
    """Two layers sharing one weight matrix, as language models tie embeddings."""

    def __init__(self):
        super().__init__()
        self.first = torch.nn.Linear(4, 4, bias=False)
        self.second = torch.nn.Linear(4, 4, bias=False)
        self.second.weight = self.first.weight


def test_list_models_finds_modules_and_tokenizers_with_parameter_counts(recorder, minilm):
    tokenizer, bert = minilm
    namespace = {
        "net": torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)),
        "bert": bert,
        "tok": tokenizer,
        "tied": TiedWeights(),
        "_hidden": torch.nn.Linear(10, 10),
        "weights": torch.zeros(3),
        "numbers": [1, 2, 3],
        "Linear": torch.nn.Linear,  # a class, not a model
    }
    before = dict(namespace)

    found = dlviz_kernel.list_models(namespace, publisher=recorder)

    bert_count = sum(p.numel() for p in bert.parameters())
    assert bert_count > 22_000_000
    assert found == [
        {"name": "bert", "class_name": "BertModel", "kind": "module", "parameters": bert_count},
        {"name": "net", "class_name": "Sequential", "kind": "module", "parameters": 23},
        {"name": "tied", "class_name": "TiedWeights", "kind": "module", "parameters": 16},
        {"name": "tok", "class_name": type(tokenizer).__name__, "kind": "tokenizer",
         "parameters": 0},
    ]
    assert recorder.messages == [{"kind": "models", "models": found}]
    assert namespace == before and all(namespace[k] is before[k] for k in before)


def test_lazy_layers_without_a_size_yet_count_zero(recorder):
    found = models.list_models({"lazy": torch.nn.LazyLinear(3)}, publisher=recorder)
    assert found[0]["parameters"] == 0


def test_models_request_answers_with_a_models_message(run_task, recorder):
    message = run_task("__models__")
    assert message["kind"] == "models"
    assert recorder.messages == [message]


def test_get_model_returns_the_model_a_run_kept():
    model = torch.nn.Linear(2, 2)
    RunContext("run-keep").keep_model(model)
    assert dlviz_kernel.get_model("run-keep") is model


def test_get_model_for_an_unknown_run_explains_itself():
    with pytest.raises(KeyError, match="No model is kept for run 'nope'"):
        dlviz_kernel.get_model("nope")


def test_only_the_most_recent_run_models_are_kept():
    for i in range(models.KEEP_AT_MOST + 3):
        models.keep(f"many-{i}", torch.nn.Identity())
    with pytest.raises(KeyError):
        dlviz_kernel.get_model("many-0")
    assert isinstance(dlviz_kernel.get_model(f"many-{models.KEEP_AT_MOST + 2}"), torch.nn.Identity)
