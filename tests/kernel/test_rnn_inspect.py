"""rnn.inspect in-process: gates and states replayed from the weights, checked by hand.

The references are built here from the modules themselves: each layer and direction of a
stacked (bidirectional) module is cut out as a one-layer module with the same weights and run
on every prefix (forward) or suffix (backward) of its input, so its last state is the state at
that step. Gates are recomputed from those module states with F.linear.
"""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlviz_kernel.arrays import decode
from dlviz_kernel.rnn import gates
from dlviz_kernel.training import runs

from .test_result_schemas import assert_fits

torch.set_grad_enabled(True)

CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def tensor(array):
    return torch.from_numpy(decode(array).copy())


def make(cell, nonlinearity, bidirectional, batch_first=True, seed=0):
    options = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    torch.manual_seed(seed)
    return MODULES[cell](3, 4, num_layers=2, batch_first=batch_first,
                         bidirectional=bidirectional, **options)


def one_layer(module, layer, reverse):
    """A one-layer, one-direction module holding ``module``'s weights of that layer/direction."""
    options = {"nonlinearity": module.nonlinearity} if isinstance(module, nn.RNN) else {}
    width = module.input_size if layer == 0 else module.hidden_size * (
        2 if module.bidirectional else 1)
    single = type(module)(width, module.hidden_size, batch_first=True, **options)
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(single, f"{name}_l0").copy_(getattr(module, f"{name}{suffix}"))
    return single


def reference(module, x):
    """Per layer and direction: its input and the module's h (and c) at every step of x [T, F]."""
    found, layer_input = [], x
    steps = x.shape[0]
    for layer in range(module.num_layers):
        outputs = []
        for reverse in ([False, True] if module.bidirectional else [False]):
            single = one_layer(module, layer, reverse)
            hs, cs = [], []
            with torch.no_grad():
                for t in range(steps):
                    part = layer_input[t:].flip(0) if reverse else layer_input[:t + 1]
                    _, state = single(part.unsqueeze(0))
                    h, c = state if isinstance(state, tuple) else (state, None)
                    hs.append(h[0, 0])
                    cs.append(c[0, 0] if c is not None else None)
            found.append({"input": layer_input, "reverse": reverse, "h": torch.stack(hs),
                          "c": torch.stack(cs) if cs[0] is not None else None,
                          "suffix": f"_l{layer}" + ("_reverse" if reverse else "")})
            outputs.append(found[-1]["h"])
        layer_input = torch.cat(outputs, dim=1)
    return found, layer_input


