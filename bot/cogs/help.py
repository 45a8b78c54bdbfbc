"""``/help`` (how to ask, with examples from the library's vocabulary) and ``/about`` (what the bot is and stores)."""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from .. import guide
from ..cards import Source

HOUR = 3600.0


class Help(commands.Cog):
    def __init__(
        self, examples: Mapping[str, tuple[str, ...]], source: Source, *, retention_days: int, repeat_window: float
    ) -> None:
        self.examples = examples
        self.source = source
        self.retention_days = retention_days
        self.repeat_hours = round(repeat_window / HOUR)

    @app_commands.command(name="help", description="How to ask for songs, with examples")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = guide.help_embed(self.examples, self.source)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(description="What this bot is, how it picks songs and what it stores")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = guide.about_embed(self.source, retention_days=self.retention_days, repeat_hours=self.repeat_hours)
        await interaction.response.send_message(embed=embed, ephemeral=True)
