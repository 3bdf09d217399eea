"""Which finished runs the server forgets when it keeps too many, or too many bytes of them.

Forgotten first: failed and cancelled runs (nothing to look at), then succeeded runs that no
other run needs, oldest first; last, runs another kept run points at with its `run` parameter
(the training run behind a CNN explorer, whose slider sends many small `cnn.inspect` runs: those
must not push out the training run they inspect). The run that just finished is never forgotten
by its own arrival.
"""

from __future__ import annotations


def needed_runs(runs) -> set:
    """Ids of runs that another kept run refers to (`params.run`)."""
    return {r.params.get("run") for r in runs if isinstance(r.params.get("run"), str)}


def runs_to_forget(runs: list, *, max_runs: int, max_bytes: int, keep=None) -> list:
    """The runs to forget, given every kept run in age order (oldest first).

    `keep` is a run that stays whatever happens (the one that just finished).
    """
    finished = [r for r in runs if r.done]
    needed = needed_runs(runs)

    def rank(item):
        position, run = item
        if run.status != "succeeded":
            group = 0
        elif run.id not in needed:
            group = 1
        else:
            group = 2
        return group, position

    candidates = [run for _, run in sorted(enumerate(finished), key=rank) if run is not keep]
    too_many = len(finished) - max_runs
    kept_bytes = sum(r.array_bytes for r in finished)
    forget = []
    for run in candidates:
        if too_many <= 0 and kept_bytes <= max_bytes:
            break
        if too_many > 0 or run.array_bytes:
            forget.append(run)
            too_many -= 1
            kept_bytes -= run.array_bytes
    return forget
