"""Every choice in a task form has words a learner reads: `x-enum-labels` beside each `enum`."""

import json
from importlib import resources

from dlviz_kernel.tasks import load_schema


def parameter_schemas():
    """(file name, schema) of every parameter schema in the kernel package (not the results)."""
    found = []

    def walk(folder):
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(".schema.json") and not entry.name.endswith(
                    ".result.schema.json"):
                found.append((entry.name, json.loads(entry.read_text(encoding="utf-8"))))

    walk(resources.files("dlviz_kernel"))
    return found


def enums(node, path="#"):
    """(path, the node) of every schema node with an `enum`, at any depth (items, $defs, ...)."""
    found = []
    if isinstance(node, dict):
        if "enum" in node:
            found.append((path, node))
        for key, value in node.items():
            if key not in ("enum", "x-enum-labels", "default", "examples"):
                found += enums(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += enums(item, f"{path}/{index}")
    return found


def test_every_enum_of_every_parameter_schema_has_one_label_per_value():
    schemas = parameter_schemas()
    assert schemas, "no parameter schema found"
    checked = 0
    for name, schema in schemas:
        for path, node in enums(schema):
            labels = node.get("x-enum-labels")
            where = f"{name} {path}"
            assert isinstance(labels, list), f"{where}: enum {node['enum']} has no x-enum-labels"
            assert len(labels) == len(node["enum"]), f"{where}: {len(labels)} labels"
            for label in labels:
                assert isinstance(label, str) and label.strip() == label and label, where
                assert len(label) <= 40, f"{where}: label {label!r} is long for a select"
            assert len(set(labels)) == len(labels), f"{where}: two values share a label"
            checked += 1
    # cnn.train alone has five enums (source, two activations, pooling, optimizer)
    assert checked >= 14


def test_labels_are_words_beside_the_values_not_instead_of_them():
    schema = load_schema("cnn.train")
    optimizer = schema["properties"]["training"]["properties"]["optimizer"]
    assert optimizer["enum"] == ["adam", "sgd", "rmsprop"]
    assert optimizer["x-enum-labels"] == ["Adam", "SGD with momentum", "RMSprop"]
    pooling = schema["properties"]["blocks"]["items"]["properties"]["pooling"]
    assert dict(zip(pooling["enum"], pooling["x-enum-labels"]))["avg"] == "Average pooling"

