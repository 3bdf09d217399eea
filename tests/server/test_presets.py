"""Course presets the server trusts: the admin's overrides.json and DLVizLab.presets.

A real jupyter_server with dlviz_lab; an application settings folder written like a course image
writes it. Enforced presets refuse, before any kernel, a run that changes a locked or hidden field.
"""

from __future__ import annotations

import json
import os
import time

import pytest

SMALL_MLP = {
    "name": "mlp-small",
    "title": "A small playground",
    "instruction": "Press Run and watch the boundary.",
    "task": "mlp.train",
    "params": {"model": {"hidden": [{"neurons": 3, "activation": "tanh"}]},
               "training": {"batch_size": 20}},
    "locked": ["model.hidden", "training.batch_size"],
    "hidden": ["data.samples"],
    "enforce": True,
}
FREE_CNN = {"name": "cnn-free", "task": "cnn.train", "params": {"training": {"epochs": 2}},
            "locked": ["training.epochs"]}


@pytest.fixture
def settings_dir(tmp_path):
    folder = tmp_path / "lab-settings"
    (folder / "overrides.d").mkdir(parents=True)
    (folder / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "dlviz-lab:presets": {"presets": [SMALL_MLP]}}))
    return folder


@pytest.fixture
def jp_server_config(settings_dir):
    return {"ServerApp": {"jpserver_extensions": {"dlviz_lab": True}},
            "DLVizLab": {"max_run_seconds": 300, "presets_settings_dir": str(settings_dir),
                         "presets": [FREE_CNN]}}


def _touch_later(path, text):
    """Write `text` with a modification time surely newer than the last read."""
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


async def test_presets_from_overrides_and_configuration_are_listed(api):
    code, listing, _ = await api("presets")
    assert code == 200, listing
    assert listing["problems"] == []
    by_name = {p["name"]: p for p in listing["presets"]}
    assert set(by_name) == {"mlp-small", "cnn-free"}
    small = by_name["mlp-small"]
    assert small["enforce"] is True and small["locked"] == SMALL_MLP["locked"]
    assert small["hidden"] == ["data.samples"]
    assert small["source"].endswith("overrides.json")
    assert by_name["cnn-free"]["enforce"] is False
    assert by_name["cnn-free"]["source"] == "DLVizLab.presets"


async def test_a_request_changing_a_locked_field_is_refused_naming_it_and_nothing_runs(api):
    params = {"model": {"hidden": [{"neurons": 8, "activation": "tanh"}] * 6},
              "training": {"batch_size": 20, "epochs": 0}}
    code, err, _ = await api("runs", method="POST", body={"task": "mlp.train", "params": params})
    assert code == 400, err
    fields = [e["field"] for e in err["errors"]]
    assert fields == ["model.hidden"]
    assert "mlp-small" in err["message"] and "fixes it" in err["message"]
    # a hidden field is kept too, even when left at a value the form never showed
    params = {"model": SMALL_MLP["params"]["model"], "training": {"batch_size": 20,
                                                                   "epochs": 0},
              "data": {"samples": 900}}
    code, err, _ = await api("runs", method="POST", body={"task": "mlp.train", "params": params})
    assert code == 400 and [e["field"] for e in err["errors"]] == ["data.samples"], err
    code, listing, _ = await api("runs")
    assert code == 200 and listing["runs"] == []


async def test_a_request_inside_the_preset_runs(api, wait_run):
    # epochs is not locked: the student may change it (0 builds the network only)
    params = {"model": SMALL_MLP["params"]["model"], "training": {"batch_size": 20, "epochs": 0}}
    code, run, _ = await api("runs", method="POST", body={"task": "mlp.train", "params": params})
    assert code == 202, run
    run = await wait_run(run["id"])
    assert run["status"] == "succeeded", run
    assert run["params"]["model"]["hidden"] == [{"neurons": 3, "activation": "tanh"}]
    assert run["preset"] is None  # the request named no preset


async def test_a_run_keeps_the_name_of_the_preset_it_came_from(api, wait_run):
    params = {"model": SMALL_MLP["params"]["model"], "training": {"batch_size": 20, "epochs": 0}}
    code, run, _ = await api("runs", method="POST", body={
        "task": "mlp.train", "params": params, "preset": "mlp-small"})
    assert code == 202, run
    assert (await wait_run(run["id"]))["preset"] == "mlp-small"
    code, listing, _ = await api("runs")
    assert [(r["id"], r["preset"]) for r in listing["runs"]] == [(run["id"], "mlp-small")]


async def test_presets_that_are_not_enforced_refuse_nothing(api):
    # cnn-free locks epochs but does not enforce: a different value passes validation and
    # goes on to find its kernel (an unknown one here, so nothing runs: 404, not 400)
    code, err, _ = await api("runs", method="POST", body={
        "task": "cnn.train", "params": {"training": {"epochs": 3}}, "kernel_id": "no-such"})
    assert code == 404, err


async def test_a_broken_enforced_preset_refuses_its_task_and_says_why(api, settings_dir):
    broken = dict(SMALL_MLP, locked=["model.layers_that_do_not_exist"])
    _touch_later(settings_dir / "overrides.json",
                 json.dumps({"dlviz-lab:presets": {"presets": [broken]}}))
    code, listing, _ = await api("presets")
    assert code == 200
    assert any("model.layers_that_do_not_exist" in p for p in listing["problems"]), listing
    code, err, _ = await api("runs", method="POST", body={
        "task": "mlp.train", "params": {"training": {"epochs": 0}}})
    assert code == 400 and err["errors"][0]["field"] == "preset", err
    assert "mlp-small" in err["message"]


async def test_overrides_d_then_overrides_json_like_jupyterlab_and_changes_are_read(
        api, settings_dir):
    other = dict(SMALL_MLP, title="From overrides.d", enforce=False)
    _touch_later(settings_dir / "overrides.d" / "10-course.json",
                 json.dumps({"dlviz-lab:presets": {"presets": [other]}}))
    code, listing, _ = await api("presets")
    # overrides.json is read last and holds a preset of the same name: it wins
    titles = [p["title"] for p in listing["presets"] if p["name"] == "mlp-small"]
    assert titles == ["A small playground"]
    _touch_later(settings_dir / "overrides.json", json.dumps({}))
    code, listing, _ = await api("presets")
    titles = [p["title"] for p in listing["presets"] if p["name"] == "mlp-small"]
    assert titles == ["From overrides.d"]
    # no longer enforced: the bigger network is accepted by the presets (and runs)
    code, run, _ = await api("runs", method="POST", body={
        "task": "mlp.train", "params": {"model": {"hidden": []}, "training": {"epochs": 0}}})
    assert code == 202, run


async def test_a_malformed_preset_is_reported_not_trusted(api, settings_dir):
    _touch_later(settings_dir / "overrides.json", json.dumps({"dlviz-lab:presets": {
        "presets": [{"name": "no task here"}, {"name": "ok", "task": "mlp.train"}]}}))
    code, listing, _ = await api("presets")
    assert [p["name"] for p in listing["presets"]] == ["cnn-free", "ok"]
    assert len(listing["problems"]) == 1 and "'task' is a required property" in \
        listing["problems"][0]
