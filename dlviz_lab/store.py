"""The run store: finished runs kept on disk so they outlive a server restart.

JupyterHub's idle culler stops a student's server every day; the docked views of yesterday's runs
must still open. Each finished run is one row of an SQLite table (its record, result stubs
included, as JSON) plus one `.npy` file per large result array. Arrays are read back memory-mapped,
so a kept run costs disk, not server memory, until a view reads it. Trained models are not here:
they live in their kernel and die with it.

Everything here is blocking file work: the run manager calls it in a thread.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .arrays import StoredArray

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    record TEXT NOT NULL,
    arrays TEXT NOT NULL,
    array_bytes INTEGER NOT NULL
)
"""


def default_dir() -> Path:
    """`<jupyter data dir>/dlviz-lab/runs`: per user, like Jupyter's own files."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "dlviz-lab" / "runs"


class RunStore:
    """Finished runs on disk: `runs.sqlite` and `arrays/<run id>/<n>.npy`."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "arrays").mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.folder / "runs.sqlite", check_same_thread=False,
                                   isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)

    def _array_dir(self, run_id: str) -> Path:
        # run ids are uuid hex made by this server; anything else never reaches a path
        if not run_id.isalnum():
            raise ValueError(f"not a run id: {run_id!r}")
        return self.folder / "arrays" / run_id

    def save(self, record: dict, arrays: dict[str, StoredArray]) -> dict[str, StoredArray]:
        """Write one finished run; returns its arrays memory-mapped from the written files.

        The caller swaps those in, so the decoded copies in memory can be freed.
        """
        run_id = record["id"]
        folder = self._array_dir(run_id)
        index, mapped = {}, {}
        if arrays:
            folder.mkdir(parents=True, exist_ok=True)
        for n, (path, array) in enumerate(arrays.items()):
            file = folder / f"{n}.npy"
            partial = folder / f"{n}.npy.partial"
            with open(partial, "wb") as handle:
                np.save(handle, np.ascontiguousarray(array.values), allow_pickle=False)
            os.replace(partial, file)
            index[path] = {"file": file.name, "dtype": array.dtype, "scale": array.scale,
                           "offset": array.offset}
            mapped[path] = self._map(folder, index[path])
        nbytes = sum(a.nbytes for a in arrays.values())
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO runs (id, record, arrays, array_bytes) VALUES (?, ?, ?, ?)",
                (run_id, json.dumps(record, allow_nan=False), json.dumps(index), nbytes))
        return mapped

    @staticmethod
    def _map(folder: Path, entry: dict) -> StoredArray:
        values = np.load(folder / entry["file"], mmap_mode="r", allow_pickle=False)
        return StoredArray(entry["dtype"], values, entry.get("scale"), entry.get("offset"))

    def load(self) -> list[tuple[dict, dict[str, StoredArray]]]:
        """Every stored run, oldest first: (record, arrays memory-mapped); broken ones dropped."""
        with self._lock:
            rows = self._db.execute("SELECT id, record, arrays FROM runs ORDER BY seq").fetchall()
        out = []
        for run_id, record_text, arrays_text in rows:
            try:
                folder = self._array_dir(run_id)
                arrays = {path: self._map(folder, entry)
                          for path, entry in json.loads(arrays_text).items()}
                out.append((json.loads(record_text), arrays))
            except (OSError, ValueError, KeyError):
                # a half-deleted or damaged run: forget it rather than fail the server's start
                self.delete(run_id)
        return out

    def delete(self, run_id: str) -> None:
        """Forget a run: its row and its array files."""
        with self._lock:
            self._db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        try:
            shutil.rmtree(self._array_dir(run_id), ignore_errors=True)
        except ValueError:
            pass

    def ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM runs ORDER BY seq")]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class StoreWriter:
    """The run store as the event loop uses it: every write in one thread, in order.

    One thread means a run's save and its later deletion can never cross; nothing waits for
    the disk on the event loop.
    """

    def __init__(self, store: RunStore, log):
        self.store = store
        self.log = log
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dlviz-store")
        self._jobs: set = set()

    def _submit(self, fn, *args):
        job = asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    def save(self, run) -> None:
        """Write a finished run; once written, its arrays are read from the files (memory freed)."""

        def save():
            try:
                run.arrays = self.store.save(run.as_dict(), run.arrays)
            except Exception:  # noqa: BLE001 (a full disk must not break the run)
                self.log.warning("dlviz-lab: could not store run %s", run.id, exc_info=True)

        self._submit(save)

    def delete(self, run_id: str) -> None:
        self._submit(self.store.delete, run_id)

    async def close(self, last_runs=()) -> None:
        """Finish pending writes (a few seconds at most), store `last_runs` as they are, close."""
        if self._jobs:
            await asyncio.wait(list(self._jobs), timeout=5)
        for run in last_runs:
            try:
                self.store.save(run.as_dict(), {})
            except Exception:  # noqa: BLE001
                self.log.debug("dlviz-lab: could not store run %s", run.id, exc_info=True)
        self.store.close()
        self._thread.shutdown(wait=False)