def expected_gates(module, entry):
    """The gates from the module's own states (previous h, c) and weights, with F.linear."""
    h, c, reverse = entry["h"], entry["c"], entry["reverse"]
    zero = torch.zeros_like(h[:1])
    before = torch.cat([h[1:], zero]) if reverse else torch.cat([zero, h[:-1]])
    w = {n: getattr(module, n + entry["suffix"]).detach()
         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    a_x = F.linear(entry["input"], w["weight_ih"], w["bias_ih"])
    a_h = F.linear(before, w["weight_hh"], w["bias_hh"])
    if isinstance(module, nn.LSTM):
        i, f, g, o = (a_x + a_h).chunk(4, dim=1)
        found = {"input": i.sigmoid(), "forget": f.sigmoid(), "cell": g.tanh(),
                 "output": o.sigmoid()}
        c_before = torch.cat([c[1:], torch.zeros_like(c[:1])]) if reverse else torch.cat(
            [torch.zeros_like(c[:1]), c[:-1]])
        # The module's own states obey the LSTM equations with these gates.
        assert torch.allclose(c, found["forget"] * c_before + found["input"] * found["cell"],
                              atol=1e-5)
        assert torch.allclose(h, found["output"] * c.tanh(), atol=1e-5)
        return found
    if isinstance(module, nn.GRU):
        x_r, x_z, x_n = a_x.chunk(3, dim=1)
        h_r, h_z, h_n = a_h.chunk(3, dim=1)
        r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        assert torch.allclose(h, (1 - z) * n + z * before, atol=1e-5)
        return {"reset": r, "update": z, "new": n}
    act = torch.tanh if module.nonlinearity == "tanh" else torch.relu
    assert torch.allclose(h, act(a_x + a_h), atol=1e-5)
    return {"pre_activation": a_x + a_h}


def assert_layers_match(module, x, layers):
    """Replayed (or result) layers equal the module's states and gates, within 1e-5."""
    found, top = reference(module, x)
    with torch.no_grad():
        output = module(x.unsqueeze(0 if module.batch_first else 1))[0]
    output = output[0] if module.batch_first else output[:, 0]
    assert torch.allclose(top, output, atol=1e-6), "the reference is the module itself"
    assert len(layers) == len(found)
    for ours, theirs in zip(layers, found):
        assert torch.allclose(ours["hidden"], theirs["h"].double(), atol=1e-5)
        if theirs["c"] is None:
            assert ours["cell"] is None
        else:
            assert torch.allclose(ours["cell"], theirs["c"].double(), atol=1e-5)
        expected = expected_gates(module, theirs)
        assert list(ours["gates"]) == list(expected)
        for name, values in expected.items():
            assert torch.allclose(ours["gates"][name], values.detach().double(), atol=1e-5), name


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_replayed_states_and_gates_equal_the_modules(cell, nonlinearity, bidirectional):
    module = make(cell, nonlinearity, bidirectional)
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    replay = gates.replay(module, x)
    assert_layers_match(module, x, replay.layers)
    with torch.no_grad():
        output, state = module(x.unsqueeze(0))
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    assert gates.difference(replay, output[0], h_n[:, 0],
                            c_n[:, 0] if c_n is not None else None) <= 1e-5


def result_layers(result):
    return [{"hidden": tensor(e["hidden"]).double(),
             "cell": tensor(e["cell"]).double() if e["cell"] is not None else None,
             "gates": {n: tensor(v).double() for n, v in e["gates"].items()}}
            for e in result["layers"]]


@pytest.mark.parametrize("cell,nonlinearity,batch_first", [
    ("rnn", "tanh", True), ("lstm", None, False), ("gru", None, True)])
def test_a_bare_bidirectional_module_from_the_notebook_is_inspected(
        run_task, shell, cell, nonlinearity, batch_first):
    module = make(cell, nonlinearity, True, batch_first, seed=5)
    shell.user_ns["bare"] = module
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(2))
    message = run_task("rnn.inspect", {"model": "bare", "input": {"values": x.tolist()},
                                       "step": 2})
    result = message["result"]
    assert result["check"]["max_abs_difference"] <= 1e-5
    assert [(e["layer"], e["direction"]) for e in result["layers"]] == [
        (0, "forward"), (0, "backward"), (1, "forward"), (1, "backward")]
    assert_layers_match(module, x, result_layers(result))
    assert result["predictions"]["kind"] == "none" and result["network"]["outputs"] is None
    # Memory of a bare module: |d h_2 / d x_s| (Frobenius) from the full Jacobian.

    def top_output(inputs):
        out = module(inputs.unsqueeze(0 if batch_first else 1))[0]
        return (out[0] if batch_first else out[:, 0])[2]

    jacobian = torch.autograd.functional.jacobian(top_output, x)  # [8, T, F]
    expected = jacobian.pow(2).sum(dim=(0, 2)).sqrt()
    assert result["memory"]["of"] == "hidden"
    assert torch.allclose(tensor(result["memory"]["gradient_norms"]), expected, atol=1e-5)
    assert all(p.grad is None for p in module.parameters())
    assert_fits("rnn.inspect", result)


CHAR_MODEL = (
    "import torch\n"
    "from torch import nn\n\n"
    "class CharModel(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.embed = nn.Embedding(6, 3)\n"
    "        self.lstm = nn.LSTM(3, 5, num_layers=2, dropout=0.5, batch_first=True)\n"
    "        self.out = nn.Linear(5, 6)\n\n"
    "    def forward(self, ids):\n"
    "        h, _ = self.lstm(self.embed(ids))\n"
    "        return self.out(h)\n\n"
    "torch.manual_seed(4)\n"
    "chars = 'abc() '\n"
    "net = CharModel().train()\n"
    "with torch.no_grad():  # large weights: gates near 0 and 1 as well\n"
    "    for weight in net.lstm.parameters():\n"
    "        weight.mul_(5)\n")


