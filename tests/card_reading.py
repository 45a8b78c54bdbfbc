"""Reading the bot's cards in SimCord tests: songs, controls and the messages the bot left in a channel."""

from __future__ import annotations

import re
from typing import Any

import discord
import simcord

SONG_NAME = re.compile(r"^(?P<number>\d+)\. (?P<title>.+) — (?P<artist>.+)$")
# The audio-feature column names a member should never read on a card.
RAW_COLUMNS = ("valence", "acousticness", "speechiness", "liveness", "danceability")


def bot_messages(channel: Any, env: Any) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.id == env.bot.user.id]


def card_of(result: simcord.InteractionResult) -> discord.Embed:
    assert result.acknowledged
    assert result.response is not None, "no answer"
    [embed] = result.response.embeds
    return embed


def card_in(message: discord.Message | None) -> discord.Embed:
    assert message is not None and message.embeds, "no card"
    [embed] = message.embeds
    return embed


def songs_on(embed: discord.Embed) -> list[tuple[int, str, str]]:
    """(number, title, artist) of each song on a card."""
    found = []
    for field in embed.fields:
        match = SONG_NAME.match(field.name or "")
        assert match, field.name
        found.append((int(match["number"]), match["title"], match["artist"]))
    return found


def menu(message: Any, prefix: str) -> dict[str, Any]:
    """The select menu whose custom id starts with ``prefix`` ("mr:like:" or "mr:rate:")."""
    [found] = [
        c
        for row in message.components
        for c in row["components"]
        if c["type"] == 3 and c["custom_id"].startswith(prefix)
    ]
    return found


def buttons(message: Any) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"] if c["type"] == 2]


def card_text(embed: discord.Embed) -> str:
    return "\n".join([embed.title or "", embed.description or ""] + [f"{f.name}\n{f.value}" for f in embed.fields])
