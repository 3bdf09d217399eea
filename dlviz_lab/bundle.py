"""The kernel runtime (`dlviz_kernel`) as files, so the server can ship it into any kernel."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dlviz_kernel"
SUFFIXES = (".py", ".json")


def runtime_dir() -> Path:
    """Folder of the installed `dlviz_kernel` package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the kernel runtime package {PACKAGE!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def runtime_files(root: Path | None = None) -> list[tuple[str, Path]]:
    """(relative posix path, path) of every .py and .json file of the runtime, sorted."""
    root = root or runtime_dir()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in filenames:
            if name.endswith(SUFFIXES):
                path = Path(dirpath) / name
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def hash_files(items) -> str:
    """sha256 over (path, bytes) pairs; kernel_entry.py computes the same for an installed copy."""
    digest = hashlib.sha256()
    for rel, data in items:
        digest.update(rel.encode("utf-8") + b"\0" + data + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Bundle:
    """Every file of the kernel runtime with its hash, and the JSON text sent as BUNDLE."""

    files: dict
    hash: str
    signature: tuple

    @property
    def json(self) -> str:
        # ASCII JSON: its json.dumps literal then holds no \\u escapes (see kernel_entry.py)
        return json.dumps(self.files, sort_keys=True, ensure_ascii=True)


def _signature(files) -> tuple:
    return tuple((rel, path.stat().st_mtime_ns, path.stat().st_size) for rel, path in files)


_cache: dict = {}


def load_bundle() -> Bundle:
    """The current bundle; re-read only when a file of the runtime changed (blocking: small)."""
    files = runtime_files()
    signature = _signature(files)
    cached = _cache.get("bundle")
    if cached is not None and cached.signature == signature:
        return cached
    raw = [(rel, path.read_bytes()) for rel, path in files]
    bundle = Bundle(
        files={rel: data.decode("utf-8") for rel, data in raw},
        hash=hash_files(raw),
        signature=signature,
    )
    _cache["bundle"] = bundle
    return bundle
