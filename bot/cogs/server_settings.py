"""``/settings``: a server's own request channels, song count, reply behaviour and explicit songs (Manage Server only).

The host's environment gives every server its defaults; what an admin sets here is kept in the
database and wins in their server only.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from ..guild_config import GuildConfig, GuildConfigs
from ..limits import MAX_COUNT
from ..notices import tell

NOT_ADMIN = "Only members with the Manage Server permission can change my settings here."


def describe(config: GuildConfig) -> str:
    channels = ", ".join(f"<#{c}>" for c in sorted(config.request_channels)) or "none (mention me or use /recommend)"
    return (
        f"Request channels: {channels}\n"
        f"Songs per card: {config.song_count}\n"
        f"Replies to a card refine it: {'on' if config.replies_refine else 'off'}\n"
        f"Explicit songs: {'allowed' if config.allow_explicit else 'never shown'} (in catalogs that mark them)"
    )


class ServerSettings(commands.Cog):
    settings = app_commands.Group(
        name="settings",
        description="This server's settings for the bot (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, configs: GuildConfigs, *, reads_messages: bool) -> None:
        self.configs = configs
        self.reads_messages = reads_messages

    @staticmethod
    async def refused(interaction: discord.Interaction) -> bool:
        """Whether to refuse: server admins can show the command to anyone, but changes still need Manage Server."""
        if interaction.guild_id is not None and interaction.permissions.manage_guild:
            return False
        await tell(interaction, NOT_ADMIN)
        return True

    @settings.command(name="show", description="The settings in force in this server")
    async def show(self, interaction: discord.Interaction) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        await tell(interaction, describe(await self.configs.get(interaction.guild_id)))

    @settings.command(name="add-channel", description="Answer every request written in this channel")
    async def add_channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        own = await self.configs.stored(interaction.guild_id)
        config = await self.configs.change(interaction.guild_id, request_channels=own.request_channels | {channel.id})
        note = (
            ""
            if self.reads_messages
            else ("\nI read request channels after my next restart (the host must turn on the Message Content intent).")
        )
        await tell(interaction, f"Added {channel.mention}.\n{describe(config)}{note}")

    @settings.command(name="remove-channel", description="Stop answering requests written in this channel")
    async def remove_channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        own = await self.configs.stored(interaction.guild_id)
        config = await self.configs.change(interaction.guild_id, request_channels=own.request_channels - {channel.id})
        await tell(interaction, f"Removed {channel.mention}.\n{describe(config)}")

    @settings.command(name="song-count", description="How many songs a card shows by default")
    async def song_count(self, interaction: discord.Interaction, count: app_commands.Range[int, 1, MAX_COUNT]) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        config = await self.configs.change(interaction.guild_id, song_count=count)
        await tell(interaction, describe(config))

    @settings.command(name="replies-refine", description="Whether a reply to a card refines it")
    async def replies_refine(self, interaction: discord.Interaction, on: bool) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        config = await self.configs.change(interaction.guild_id, replies_refine=on)
        await tell(interaction, describe(config))

    @settings.command(name="explicit", description="Whether songs the catalog marks explicit may be recommended")
    @app_commands.describe(allowed="Off: no card in this server shows a song marked explicit")
    async def explicit(self, interaction: discord.Interaction, allowed: bool) -> None:
        if await self.refused(interaction) or interaction.guild_id is None:
            return
        config = await self.configs.change(interaction.guild_id, allow_explicit=allowed)
        await tell(interaction, describe(config))
