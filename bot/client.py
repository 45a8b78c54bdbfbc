"""The bot itself: a sharded ``commands.Bot`` wired to the recommender, built without connecting."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from recommender.engine import Recommender

from .answers import Answers
from .commands import register
from .cooldown import Cooldown
from .memory import CardMemory
from .messages import FreeText
from .replies import report_failure
from .service import MusicService, load_recommender
from .settings import Settings
from .views import MoreButton, MoreLikeSelect

log = logging.getLogger(__name__)

# What the bot does in a channel: answer in it (also in threads), show embeds, reply to messages.
PERMISSIONS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")


class MusicTree(app_commands.CommandTree["MusicBot"]):
    async def on_error(self, interaction: discord.Interaction[MusicBot], error: app_commands.AppCommandError) -> None:
        await report_failure(interaction, getattr(error, "original", error))


class MusicBot(commands.AutoShardedBot):
    def __init__(self, settings: Settings, service: MusicService) -> None:
        # The bot never joins voice, so discord.py's warnings about missing voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        # Free-text requests in listed channels and replies to cards need the text of messages
        # that do not mention the bot; mentions and DMs would arrive without it.
        intents.message_content = True
        super().__init__(
            # Required by commands.Bot; prefix commands are never processed (see on_message).
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=MusicTree,
            shard_count=settings.shard_count,
            # None (every shard) is discord.py's own default, though its option types omit it.
            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,  # type: ignore[arg-type]
            activity=discord.Activity(type=discord.ActivityType.listening, name="/recommend"),
        )
        self.settings = settings
        self.answers = Answers(service, Cooldown(), CardMemory())
        self.free_text = FreeText(self)
        self._announced = False

    async def setup_hook(self) -> None:
        register(self.tree)
        self.add_dynamic_items(MoreLikeSelect, MoreButton)
        if self.settings.syncs_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        guild_id = self.settings.dev_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally", len(synced))
            return
        # Guild commands update at once, global ones can take a while to reach every client.
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d slash commands to the development server %d", len(synced), guild_id)

    async def on_ready(self) -> None:
        shards = self.shard_ids if self.shard_ids is not None else list(range(self.shard_count or 1))
        log.info(
            "connected as %s to %d servers on shards %s of %s", self.user, len(self.guilds), shards, self.shard_count
        )
        if not self._announced and self.user is not None:
            self._announced = True
            log.info("invite link: %s", discord.utils.oauth_url(self.user.id, permissions=PERMISSIONS, scopes=SCOPES))

    async def on_message(self, message: discord.Message) -> None:
        await self.free_text.handle(message)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)


def create_bot(settings: Settings | None = None, *, recommender: Recommender | None = None) -> MusicBot:
    """The fully wired bot, from the environment (and ``.env``) unless given; it does not connect.

    Without ``recommender`` this loads the catalog's cached index, which takes a few seconds.
    """
    settings = settings or Settings.load()
    if recommender is None:
        recommender = load_recommender(settings.catalog, settings.cache_dir)
    return MusicBot(settings, MusicService(recommender))
