"""The whole bot as ``python -m bot`` runs it, stopped by a signal with 20 requests in flight (see test_bot_process).

Everything from ``bot.app.main`` down is the bot's own: settings, logging, the request gate, the
heartbeat, ``create_bot`` with the real database, cogs and card maker, ``serve`` with its signal
handlers, drain and close. Two seams, both at the process's edges:

- the model: ``load_recommender`` gives the library's real Recommender over six songs (tiny_recommender)
  whose encoder sleeps, so requests stay in flight long enough for a signal to find them;
- the gateway: ``MusicBot.start`` (login, then connect to discord.com) attaches SimCord's virtual
  Discord instead, which logs in over its fake HTTP and opens its fake shard. Members then write
  mentions, which the gateway delivers at once, without SimCord's settling, so they run concurrently.

Prints "in flight: 20" when 20 requests are inside the gate, keeps sending one request every 50 ms
until the bot stops taking them, and once the client has closed prints one line per request:
"answered N" (a card) or "retry N: <text>". The exit status is ``main``'s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import discord
import numpy as np
import simcord
from tiny_recommender import HashEncoder, tiny_recommender

from bot import app, service
from bot.client import MusicBot
from bot.lifecycle import RequestGate
from recommender.engine import Recommender

IN_FLIGHT = 20
ENCODE_S = 0.3


class SlowEncoder(HashEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(ENCODE_S)
        return super().encode(texts)


def load_recommender(catalog: object, cache_dir: object) -> Recommender:
    recommender = tiny_recommender()
    recommender.encoder = SlowEncoder()
    return recommender


async def start(self: MusicBot, token: str, *, reconnect: bool = True) -> None:
    gate = self.in_flight.__self__  # type: ignore[attr-defined]  # create_bot was given gate.request
    assert isinstance(gate, RequestGate)
    env = simcord.Env(self, shard_count=1)
    await env.start()
    assert self.user is not None
    guild = env.create_guild("Music Lovers")
    channel = guild.create_text_channel("general")
    asked: list[int] = []

    def ask() -> None:
        # One member per request: the per-member rate limit is not what this tests.
        member = guild.add_member(env.create_user(f"member{len(asked)}"))
        text = f"<@{self.user.id}> songs for mood {len(asked)}"  # type: ignore[union-attr]
        asked.append(env.backend.create_message(channel.id, member.id, text).id)

    for _ in range(IN_FLIGHT):
        ask()
    while gate.in_flight < IN_FLIGHT:
        await asyncio.sleep(0.001)
    print(f"in flight: {gate.in_flight}", flush=True)
    while gate.is_open:
        await asyncio.sleep(0.05)
        ask()
    ask()  # certainly after the signal: told to ask again
    while not self.is_closed():
        await asyncio.sleep(0.01)
    report(asked, [m for m in channel.history() if m.author.id == self.user.id])


def report(asked: list[int], replies: list[discord.Message]) -> None:
    by_request: dict[int, list[discord.Message]] = {}
    for reply in replies:
        if reply.reference is not None and reply.reference.message_id is not None:
            by_request.setdefault(reply.reference.message_id, []).append(reply)
    for number, message_id in enumerate(asked):
        for reply in by_request.get(message_id, []):
            print(f"answered {number}" if reply.embeds else f"retry {number}: {reply.content}", flush=True)
        if message_id not in by_request:
            print(f"unanswered {number}", flush=True)


def main() -> int:
    patched: Any = MusicBot
    patched.start = start
    service.load_recommender = load_recommender
    return app.main([])


if __name__ == "__main__":
    raise SystemExit(main())
