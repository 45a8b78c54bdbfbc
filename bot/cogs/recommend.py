"""``/recommend mood:<text> [count]``: songs for a mood or a description."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from recommender.request import Request

from ..cardmaker import CardMaker
from ..guild_config import GuildConfigs
from ..limits import DEFAULT_COUNT, MAX_COUNT, MAX_TEXT_CHARS, TextError, clean_text
from ..notices import tell


class Recommend(commands.Cog):
    def __init__(self, maker: CardMaker, configs: GuildConfigs) -> None:
        self.maker = maker
        self.configs = configs

    @app_commands.command(description="Songs for a mood, a scene or a kind of song")
    @app_commands.describe(
        mood="A mood, scene or kind of song, e.g. rainy sunday morning with coffee",
        count=f"How many songs, 1 to {MAX_COUNT} (default {DEFAULT_COUNT}, or this server's choice)",
    )
    async def recommend(
        self,
        interaction: discord.Interaction,
        mood: app_commands.Range[str, 1, MAX_TEXT_CHARS],
        count: app_commands.Range[int, 1, MAX_COUNT] | None = None,
    ) -> None:
        try:
            text = clean_text(mood)
        except TextError as error:
            await tell(interaction, str(error))
            return
        k = count or (await self.configs.get(interaction.guild_id)).song_count
        if await self.maker.admit(interaction):
            await self.maker.post("recommend", interaction, Request(text=text, k=k))
