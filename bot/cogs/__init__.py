"""The bot's features, one cog each; ``add_cogs`` hands each the shared pieces it uses (no cog holds the bot)."""

from __future__ import annotations

from discord.ext import commands

from ..cardmaker import CardMaker
from ..guild_config import GuildConfigs
from ..service import MusicService
from ..store import Store
from .card_controls import CardControls
from .conversation import Conversation
from .help import Help
from .privacy import Privacy
from .recommend import Recommend
from .server_settings import ServerSettings
from .similar import Similar


async def add_cogs(
    bot: commands.Bot | commands.AutoShardedBot,
    service: MusicService,
    store: Store,
    maker: CardMaker,
    configs: GuildConfigs,
    *,
    retention_days: int,
    reads_messages: bool,
) -> None:
    for cog in (
        Recommend(maker, configs),
        Similar(maker, service, configs),
        CardControls(maker, service, store),
        Conversation(maker, service, store, configs),
        Help(service.examples, maker.source, retention_days=retention_days, repeat_window=maker.repeat_window),
        Privacy(store, service),
        ServerSettings(configs, reads_messages=reads_messages),
    ):
        await bot.add_cog(cog)