def test_a_notebook_char_lstm_with_embedding_and_head_is_inspected_by_name(run_task, shell):
    shell.run_cell(CHAR_MODEL)
    net, text = shell.user_ns["net"], "a(b)c a"
    result = run_task("rnn.inspect", {"model": "net", "step": 3, "top_k": 3,
                                      "input": {"text": text, "vocabulary": "chars"}})["result"]
    assert net.training, "inspecting must not switch the learner's model to eval mode"
    assert all(p.grad is None for p in net.parameters())
    ids = torch.tensor([["abc() ".index(c) for c in text]])
    net.eval()
    embedded = net.embed(ids).detach().requires_grad_(True)
    hidden, (h_n, c_n) = net.lstm(embedded)
    logits = net.out(hidden)[0]
    net.train()
    # States: the top layer's outputs and every layer's last cell state.
    top = tensor(result["layers"][1]["hidden"])
    assert torch.allclose(top, hidden[0].detach(), atol=1e-5)
    for layer in range(2):
        cells = tensor(result["layers"][layer]["cell"])
        assert torch.allclose(cells[-1], c_n[layer, 0].detach(), atol=1e-5)
    assert result["check"]["max_abs_difference"] <= 1e-5
    # Per-step top-3 predictions, named by the vocabulary.
    best = torch.softmax(logits.detach(), dim=1).topk(3, dim=1)
    predictions = result["predictions"]
    assert predictions["kind"] == "per_step" and predictions["task"] == "classification"
    assert torch.equal(tensor(predictions["top_k"]["indices"]), best.indices.to(torch.int32))
    assert torch.allclose(tensor(predictions["top_k"]["probabilities"]), best.values, atol=1e-6)
    assert predictions["labels"] == list("abc() ")
    assert result["input"]["characters"] == list(text)
    assert result["input"]["tokens"] == ids[0].tolist()
    # Memory: the predicted character's score at step 3 against each embedded input.
    chosen = int(logits[3].argmax())
    (gradient,) = torch.autograd.grad(logits[3, chosen], embedded)
    memory = result["memory"]
    assert memory["class"] == chosen and memory["inputs"] == "embedding"
    norms = tensor(memory["gradient_norms"])
    assert torch.allclose(norms, gradient[0].norm(dim=1), atol=1e-6)
    assert float(norms[:4].min()) > 0 and float(norms[4:].abs().max()) == 0.0
    # Saturation: the share of steps below 0.1 / above 0.9, per unit, counted here by hand.
    lows = highs = 0.0
    for entry in result["layers"]:
        assert sorted(entry["saturation"]) == ["forget", "input", "output"]
        for gate, shares in entry["saturation"].items():
            values = tensor(entry["gates"][gate])
            steps = values.shape[0]
            for unit in range(values.shape[1]):
                low = sum(1 for t in range(steps) if values[t, unit] < 0.1) / steps
                high = sum(1 for t in range(steps) if values[t, unit] > 0.9) / steps
                assert float(tensor(shares["low"])[unit]) == pytest.approx(low)
                assert float(tensor(shares["high"])[unit]) == pytest.approx(high)
                lows, highs = lows + low, highs + high
    assert lows > 0 and highs > 0, "the model has closed and open gates"
    points = tensor(result["layers"][0]["trajectory"]["points"])
    assert points.shape == (len(text), 2)
    assert_fits("rnn.inspect", result)


