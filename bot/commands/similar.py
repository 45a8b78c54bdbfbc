"""``/similar song:<title> [count]``: songs that sound like one from the catalog, with autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from .. import cards
from ..replies import tell
from ..request import DEFAULT_COUNT, MAX_COUNT, Request

if TYPE_CHECKING:
    from ..client import MusicBot

# Discord's limit for an option typed with autocomplete; a choice value (a song id) is far shorter.
SONG_TEXT_LIMIT = 100
SUGGESTIONS = 5


@app_commands.command(description="Songs that sound like one you like")
@app_commands.describe(
    song="Start typing a title or an artist, then pick the song",
    count=f"How many songs, 1 to {MAX_COUNT} (default {DEFAULT_COUNT})",
)
async def similar(
    interaction: discord.Interaction[MusicBot],
    song: app_commands.Range[str, 1, SONG_TEXT_LIMIT],
    count: app_commands.Range[int, 1, MAX_COUNT] = DEFAULT_COUNT,
) -> None:
    answers = interaction.client.answers
    # A chosen suggestion arrives as the song's id; free typing arrives as text.
    seed = await answers.service.resolve_song(song)
    if seed is None:
        suggestions = await answers.service.find_songs(song, limit=SUGGESTIONS)
        await tell(interaction, cards.not_found(song, suggestions))
        return
    if await answers.admit(interaction):
        await answers.send_card(interaction, Request(seed=seed, count=count))


@similar.autocomplete("song")
async def song_choices(interaction: discord.Interaction[MusicBot], current: str) -> list[app_commands.Choice[str]]:
    songs = await interaction.client.answers.service.find_songs(current, limit=25)
    return [app_commands.Choice(name=cards.song_choice(song), value=str(song.id)) for song in songs]
