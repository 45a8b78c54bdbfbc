"""``/similar song:<title> [count]``: songs that sound like one from the catalog, with autocomplete."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from recommender.lookup import choice_value
from recommender.request import Request

from .. import cards
from ..cardmaker import CardMaker
from ..guild_config import GuildConfigs
from ..limits import DEFAULT_COUNT, MAX_COUNT
from ..notices import tell
from ..service import MusicService

# Discord's limit for an option typed with autocomplete; a choice value (a song id) is far shorter.
SONG_TEXT_LIMIT = 100


class Similar(commands.Cog):
    def __init__(self, maker: CardMaker, service: MusicService, configs: GuildConfigs) -> None:
        self.maker = maker
        self.service = service
        self.configs = configs

    @app_commands.command(description="Songs that sound like one you like")
    @app_commands.describe(
        song="Start typing a title or an artist, then pick the song",
        count=f"How many songs, 1 to {MAX_COUNT} (default {DEFAULT_COUNT}, or this server's choice)",
    )
    async def similar(
        self,
        interaction: discord.Interaction,
        song: app_commands.Range[str, 1, SONG_TEXT_LIMIT],
        count: app_commands.Range[int, 1, MAX_COUNT] | None = None,
    ) -> None:
        # A picked suggestion arrives as the song's row; a typed title as text, resolved as a person means it.
        found = await self.service.resolve_song(song)
        if found.song is None:
            await tell(interaction, cards.not_found(song, found.close))
            return
        k = count or (await self.configs.get(interaction.guild_id)).song_count
        if await self.maker.admit(interaction):
            await self.maker.post("similar", interaction, Request(seed=found.song.id, k=k))

    @similar.autocomplete("song")
    async def song_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        songs = await self.service.find_songs(current, limit=25)
        return [app_commands.Choice(name=cards.song_choice(song), value=choice_value(song)) for song in songs]