READER = (
    "import torch\n"
    "from torch import nn\n\n"
    "class Reader(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.gru = nn.GRU(2, 4, num_layers=2, batch_first=True, bidirectional=True)\n"
    "        self.fc = nn.Linear(8, 3)\n\n"
    "    def forward(self, x):\n"
    "        _, h = self.gru(x)\n"
    "        return self.fc(torch.cat([h[-2], h[-1]], dim=1))\n\n"
    "torch.manual_seed(6)\n"
    "reader = Reader()\n"
    "X = torch.randn(5, 7, 2)\n")


def test_a_one_prediction_gru_shows_probabilities_after_each_step_and_its_memory(
        run_task, shell):
    shell.run_cell(READER)
    reader, x = shell.user_ns["reader"], shell.user_ns["X"][2]
    result = run_task("rnn.inspect", {"model": "reader", "step": 4,
                                      "input": {"variable": "X", "index": 2}})["result"]
    with torch.no_grad():
        expected = torch.stack([torch.softmax(reader(x[None, :t + 1])[0], 0)
                                for t in range(7)])
    predictions = result["predictions"]
    assert predictions["kind"] == "after_each_step"
    assert torch.allclose(tensor(predictions["probabilities"]), expected, atol=1e-6)
    assert tensor(predictions["top_k"]["indices"]).shape == (7, 3)
    prefix = x[None, :5].clone().requires_grad_(True)
    scores = reader(prefix)[0]
    chosen = int(scores.argmax())
    (gradient,) = torch.autograd.grad(scores[chosen], prefix)
    norms = tensor(result["memory"]["gradient_norms"])
    assert result["memory"]["class"] == chosen and result["memory"]["inputs"] == "numbers"
    assert torch.allclose(norms[:5], gradient[0].norm(dim=1), atol=1e-6)
    assert torch.equal(norms[5:], torch.zeros(2))
    assert torch.allclose(tensor(result["input"]["values"]), x, atol=0)
    assert_layers_match(reader.gru, x, result_layers(result))
    assert_fits("rnn.inspect", result)


def test_a_run_is_inspected_at_an_earlier_epoch_on_typed_text(run_task):
    params = {"data": {"source": "synthetic", "synthetic": "brackets", "samples": 64,
                       "sequence_length": 12},
              "model": {"cell": "gru", "hidden_size": 6, "embedding_size": 4, "layers": 2},
              "training": {"epochs": 2, "batch_size": 16}}
    assert run_task("rnn.train", params, run_id="rnn-r2")["kind"] == "result"
    trained = runs.get("rnn-r2")
    result = run_task("rnn.inspect", {"run": "rnn-r2", "epoch": 0,
                                      "input": {"text": "(a(a))"}})["result"]
    # The same network with the weights it had before training.
    model = copy.deepcopy(trained.model).eval()
    model.load_state_dict(trained.training.snapshots.state(0))
    vocabulary = trained.data.vocabulary
    ids = torch.tensor([[vocabulary.index(c) for c in "(a(a))"]])
    with torch.no_grad():
        hidden = model.rnn(model.embedding(ids))[0][0]
        final = trained.model.rnn(trained.model.embedding(ids))[0][0]
    assert torch.allclose(tensor(result["layers"][-1]["hidden"]), hidden, atol=1e-5)
    assert not torch.allclose(hidden, final, atol=1e-3)
    assert result["source"] == {"run": "rnn-r2", "model": None, "epoch": 0}
    assert result["input"]["characters"] == list("(a(a))")
    assert result["predictions"]["labels"] == vocabulary
    assert_fits("rnn.inspect", result)
    from_data = run_task("rnn.inspect", {"run": "rnn-r2", "input": {"index": 3},
                                         "max_steps": 5})["result"]
    assert from_data["input"]["steps"] == 5 and from_data["input"]["length"] == 12
    assert from_data["input"]["tokens"] == trained.data.x[3, :5].tolist()
    assert from_data["input"]["signals"]["depth"] == trained.data.signals["depth"][3, :5].tolist()
    assert from_data["input"]["target"] == trained.data.y[3, :5].tolist()
    assert_fits("rnn.inspect", from_data)


