"""dlviz-lab in the student's language: Portuguese (Brazil) and Spanish beside the English source.

One gettext domain, `dlviz_lab`, holds every message: the task schemas' titles, descriptions and
enum labels (`x-enum-labels`, the words of a select's choices), which make the forms, and the
frontend's strings (`trans.__(...)`). The `.po` files in `dlviz_lab/locale/<lang>/LC_MESSAGES/`
are the source; next to each sits the same catalog as the JSON that JupyterLab's translator loads
for an extension's own domain (found through the `jupyterlab.locale` entry point, as JupyterLab's
internationalization guide describes; JupyterLab uses it once the language pack of that language
is installed and chosen).

The server translates the task schemas itself: `GET catalog?lang=pt_BR` answers in Portuguese.

    python -m dlviz_lab.translations update   # new messages into the .po files, JSON rebuilt
    python -m dlviz_lab.translations check    # every message translated, every JSON current
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog as MessageCatalog
from babel.messages.pofile import read_po, write_po

from . import __version__

DOMAIN = "dlviz_lab"
LOCALE_DIR = Path(__file__).parent / "locale"
# locale folder -> (language as JupyterLab writes it, plural forms)
LANGUAGES = {
    "pt_BR": ("pt-BR", "nplurals=2; plural=(n > 1);"),
    "es_ES": ("es-ES", "nplurals=2; plural=(n != 1);"),
}
SCHEMA_KEYS = ("title", "description")
# keys whose value is a list of words a learner reads: the labels of an enum's values, in order
SCHEMA_LIST_KEYS = ("x-enum-labels",)
# trans.__('...') / trans._n('...', '...') / trans._p('context', '...') in the frontend sources
FRONTEND_CALL = re.compile(r"""trans\.__\(\s*(['"`])((?:\\.|(?!\1).)*)\1""", re.S)

# fixed header dates: `update` changes a .po file only when its messages change
STAMP = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)

# backslash escapes in a TypeScript string literal: \n, \t; any other escaped character is itself
ESCAPE = re.compile(r"\\(.)", re.S)
ESCAPES = {"n": "\n", "t": "\t"}

_messages: dict = {}


def language(code: str | None) -> str | None:
    """The locale folder for a language code ('pt-BR', 'pt_BR', 'pt', 'es', 'es-MX'), or None."""
    if not code:
        return None
    code = code.replace("-", "_").strip()
    if code in LANGUAGES:
        return code
    base = code.split("_")[0].lower()
    for folder in LANGUAGES:
        if folder.split("_")[0] == base:
            return folder
    return None


def po_path(folder: str) -> Path:
    return LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def json_path(folder: str) -> Path:
    return LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.json"


def messages(folder: str) -> dict[str, str]:
    """msgid -> translation of one language (untranslated messages left out); re-read on change."""
    path = po_path(folder)
    stamp = path.stat().st_mtime_ns
    cached = _messages.get(folder)
    if cached is None or cached[0] != stamp:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=folder)
        table = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
        _messages[folder] = cached = (stamp, table)
    return cached[1]


def schema_strings(schema) -> list[str]:
    """Every title, description and enum label of a schema, in order, each once."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SCHEMA_KEYS and isinstance(value, str):
                    texts = [value]
                elif key in SCHEMA_LIST_KEYS and isinstance(value, list):
                    texts = [text for text in value if isinstance(text, str)]
                else:
                    walk(value)
                    continue
                found.extend(text for text in texts if text not in found)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return found


def translate_schema(schema: dict, folder: str | None) -> dict:
    """A copy of `schema` with its titles, descriptions and enum labels in that language (English
    if none); the enum values themselves stay as they are."""
    if folder is None:
        return schema
    table = messages(folder)

    def words(key, value):
        if key in SCHEMA_KEYS and isinstance(value, str):
            return table.get(value, value)
        if key in SCHEMA_LIST_KEYS and isinstance(value, list):
            return [table.get(text, text) if isinstance(text, str) else text for text in value]
        return walk(value)

    def walk(node):
        if isinstance(node, dict):
            return {key: words(key, value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(copy.deepcopy(schema))


def jupyterlab_catalog(folder: str) -> dict:
    """The JSON JupyterLab's translator reads for this domain (Jed format)."""
    name, plural_forms = LANGUAGES[folder]
    data: dict = {"": {"domain": DOMAIN, "language": name, "plural_forms": plural_forms,
                       "version": __version__}}
    for msgid, text in sorted(messages(folder).items()):
        data[msgid] = [text]
    return data


def source_messages() -> list[str]:
    """Every English message: task schemas, then frontend strings."""
    from .bundle import runtime_files

    found: list[str] = []
    for rel, path in runtime_files():
        if rel.endswith(".schema.json") and not rel.endswith(".result.schema.json"):
            for text in schema_strings(json.loads(path.read_text(encoding="utf-8"))):
                if text not in found:
                    found.append(text)
    frontend = Path(__file__).parents[1] / "labextension" / "src"
    for path in sorted(frontend.rglob("*.ts*")) if frontend.is_dir() else []:
        for match in FRONTEND_CALL.finditer(path.read_text(encoding="utf-8")):
            text = ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(1)), match.group(2))
            if text not in found:
                found.append(text)
    return found


def _json_text(folder: str) -> str:
    return json.dumps(jupyterlab_catalog(folder), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"


def update() -> None:
    """Add new messages to every .po (kept translations stay), drop old ones, rebuild the JSON."""
    source = source_messages()
    for folder in LANGUAGES:
        path = po_path(folder)
        old = messages(folder) if path.exists() else {}
        catalog = MessageCatalog(
            locale=folder, domain=DOMAIN, project="dlviz-lab", version=__version__, fuzzy=False,
            copyright_holder="dlviz-lab developers", msgid_bugs_address="",
            last_translator="dlviz-lab developers", language_team=folder,
            creation_date=STAMP, revision_date=STAMP,
            header_comment=f"# {folder} messages of dlviz-lab (BSD-3-Clause). Source: English.\n"
                           "# `python -m dlviz_lab.translations update` adds new messages.")
        for text in source:
            catalog.add(text, old.get(text, ""))
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, omit_header=False, sort_output=False)
        path.write_bytes(buffer.getvalue())
        json_path(folder).write_text(_json_text(folder), encoding="utf-8")


def problems() -> list[str]:
    """What `check` reports: messages not translated, catalogs whose JSON is out of date."""
    found = []
    source = source_messages()
    for folder in LANGUAGES:
        table = messages(folder)
        missing = [text for text in source if not table.get(text)]
        found += [f"{folder}: not translated: {text[:70]!r}" for text in missing]
        if not json_path(folder).exists() or \
                json_path(folder).read_text(encoding="utf-8") != _json_text(folder):
            found.append(f"{folder}: {json_path(folder).name} is out of date (run update)")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        print(f"updated {', '.join(str(po_path(f)) for f in LANGUAGES)}")
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
