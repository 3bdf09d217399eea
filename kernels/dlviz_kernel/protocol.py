"""How the kernel talks to the dlviz-lab server: display_data messages of one MIME type.

Every message is a small JSON object with a ``kind`` ("progress", "result", "error",
"models", ...), see docs/protocol.md. The server matches them to its request by the
iopub ``parent_header``, so nothing here needs to know which request is running.
"""

from __future__ import annotations

import sys
from typing import Any

MIME_TYPE = "application/vnd.dlviz-lab.v1+json"


def plain_text(message: dict[str, Any]) -> str:
    """A one-line summary shown by consoles that do not know our MIME type."""
    kind = message.get("kind", "message")
    if kind == "progress":
        step, total = message.get("step"), message.get("total")
        return f"dlviz-lab: {message.get('message', '')} ({step}/{total})"
    if kind == "error":
        return f"dlviz-lab error: {message.get('message', '')}"
    if kind == "models":
        return f"dlviz-lab: {len(message.get('models', []))} model(s) found"
    return f"dlviz-lab {kind}"


class DisplayPublisher:
    """Sends messages as iopub ``display_data`` through IPython's display machinery."""

    def publish(self, message: dict[str, Any]) -> None:
        """Publish one message (a JSON-able dict with a ``kind``)."""
        text = plain_text(message)
        shell = running_shell()
        if shell is None:
            # Outside a kernel there is nobody to read the JSON; print the harmless summary only.
            print(text, file=sys.stdout)
            return
        from IPython.display import display

        display({MIME_TYPE: message, "text/plain": text}, raw=True)


class Recorder:
    """Keeps published messages in a list instead of sending them (for tests and scripts)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def publish(self, message: dict[str, Any]) -> None:
        """Remember the message."""
        self.messages.append(message)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The recorded messages whose ``kind`` is ``kind``, in order."""
        return [m for m in self.messages if m.get("kind") == kind]


# The publisher used when a caller does not pass one.
default_publisher = DisplayPublisher()


def running_shell():
    """The active IPython shell, or None; imports IPython only if it is already loaded."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    return ipython.get_ipython()
