"""``/history`` (what the bot keeps about you, privately) and ``/forget-me`` (delete all of it)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from recommender.songs import Song

from .. import cards
from ..service import MusicService
from ..store import Store

SHOWN = 10
PAGES_PER_REQUEST = 5


class Privacy(commands.Cog):
    def __init__(self, store: Store, service: MusicService) -> None:
        self.store = store
        self.service = service

    @app_commands.command(description="Your recent requests and the songs you rated (only you see it)")
    async def history(self, interaction: discord.Interaction) -> None:
        asked = await self.store.history(interaction.user.id, SHOWN * PAGES_PER_REQUEST)
        taste = await self.store.taste(interaction.user.id, self.service.catalog_tag)
        # Each page turned is a history row (its songs count as recently shown); a request is listed once.
        newest = {entry.words: entry for entry in reversed(asked)}
        latest = sorted(newest.values(), key=lambda entry: entry.at, reverse=True)[:SHOWN]
        lines = [f"<t:{int(entry.at)}:R> “{cards.clip(entry.words, 100)}”" for entry in latest]
        liked = [self.service.song(i) for i in taste.liked[:SHOWN]]
        disliked = [self.service.song(i) for i in sorted(taste.disliked)[:SHOWN]]
        embed = discord.Embed(title="What I remember about you", colour=cards.COLOUR)
        embed.add_field(name="Recent requests", value="\n".join(lines) or "none", inline=False)
        embed.add_field(name="👍", value=_songs(liked), inline=False)
        embed.add_field(name="👎 (never recommended to you again)", value=_songs(disliked), inline=False)
        embed.set_footer(text="/forget-me deletes all of it")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="forget-me", description="Delete everything this bot stores about you")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = await self.store.forget(interaction.user.id)
        await interaction.followup.send(
            f"Done: I deleted {removed} record{'s' if removed != 1 else ''} about you "
            "(requests, ratings and your cards).",
            ephemeral=True,
        )


def _songs(songs: list[Song | None]) -> str:
    names = [cards.clip(song.label, 120) for song in songs if song is not None]
    return "\n".join(f"• {name}" for name in names) or "none"
