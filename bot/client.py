"""The bot itself: a sharded ``commands.Bot`` holding the service and the store, with one cog per feature.

Built without connecting. The database opens here, before the gateway, so a database from a newer
bot (``StoreError``) ends start-up with one line instead of a half-connected bot.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from recommender.engine import Recommender

from .cardmaker import CardMaker, InFlight
from .cogs import add_cogs
from .controls import DYNAMIC_ITEMS
from .cooldown import Cooldown
from .guild_config import GuildConfig, GuildConfigs
from .notices import report_failure
from .service import MusicService, load_recommender
from .settings import Settings
from .store import DATABASE_FILE, Store

log = logging.getLogger(__name__)

# What the bot does in a channel: answer in it (also in threads), show embeds, reply to messages.
PERMISSIONS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")
HOUR = 3600.0
# The meta key under which the hash of the last synced command tree is kept.
SYNCED_TREE = "synced_command_tree"


class MusicTree(app_commands.CommandTree["MusicBot"]):
    async def on_error(self, interaction: discord.Interaction[MusicBot], error: app_commands.AppCommandError) -> None:
        await report_failure(interaction, getattr(error, "original", error))


class MusicBot(commands.AutoShardedBot):
    def __init__(
        self, settings: Settings, service: MusicService, store: Store, *, in_flight: InFlight = contextlib.nullcontext
    ) -> None:
        # The bot never joins voice, so discord.py's warnings about missing voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        # Only free text in a request channel needs the Message Content intent (a privileged one):
        # mentions, DMs and replies to the bot's own messages arrive with their text without it.
        intents.message_content = bool(settings.recommend_channel_ids) or store.has_request_channels()
        log.info(
            "Message Content intent %s",
            "on: request channels are configured" if intents.message_content else "off: no request channel configured",
        )
        super().__init__(
            # Required by commands.Bot; prefix commands are never processed (on_message is the Conversation cog's).
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
        self.service = service
        self.store = store
        self.in_flight = in_flight
        self._announced = False

    async def setup_hook(self) -> None:
        settings = self.settings
        defaults = GuildConfig(
            settings.recommend_channel_ids, settings.song_count, settings.replies_refine, settings.allow_explicit
        )
        configs = GuildConfigs(self.store, defaults)
        maker = CardMaker(
            self.service,
            self.store,
            Cooldown(),
            configs,
            repeat_window=settings.repeat_hours * HOUR,
            in_flight=self.in_flight,
        )
        await add_cogs(
            self,
            self.service,
            self.store,
            maker,
            configs,
            retention_days=settings.retention_days,
            reads_messages=self.intents.message_content,
        )
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        purged = await self.store.purge(settings.retention_days)
        if purged:
            log.info("deleted %d stored rows older than %d days", purged, settings.retention_days)
        if settings.syncs_commands:
            await self.sync_commands(force=settings.force_sync)

    async def sync_commands(self, *, force: bool = False) -> None:
        """Register the slash commands with Discord when they changed since the last sync (or when forced)."""
        guild_id = self.settings.dev_guild_id
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        if guild is not None:
            # Guild commands update at once, global ones can take a while to reach every client.
            self.tree.copy_global_to(guild=guild)
        tree = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps([guild_id, tree], sort_keys=True).encode()).hexdigest()
        if not force and await self.store.meta(SYNCED_TREE) == digest:
            log.info("slash commands unchanged since the last sync; not syncing (python -m bot --sync forces it)")
            return
        synced = await self.tree.sync(guild=guild)
        await self.store.set_meta(SYNCED_TREE, digest)
        where = f"to the development server {guild_id}" if guild_id is not None else "globally"
        log.info("synced %d slash commands %s", len(synced), where)

    async def on_ready(self) -> None:
        shards = self.shard_ids if self.shard_ids is not None else list(range(self.shard_count or 1))
        log.info(
            "connected as %s to %d servers on shards %s of %s", self.user, len(self.guilds), shards, self.shard_count
        )
        if not self._announced and self.user is not None:
            self._announced = True
            log.info("invite link: %s", discord.utils.oauth_url(self.user.id, permissions=PERMISSIONS, scopes=SCOPES))

    async def close(self) -> None:
        await super().close()
        await self.service.aclose()
        await self.store.close()

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)


def create_bot(
    settings: Settings | None = None,
    *,
    recommender: Recommender | None = None,
    store: Store | None = None,
    in_flight: InFlight = contextlib.nullcontext,
) -> MusicBot:
    """The fully wired bot, from the environment (and ``.env``) unless given; it does not connect.

    Without ``recommender`` this loads the catalog's cached index, which takes a few seconds.
    ``in_flight`` wraps each request from answer to card (pass a shutdown gate's ``request``).
    Raises ``StoreError`` when the database was written by a newer bot.
    """
    settings = settings or Settings.load()
    if recommender is None:
        recommender = load_recommender(settings.catalog, settings.cache_dir)
    store = store or Store.open(settings.resolved_data_dir / DATABASE_FILE)
    return MusicBot(settings, MusicService(recommender), store, in_flight=in_flight)
