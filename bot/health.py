"""Liveness for the host: a heartbeat file touched while the gateway is connected, and its check.

A container's health check runs in a separate process, so the bot cannot be asked directly; the
file's age says how long ago the gateway was last seen connected. ``python -m bot --health`` reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import discord

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
HEARTBEAT_INTERVAL_S = 30.0
# Discord resumes a dropped session within seconds to a minute; three minutes disconnected is an outage.
MAX_AGE_S = 180.0


def gateway_connected(client: discord.Client) -> bool:
    """Whether every gateway connection of ``client`` is open and has been ready."""
    if client.is_closed() or not client.is_ready():
        return False
    if isinstance(client, discord.AutoShardedClient):
        return bool(client.shards) and not any(shard.is_closed() for shard in client.shards.values())
    return client.ws is not None and client.ws.open


class Heartbeat:
    def __init__(self, data_dir: Path, *, interval_s: float = HEARTBEAT_INTERVAL_S) -> None:
        self.path = data_dir / HEARTBEAT_FILE
        self.interval_s = interval_s

    def touch(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as error:
            # A full or read-only volume must not stop the bot answering; the health check will say so.
            log.warning("cannot write the heartbeat file %s: %s", self.path, error.strerror or error)

    def clear(self) -> None:
        """A stopped bot leaves no heartbeat, so a health check never mistakes it for a live one."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def run(self, connected: Callable[[], bool]) -> None:
        """Touch the file every interval while ``connected()``; stale once the gateway is down."""
        while True:
            if connected():
                self.touch()
            await asyncio.sleep(self.interval_s)


def check_health(data_dir: Path, *, max_age_s: float = MAX_AGE_S, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one line saying why) from the heartbeat file's age."""
    path = data_dir / HEARTBEAT_FILE
    try:
        age = (time.time() if now is None else now) - os.stat(path).st_mtime
    except OSError:
        return False, f"no heartbeat at {path}: the bot is not running or has never connected to Discord"
    if age > max_age_s:
        return False, f"the gateway was last seen connected {age:.0f} s ago (limit {max_age_s:.0f} s)"
    return True, f"connected to Discord {age:.0f} s ago"
