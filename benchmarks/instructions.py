"""Count the instructions a piece of Python executes, with valgrind's callgrind.

On a shared machine the speed of one core drifts by tens of percent within seconds (measured
here: the same plain loop took 1.4 s to 3.1 s, and the two cores did not drift together), so two
timings a few seconds apart compare moments as much as code. Instructions do not drift: the
same run counts the same to a fraction of a percent. A benchmark that wants a ratio free of that
noise runs its sides inside ``count`` (one process under callgrind, instrumentation off until a
side starts: the imports run uncounted) and gets the instructions of each side.

Needs ``valgrind`` (with its headers, as Debian's package has them) and a C compiler: a
four-line helper is compiled into a temporary folder to switch the counting on and off
(callgrind's client requests). ``missing()`` says what is not there. Under callgrind everything
runs about 50 times slower: count short runs.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HEADER = Path("/usr/include/valgrind/callgrind.h")
HELPER = """#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void count_stop(const char *name) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(name); }
"""
FLAG = "--counting-with"  # the child's argument: the helper library to load


def missing() -> str | None:
    """What counting needs and this machine lacks, or None."""
    if shutil.which("valgrind") is None or not HEADER.exists():
        return "valgrind and its headers (apt-get install valgrind)"
    if shutil.which("cc") is None:
        return "a C compiler (apt-get install gcc)"
    return None


def count(script: Path, args: list[str], timeout: float = 1800) -> dict[str, int]:
    """Run ``script`` with ``args`` under callgrind; instructions of each ``side`` it counted."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "count.so"
        source = Path(tmp) / "count.c"
        source.write_text(HELPER)
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(source)],
                       check=True)
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={tmp}/out.%p", sys.executable, str(script), *args,
                   FLAG, str(library)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({done.returncode}):\n{done.stderr[-3000:]}")
        counts: dict[str, int] = {}
        for dump in sorted(Path(tmp).glob("out.*.*"), key=lambda p: int(p.suffix[1:])):
            text = dump.read_text(errors="replace")
            name = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
            total = re.search(r"^totals: (\d+)", text, re.M)
            if name and total:
                counts[name.group(1)] = int(total.group(1))
        return counts


def library_argument() -> str | None:
    """In the child: the helper library ``count`` passed, or None when not counting."""
    if FLAG in sys.argv:
        return sys.argv[sys.argv.index(FLAG) + 1]
    return None


class Sides:
    """In the child: ``with sides("plain"): ...`` counts that block as the side "plain"."""

    def __init__(self, library: str) -> None:
        self._lib = ctypes.CDLL(library)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self._lib.count_start()
        try:
            yield
        finally:
            self._lib.count_stop(name.encode())
