"""Running the bot until SIGTERM or SIGINT, then stopping without dropping a request.

``docker stop`` and ``systemctl stop`` send SIGTERM and wait a few seconds before killing. On the
signal the bot stops taking new requests (each is told to ask again shortly), lets the requests
already in flight finish for up to ``DRAIN_TIMEOUT_S``, then closes the client: the client's own
``close()`` closes the micro-batcher, the database and the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

import discord

from .health import Heartbeat, gateway_connected
from .logs import Redactor, loop_exception_handler

log = logging.getLogger(__name__)

# Within docker stop's default 10 s grace period once the gateway and HTTP session have closed.
DRAIN_TIMEOUT_S = 8.0
RESTARTING = "I'm restarting right now, so I can't answer this one. Please ask again in a minute."


class ShuttingDown(Exception):
    """Raised on entering the gate after shutdown began; tell the user ``RESTARTING``."""

    def __init__(self) -> None:
        super().__init__(RESTARTING)


class RequestGate:
    """Counts requests in flight; once closed it refuses new ones and lets shutdown wait for the rest.

    Every request handler runs its whole answer (recommend, then send the card) inside
    ``async with gate.request():`` so the card still reaches Discord before the client closes.
    """

    def __init__(self) -> None:
        self._open = True
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def is_open(self) -> bool:
        return self._open

    @contextlib.asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        if not self._open:
            raise ShuttingDown
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    def close(self) -> None:
        self._open = False

    async def drain(self, timeout_s: float) -> int:
        """Wait until no request is in flight or ``timeout_s`` passes; the number still running."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        return self._in_flight


async def serve(
    client: discord.Client,
    token: str,
    *,
    gate: RequestGate,
    heartbeat: Heartbeat,
    redact: Redactor,
    drain_timeout_s: float = DRAIN_TIMEOUT_S,
) -> None:
    """Connect and run until a signal or a fatal error; login and gateway errors propagate to the caller."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(loop_exception_handler(redact))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with client:
        running = asyncio.create_task(client.start(token), name="musicrec-gateway")
        stopping = asyncio.create_task(stop.wait(), name="musicrec-stop")
        beating = asyncio.create_task(heartbeat.run(lambda: gateway_connected(client)), name="musicrec-heartbeat")
        try:
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if running.done():
                running.result()  # a login or gateway failure, for main() to report
                return
            gate.close()
            log.info("stopping: no new requests; waiting for %d in flight", gate.in_flight)
            left = await gate.drain(drain_timeout_s)
            if left:
                log.warning("stopping with %d requests unfinished after %.0f s", left, drain_timeout_s)
        finally:
            for task in (stopping, beating):
                task.cancel()
            heartbeat.clear()
            await client.close()
            if not running.done():
                # start() returns once close() has ended the gateway connections.
                with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
                    await asyncio.wait_for(running, drain_timeout_s)
        log.info("stopped cleanly")
