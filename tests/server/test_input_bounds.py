"""Bad or huge request bodies get a 400 that names the problem (never a 500), and nothing runs.

Answers are strict JSON: what comes from a kernel with NaN in it is served as null.
"""

from __future__ import annotations

import json
import math

import pytest

from dlviz_lab import iopub, request_body

ATTENTION = "transformer.attention"
MiB = 1024 * 1024


def _strict(text: str):
    """json.loads that refuses NaN/Infinity, as a browser's JSON.parse does."""

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


async def _nothing_ran(api, jp_serverapp):
    code, listing, response = await api("runs")
    assert code == 200
    assert _strict(response.body.decode())["runs"] == []
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_an_8_mb_text_is_refused_by_the_body_cap_before_parsing(api, jp_serverapp):
    body = json.dumps({"task": ATTENTION, "params": {"text": "word " * (8 * MiB // 5)}})
    code, answer, _ = await api("runs", method="POST", body=body)
    assert code == 400, answer
    assert answer["message"] == (f"the request body is {len(body)} bytes; this server accepts "
                                 f"at most {MiB} (DLVizLab.max_request_bytes)")
    await _nothing_ran(api, jp_serverapp)


async def test_a_text_under_the_body_cap_but_over_max_length_names_the_field(api, jp_serverapp):
    text = "word " * (900 * 1024 // 5)  # 0.9 MB: passes the body cap, not the schema
    code, answer, response = await api("runs", method="POST",
                                       body={"task": ATTENTION, "params": {"text": text}})
    assert code == 400, str(answer)[:300]
    assert answer["errors"][0]["field"] == "text"
    assert answer["message"] == (f"params.text: is too long: {len(text)} characters, at most "
                                 "20000 are allowed")
    assert len(response.body) < 2000  # the refused text does not come back
    await _nothing_ran(api, jp_serverapp)


NON_FINITE = [
    ('{"task": "cnn.train", "params": {"training": {"learning_rate": NaN}}}',
     "training.learning_rate", "params.training.learning_rate: NaN is not a finite number"),
    ('{"task": "cnn.train", "params": {"training": {"learning_rate": Infinity}}}',
     "training.learning_rate", "params.training.learning_rate: Infinity is not a finite number"),
    ('{"task": "cnn.inspect", "params": {"input": {"pixels": [[0, -Infinity]]}}}',
     "input.pixels.0.1", "params.input.pixels.0.1: -Infinity is not a finite number"),
    ('{"task": "cnn.train", "params": {"training": {"learning_rate": 1e999}}}',
     "training.learning_rate", "params.training.learning_rate: 1e999 is not a finite number"),
    ('{"task": "transformer.attention", "params": {"text": "x"}, "kernel_id": NaN}',
     "kernel_id", "kernel_id: NaN is not a finite number"),
]


@pytest.mark.parametrize(("raw", "field", "message"), NON_FINITE,
                         ids=[n[1] + "-" + str(i) for i, n in enumerate(NON_FINITE)])
async def test_nan_and_infinity_are_400_naming_the_field(api, jp_serverapp, raw, field, message):
    code, answer, _ = await api("runs", method="POST", body=raw)
    assert code == 400, answer
    assert answer["errors"][0]["field"] == field
    assert answer["message"].startswith(message)
    await _nothing_ran(api, jp_serverapp)


async def test_deep_nesting_is_400_never_a_500(api, jp_serverapp):
    code, answer, _ = await api("runs", method="POST", body="[" * 100_000)
    assert code == 400, answer
    assert answer["message"] == ("the request body nests arrays and objects more than 32 levels "
                                 "deep (DLVizLab.max_json_depth), first at character 32")
    # deeper than the limit but within what the parser reads: the place is named
    pixels = "[" * 40 + "0" + "]" * 40
    code, answer, _ = await api("runs", method="POST",
                                body='{"task": "cnn.inspect", "params": {"input": {"pixels": '
                                     + pixels + "}}}")
    assert code == 400, answer
    assert answer["errors"][0]["field"] == "input.pixels" + ".0" * 29
    assert "nested more than 32 levels deep" in answer["message"]
    await _nothing_ran(api, jp_serverapp)


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"task": "transformer.attention", "params": {"text": "caf\xe9"}}',
     "the request body is not UTF-8 text (byte 57 is not valid UTF-8)"),
    (b"", "the request body is empty"),
    (b"{'task': 1}", "the request body is not JSON"),
    (b'{"task": "transformer.attention", "params": {"text": "x"}} trailing',
     "the request body is not JSON: Extra data"),
    (b'{"task": 1' + b"1" * 5000 + b"}", "the request body is not JSON"),
])
async def test_bodies_that_are_not_json_text_are_400(api, jp_serverapp, raw, message):
    code, answer, _ = await api("runs", method="POST", body=raw)
    assert code == 400, answer
    assert answer["message"].startswith(message), answer["message"]
    await _nothing_ran(api, jp_serverapp)


async def test_query_parameters_and_paths_that_make_no_sense_are_4xx(api):
    for parts, kwargs in [
        (("runs", "x" * 300), {}),
        (("runs", "%ff"), {}),
        (("runs", "nope", "arrays", "a.b.c"), {"params": {"index": "9" * 5000}}),
        (("runs", "nope", "events"), {}),
    ]:
        code, answer, _ = await api(*parts, **kwargs)
        assert 400 <= code < 500, (parts, code, answer)


def test_kernel_numbers_that_are_not_finite_become_null_at_ingestion():
    # a small message, and a big one whose long strings are cut out before parsing
    assert iopub.loads(b'{"loss": NaN, "x": [Infinity, 1.5]}') == {"loss": None,
                                                                  "x": [None, 1.5]}
    data = "A" * (iopub.BIG_STRING + 10)
    big = json.dumps({"result": {"loss": math.nan, "data": data, "tokens": ["a", '"q"']}})
    assert iopub.loads(big.encode()) == {"result": {"loss": None, "data": data,
                                                    "tokens": ["a", '"q"']}}
    progress = {"kind": "progress", "train_loss": math.inf, "history": [1.0, -math.inf]}
    assert request_body.finite(progress) == {"kind": "progress", "train_loss": None,
                                             "history": [1.0, None]}
    # answers are strict JSON even for a value that slipped through
    assert _strict(request_body.dumps({"loss": math.nan})) == {"loss": None}
