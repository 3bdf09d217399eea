"""The catalog in the student's language: forms in Portuguese or Spanish, validation unchanged."""

from __future__ import annotations

import pytest

from dlviz_lab import translations
from dlviz_lab.catalog import Catalog


async def _catalog(api, lang=None):
    code, data, response = await api("catalog", params={"lang": lang} if lang else {})
    assert code == 200, data
    return data, response.headers.get("Content-Language")


def _task(catalog, task_id):
    return next(task for task in catalog["tasks"] if task["id"] == task_id)


@pytest.mark.parametrize(("lang", "folder", "header"), [
    ("pt_BR", "pt_BR", "pt-BR"), ("pt-BR", "pt_BR", "pt-BR"), ("es", "es_ES", "es-ES"),
    ("es_ES", "es_ES", "es-ES")])
async def test_the_catalog_answers_in_the_language_asked_for(api, lang, folder, header):
    english, english_header = await _catalog(api)
    translated, translated_header = await _catalog(api, lang)
    assert english["language"] == "en" and english_header == "en"
    assert translated["language"] == folder and translated_header == header
    table = translations.messages(folder)
    for task_en, task_tr in zip(english["tasks"], translated["tasks"]):
        assert task_tr["id"] == task_en["id"]
        assert task_tr["title"] == table[task_en["title"]] != task_en["title"]
        # every title and description of the form, translated; nothing else changed
        strings_en = translations.schema_strings(task_en["schema"])
        strings_tr = translations.schema_strings(task_tr["schema"])
        assert strings_tr == [table[text] for text in strings_en]
        assert _without_words(task_tr["schema"]) == _without_words(task_en["schema"])
    training = _task(translated, "cnn.train")["schema"]["properties"]["training"]
    lr = training["properties"]["learning_rate"]
    expected = {"pt_BR": "Taxa de aprendizado", "es_ES": "Tasa de aprendizaje"}[folder]
    assert lr["title"] == expected


def _enums(node, path=""):
    """{path: node} of every schema node with an enum."""
    found = {}
    if isinstance(node, dict):
        if "enum" in node:
            found[path] = node
        for key, value in node.items():
            found.update(_enums(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.update(_enums(item, f"{path}/{index}"))
    return found


async def test_the_choices_of_a_select_are_labelled_in_portuguese_and_keep_their_values(api):
    english, _ = await _catalog(api)
    portuguese, _ = await _catalog(api, "pt_BR")
    table = translations.messages("pt_BR")
    checked = 0
    for task_en, task_pt in zip(english["tasks"], portuguese["tasks"]):
        enums_en, enums_pt = _enums(task_en["schema"]), _enums(task_pt["schema"])
        assert enums_pt.keys() == enums_en.keys()
        for path, node_en in enums_en.items():
            node_pt = enums_pt[path]
            assert node_pt["enum"] == node_en["enum"], f"{task_en['id']} {path}"
            assert node_pt["x-enum-labels"] == [table[label] for label in node_en["x-enum-labels"]]
            checked += 1
    assert checked >= 14
    cnn = _task(portuguese, "cnn.train")["schema"]["properties"]
    optimizer = cnn["training"]["properties"]["optimizer"]
    assert optimizer["enum"] == ["adam", "sgd", "rmsprop"]
    assert optimizer["x-enum-labels"] == ["Adam", "SGD com momento", "RMSprop"]
    pooling = cnn["blocks"]["items"]["properties"]["pooling"]
    assert dict(zip(pooling["enum"], pooling["x-enum-labels"]))["avg"] == "Pooling pela média"
    mask = _task(portuguese, "transformer.train")["schema"]["properties"]["mask"]
    assert mask["x-enum-labels"] == ["Causal (estilo GPT)", "Bidirecional (estilo BERT)"]
    # the server still takes the values, not the words, in any language
    params = {"training": {"optimizer": "SGD com momento"}}
    code, body, _ = await api("runs", method="POST", body={"task": "cnn.train", "params": params})
    assert code == 400
    assert any(error["field"] == "training.optimizer" for error in body["errors"]), body


async def test_an_unknown_language_answers_in_english(api):
    english, _ = await _catalog(api)
    other, header = await _catalog(api, "fr_FR")
    assert other == english and header == "en"


async def test_validation_messages_name_the_field_whatever_the_language(api):
    await _catalog(api, "pt_BR")
    params = {"training": {"learning_rate": -1}}
    code, body, _ = await api("runs", method="POST", body={"task": "cnn.train", "params": params})
    assert code == 400
    assert any(error["field"] == "training.learning_rate" for error in body["errors"]), body


def test_every_message_is_translated_and_every_jupyterlab_catalog_is_current():
    assert translations.problems() == []
    for folder in translations.LANGUAGES:
        data = translations.jupyterlab_catalog(folder)
        assert data[""]["domain"] == "dlviz_lab"
        assert set(data) - {""} == set(translations.source_messages())


def test_the_checker_reports_a_message_nobody_translated(monkeypatch):
    source = translations.source_messages()
    monkeypatch.setattr(translations, "source_messages", lambda: [*source, "A brand-new label"])
    found = translations.problems()
    assert "pt_BR: not translated: 'A brand-new label'" in found
    assert "es_ES: not translated: 'A brand-new label'" in found


def _without_words(node):
    if isinstance(node, dict):
        return {key: _without_words(value) for key, value in node.items()
                if key not in translations.SCHEMA_KEYS + translations.SCHEMA_LIST_KEYS}
    if isinstance(node, list):
        return [_without_words(item) for item in node]
    return node


def test_a_language_code_finds_its_catalog():
    assert [translations.language(code) for code in
            ("pt-BR", "pt_BR", "pt", "es", "es-MX", "es_ES", "en", "fr", None, "")] == \
        ["pt_BR", "pt_BR", "pt_BR", "es_ES", "es_ES", "es_ES", None, None, None, None]
    assert Catalog().as_json("pt_BR")["language"] == "pt_BR"


@pytest.mark.parametrize("folder", sorted(translations.LANGUAGES))
def test_jupyterlab_serves_our_catalog_beside_its_language_pack(folder):
    # what JupyterLab's /lab/api/translations/<lang> answers (jupyterlab_server computes it so)
    from jupyterlab_server.translation_utils import get_language_pack

    data, message = get_language_pack(folder)
    assert message.strip() == ""
    assert "jupyterlab" in data  # the language pack itself is installed (test extra)
    ours = data["dlviz_lab"]
    assert ours[""]["domain"] == "dlviz_lab"
    assert ours["Epochs"] == [translations.messages(folder)["Epochs"]]