def test_a_digits_rows_run_shows_the_class_probabilities_row_by_row(run_task):
    params = {"model": {"cell": "lstm", "hidden_size": 8}, "training": {"epochs": 1}}
    assert run_task("rnn.train", params, run_id="rnn-r2-digits")["kind"] == "result"
    trained = runs.get("rnn-r2-digits")
    result = run_task("rnn.inspect", {"run": "rnn-r2-digits", "input": {"index": 5},
                                      "step": 2})["result"]
    x = trained.data.x[5]
    model = trained.model.eval()
    with torch.no_grad():
        expected = torch.stack([torch.softmax(model(x[None, :t + 1])[0], 0) for t in range(8)])
    predictions = result["predictions"]
    assert predictions["kind"] == "after_each_step"
    assert torch.allclose(tensor(predictions["probabilities"]), expected, atol=1e-6)
    assert predictions["labels"] == trained.data.classes
    assert result["input"]["target"] == int(trained.data.y[5])
    assert torch.equal(tensor(result["input"]["values"]), x)
    norms = tensor(result["memory"]["gradient_norms"])
    assert float(norms[:3].min()) > 0 and torch.equal(norms[3:], torch.zeros(5))
    assert result["dataset"]["name"] == "digits-rows"
    assert_fits("rnn.inspect", result)


def test_a_forecasting_run_shows_the_predicted_value_after_each_step(run_task):
    params = {"data": {"source": "series", "samples": 40, "sequence_length": 10},
              "model": {"cell": "rnn", "hidden_size": 4}, "training": {"epochs": 1}}
    assert run_task("rnn.train", params, run_id="rnn-r2-series")["kind"] == "result"
    trained = runs.get("rnn-r2-series")
    result = run_task("rnn.inspect", {"run": "rnn-r2-series", "input": {"index": 1}})["result"]
    x = trained.data.x[1]
    with torch.no_grad():
        expected = torch.stack([trained.model.eval()(x[None, :t + 1])[0, 0] for t in range(10)])
    predictions = result["predictions"]
    assert predictions["task"] == "regression" and predictions["top_k"] is None
    assert torch.allclose(tensor(predictions["values"]), expected, atol=1e-6)
    assert result["memory"]["of"] == "value" and result["layers"][0]["saturation"] == {}
    assert list(result["layers"][0]["gates"]) == ["pre_activation"]
    assert_fits("rnn.inspect", result)


def test_mistakes_are_refused_naming_the_field(run_task, shell):
    shell.run_cell(CHAR_MODEL + "numbers = nn.GRU(2, 3)\nplain = 5\n"
                   "class Noisy(nn.GRU):\n"
                   "    def forward(self, x, hx=None):\n"
                   "        out, h = super().forward(x, hx)\n"
                   "        return out + 0.01, h\n"
                   "noisy = Noisy(2, 3)\n")
    assert run_task("rnn.inspect", {})["field"] == "run"
    assert run_task("rnn.inspect", {"run": "nothing-kept"})["field"] == "run"
    assert run_task("rnn.inspect", {"model": "plain"})["field"] == "model"
    values = {"values": [[0.5, 1.0]] * 4}
    assert run_task("rnn.inspect", {"model": "numbers", "input": {"text": "ab"}}
                    )["field"] == "input.text"
    assert run_task("rnn.inspect", {"model": "numbers", "input": values, "step": 4}
                    )["field"] == "step"
    unknown = {"text": "abz", "vocabulary": "chars"}
    assert run_task("rnn.inspect", {"model": "net", "input": unknown})["field"] == "input.text"
    assert run_task("rnn.inspect", {"model": "net", "input": {"text": "ab"}}
                    )["field"] == "input.vocabulary"
    assert run_task("rnn.inspect", {"model": "net", "input": {"tokens": [1, 9]}}
                    )["field"] == "input.tokens"
    both = run_task("rnn.inspect", {"model": "net", "input": {"text": "ab", "tokens": [1]}})
    assert both["field"] == "input.tokens"
    noisy = run_task("rnn.inspect", {"model": "noisy", "input": values})
    assert noisy["field"] == "model" and "differ" in noisy["message"]
