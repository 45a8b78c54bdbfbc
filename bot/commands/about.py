"""``/about``: what the bot is, what it knows and how to use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from .. import cards

if TYPE_CHECKING:
    from ..client import MusicBot


@app_commands.command(description="What this bot is, how it picks songs and how to use it")
async def about(interaction: discord.Interaction[MusicBot]) -> None:
    await interaction.response.send_message(embed=cards.about(interaction.client.answers.source), ephemeral=True)
