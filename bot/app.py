"""``python -m bot`` and ``musicrec bot``: check the settings, load the index, then connect.

Every expected failure (no token, a rejected token, no catalog, a missing intent, no network)
ends with one line saying what to set and where, and exit status 1; only bugs print a traceback.
"""

from __future__ import annotations

import sys

import aiohttp
import discord

from recommender.model import ModelError
from recommender.paths import NoCatalogError

from .client import create_bot
from .logs import setup_logging
from .service import load_recommender
from .settings import ENV_HINT, Settings, SettingsError

REJECTED_TOKEN = (
    f"Discord rejected DISCORD_TOKEN: put a current bot token {ENV_HINT} "
    "(Discord Developer Portal > your application > Bot > Reset Token)"
)
MISSING_INTENT = (
    "Discord refused the Message Content intent: enable it in the Discord Developer Portal "
    "(your application > Bot > Privileged Gateway Intents > Message Content Intent)"
)


def main() -> int:
    """Run the bot until it is stopped; the exit status for the shell."""
    try:
        settings = Settings.load()
        token = settings.require_token()
        settings.check_catalog()
    except SettingsError as error:
        return fail(str(error))
    setup_logging(settings.log_level, secrets=[token])
    try:
        # Loaded before connecting: a gateway session must not sit idle through a model load.
        recommender = load_recommender(settings.catalog, settings.cache_dir)
    except (NoCatalogError, ModelError) as error:
        return fail(str(error))
    bot = create_bot(settings, recommender=recommender)
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        return fail(REJECTED_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(MISSING_INTENT)
    except (aiohttp.ClientError, OSError) as error:
        return fail(f"cannot reach Discord ({error}): check the network connection and try again")
    return 0


def fail(message: str) -> int:
    print(f"musicrec bot: {message}", file=sys.stderr)
    return 1
