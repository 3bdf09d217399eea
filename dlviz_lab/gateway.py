"""Kernels behind a Jupyter Kernel Gateway or Enterprise Gateway (`--GatewayClient.url`).

jupyter_server's `GatewayKernelClient` talks to such a kernel over one websocket. Three things
about it do not suit a server that runs many long runs, so the bridge uses this subclass:

- its websocket carries no `Authorization` header: a gateway with an auth token answers 401
  (the browser's own websocket, proxied by jupyter_server, does carry it). Here the handshake
  sends the same headers as every HTTP request to the gateway (`GatewayClient` settings).
- its channel queues wait for a message with `asyncio.sleep(0)` in a loop: the server would
  burn a whole core for as long as a run lasts. Here a waiting read sleeps until the websocket
  thread hands it a message (or its timeout passes).
- the thread reading the websocket is not a daemon, so a server whose client is still open never
  exits on SIGTERM. Here it is a daemon, and stopping the client closes the socket and waits at
  most a moment for that thread.
"""

from __future__ import annotations

import asyncio
from queue import Empty
from threading import Thread
from time import monotonic

import websocket
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_core.utils import ensure_async
from jupyter_server.gateway.gateway_client import GatewayClient
from jupyter_server.gateway.managers import ChannelQueue, GatewayKernelClient
from jupyter_server.utils import url_escape, url_path_join

__all__ = ["GatewayChannelsClient", "is_gateway_kernel", "use_for"]

CHANNELS = ("shell", "iopub", "stdin", "control")  # the heartbeat channel keeps its own class
JOIN_SECONDS = 2.0  # how long stopping a client waits for its websocket thread


def is_gateway_kernel(kernel) -> bool:
    """Whether a kernel manager of the server stands for a kernel behind a gateway."""
    factory = getattr(kernel, "client_factory", None)
    return isinstance(factory, type) and issubclass(factory, GatewayKernelClient)


def use_for(kernel) -> None:
    """Make `kernel.client()` give a GatewayChannelsClient (a no-op for local kernels)."""
    if is_gateway_kernel(kernel) and not issubclass(kernel.client_factory, GatewayChannelsClient):
        kernel.client_factory = GatewayChannelsClient


class WakingChannelQueue(ChannelQueue):
    """A channel queue whose readers sleep until the websocket thread puts a message in."""

    def __init__(self, channel_name, channel_socket, log):
        super().__init__(channel_name, channel_socket, log)
        self._loop = asyncio.get_running_loop()
        self._arrived = asyncio.Event()

    def _wake(self):
        try:
            self._loop.call_soon_threadsafe(self._arrived.set)
        except RuntimeError:  # the server's loop is closed: nobody is waiting any more
            pass

    def _put(self, item):  # queue.Queue calls this under its lock, from the websocket thread
        super()._put(item)
        self._wake()

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "response_router_finished" and value:
            self._wake()  # a waiting reader learns at once that no message will come

    async def _async_get(self, timeout=None):
        end = float("inf") if timeout is None else monotonic() + timeout
        while True:
            self._arrived.clear()
            try:
                return self.get(block=False)
            except Empty:
                if self.response_router_finished:
                    raise RuntimeError("the gateway websocket is closed") from None
                left = end - monotonic()
                if left <= 0:
                    raise
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass


class GatewayChannelsClient(GatewayKernelClient):
    """A gateway kernel client that authenticates its websocket and waits without spinning."""

    async def start_channels(self, shell=True, iopub=True, stdin=True, hb=True, control=True):
        gateway = GatewayClient.instance()
        url = url_path_join(gateway.ws_url or "", gateway.kernels_endpoint,
                            url_escape(self.kernel_id), "channels")
        headers = gateway.load_connection_args().get("headers", {})
        ssl_options = {"ca_certs": gateway.ca_certs, "certfile": gateway.client_cert,
                       "keyfile": gateway.client_key}
        # the handshake blocks: off the server's event loop
        self.channel_socket = await asyncio.to_thread(
            websocket.create_connection, url, timeout=gateway.KERNEL_LAUNCH_TIMEOUT,
            enable_multithread=True, sslopt=ssl_options, header=headers)
        for name in CHANNELS:  # created before the base class would create plain ones
            queue = WakingChannelQueue(name, self.channel_socket, self.log)
            setattr(self, f"_{name}_channel", queue)
            self._channel_queues[name] = queue
        await ensure_async(AsyncKernelClient.start_channels(
            self, shell=shell, iopub=iopub, stdin=stdin, hb=hb, control=control))
        self.response_router = Thread(target=self._route_responses, daemon=True,
                                      name=f"dlviz-lab gateway {self.kernel_id}")
        self.response_router.start()

    def stop_channels(self):
        AsyncKernelClient.stop_channels(self)
        self._channels_stopped = True
        if self.channel_socket is not None:
            self.channel_socket.close(timeout=1)
        if self.response_router is not None:
            self.response_router.join(JOIN_SECONDS)
        if self._channel_queues:
            self._channel_queues.clear()
