"""The bridge's own kernel clients: making one, stopping one, and reading its shell channel."""

from __future__ import annotations

import uuid
from queue import Empty

from jupyter_core.utils import ensure_async

from . import gateway, iopub


def own_client(kernel):
    """A new client of `kernel` with a session of its own (and, behind a gateway, authenticated).

    A shared session shares its replay-protection digest history (a second client in this process
    would reject iopub messages), and a plain clone repeats the msg_ids of the other clients.
    """
    gateway.use_for(kernel)  # behind a gateway: an authenticated, non-spinning client
    session = getattr(kernel, "session", None)
    if session is None or not hasattr(session, "clone"):
        return kernel.client()
    own = session.clone()
    own.session = uuid.uuid4().hex  # and msg_ids of our own
    return kernel.client(session=own)


async def stop(client, log) -> None:
    try:
        await ensure_async(client.stop_channels())
    except Exception:  # noqa: BLE001 (a dead kernel's channels may already be gone)
        log.debug("dlviz-lab: stopping a kernel client failed", exc_info=True)


async def reply_if_any(client, msg_id: str):
    """Our execute_reply if shell holds it now, else None (other replies are dropped)."""
    while True:
        try:
            msg = await ensure_async(client.get_shell_msg(timeout=0))
        except Empty:
            return None
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return msg


async def drain(client, most: int = 100_000) -> None:
    """Skip what iopub and shell hold from before a request (notebook output, restarts)."""
    for _ in range(most):
        try:
            await iopub.next_message(client, 0)
        except Empty:
            break
    for _ in range(most):
        try:
            await ensure_async(client.get_shell_msg(timeout=0))
        except Empty:
            break
