"""Reading a kernel's iopub messages without stalling the server.

A result of 512 tokens arrives as one iopub message of ~50 MB of JSON. Parsed on the event
loop (as `client.get_iopub_msg` does), it holds the loop, and every other request of the server,
for a large fraction of a second; parsed in a thread it still holds the GIL, since `json.loads`
runs in one piece. So for local (zmq) kernel clients a big message is read here instead: its
frames are checked in a thread, and its long strings (base64 array data) are cut out of the JSON
text with byte searches before the small rest is parsed. Every step holds the GIL briefly.
Clients without a zmq socket (`GatewayKernelClient`) keep `get_iopub_msg`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_core.utils import ensure_async

# messages bigger than this (all frames) are read in a thread
BIG_MESSAGE = 1024 * 1024
# strings longer than this are cut out of the JSON text before parsing
BIG_STRING = 64 * 1024
QUOTE, BACKSLASH = ord('"'), ord("\\")


def zmq_socket(client):
    """The iopub zmq socket of a local kernel client, or None (a gateway client has none)."""
    socket = getattr(getattr(client, "iopub_channel", None), "socket", None)
    return socket if isinstance(socket, zmq.asyncio.Socket) else None


async def next_message(client, timeout: float) -> dict:
    """The next iopub message (as `get_iopub_msg` gives it); raises queue.Empty after `timeout`."""
    socket = zmq_socket(client)
    if socket is None:
        return await ensure_async(client.get_iopub_msg(timeout=timeout))
    if not await socket.poll(int(timeout * 1000)):
        raise Empty
    frames = await socket.recv_multipart(copy=False)
    if sum(len(frame) for frame in frames) < BIG_MESSAGE:
        return _deserialize(client.session, [frame.bytes for frame in frames])
    return await asyncio.to_thread(_deserialize_big, client.session, frames)


def _deserialize(session, msg_list: list) -> dict:
    _idents, parts = session.feed_identities(msg_list)
    return session.deserialize(parts)


def _deserialize_big(session, frames: list) -> dict:
    """`session.deserialize` of a big message, its content parsed by `loads`."""
    msg_list = [frame.bytes for frame in frames]
    _idents, parts = session.feed_identities(msg_list)
    # content=False checks the signature (hashlib lets go of the GIL) and leaves content as bytes
    msg = session.deserialize(parts, content=False)
    if session.auth is not None and hasattr(session, "_add_digest"):
        session._add_digest(parts[0])  # replay protection, as a full deserialize does
    msg["content"] = loads(msg["content"])
    return msg


def loads(raw: bytes):
    """`json.loads` of a JSON text whose long strings are taken out first, then put back.

    Valid JSON has quotes only around strings, so each string is found with two byte searches
    (an escaped quote is one preceded by an odd number of backslashes). A long string without
    escapes is its UTF-8 bytes as they are; one with escapes goes through json.loads whole.
    NaN and Infinity (which strict JSON has not) become None.
    """
    if len(raw) < 2 * BIG_STRING:
        return json.loads(raw, parse_constant=lambda _name: None)
    view = memoryview(raw)
    marker = uuid.uuid4().hex
    pieces, big = [], {}
    start = pos = 0
    while True:
        opening = raw.find(b'"', pos)
        if opening < 0:
            break
        closing = opening
        while True:
            closing = raw.find(b'"', closing + 1)
            if closing < 0:
                raise ValueError("unterminated string in a kernel message")
            slashes = 0
            while raw[closing - 1 - slashes] == BACKSLASH:
                slashes += 1
            if slashes % 2 == 0:
                break
        if closing - opening - 1 > BIG_STRING:
            key = f"{marker}:{len(big)}"
            pieces.append(view[start:opening])
            pieces.append(json.dumps(key).encode("ascii"))
            big[key] = (opening, closing)
            start = closing + 1
        pos = closing + 1
    pieces.append(view[start:])
    skeleton = json.loads(b"".join(pieces), parse_constant=lambda _name: None)
    if not big:
        return skeleton

    def text(span):
        opening, closing = span
        if raw.find(b"\\", opening + 1, closing) < 0:
            return _decode(view[opening + 1:closing])
        return json.loads(view[opening:closing + 1].tobytes())

    return _put_back(skeleton, big, text)


def _decode(data: memoryview, chunk: int = 1024 * 1024) -> str:
    """UTF-8 bytes to str, a few MB at a time when ASCII (base64 is), so each step is short."""
    try:
        return "".join([str(data[i:i + chunk], "ascii") for i in range(0, len(data), chunk)])
    except UnicodeDecodeError:
        return str(data, "utf-8")


def _put_back(value, big: dict, text):
    """Replace the marker strings of `loads` by the long strings they stand for."""
    if isinstance(value, str):
        span = big.get(value)
        return value if span is None else text(span)
    if isinstance(value, dict):
        if any(key in big for key in value):  # a long key: never in our messages, but valid JSON
            value = {(text(big[key]) if key in big else key): child
                     for key, child in value.items()}
        for key, child in value.items():
            if isinstance(child, (str, dict, list)):
                value[key] = _put_back(child, big, text)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            if isinstance(child, (str, dict, list)):
                value[i] = _put_back(child, big, text)
    return value
