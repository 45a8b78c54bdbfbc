"""``/recommend mood:<text> [count]``: songs for a mood or a description."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ..replies import tell
from ..request import DEFAULT_COUNT, MAX_COUNT, MAX_MOOD_CHARS, MoodError, Request, clean_mood

if TYPE_CHECKING:
    from ..client import MusicBot


@app_commands.command(description="Songs for a mood, a scene or a kind of song")
@app_commands.describe(
    mood="A mood, scene or kind of song, e.g. rainy sunday morning with coffee",
    count=f"How many songs, 1 to {MAX_COUNT} (default {DEFAULT_COUNT})",
)
async def recommend(
    interaction: discord.Interaction[MusicBot],
    mood: app_commands.Range[str, 1, MAX_MOOD_CHARS],
    count: app_commands.Range[int, 1, MAX_COUNT] = DEFAULT_COUNT,
) -> None:
    try:
        text = clean_mood(mood)
    except MoodError as error:
        await tell(interaction, str(error))
        return
    answers = interaction.client.answers
    if await answers.admit(interaction):
        await answers.send_card(interaction, Request(moods=(text,), count=count))
