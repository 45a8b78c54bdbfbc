"""``python -m bot`` and ``musicrec-bot``: check the settings, load the index, connect, stop cleanly.

This is the process's one error boundary. Every expected failure ends with one line on stderr saying
what to set and where: exit status 2 for bad input or configuration (a setting, the token, the
intents, the catalog, the model, a folder), 1 when Discord or the network fails. A clean stop on
SIGTERM or SIGINT exits 0. Only bugs print a traceback, and never the token (see ``logs``).

``--check`` validates everything without connecting, ``--health`` reads the heartbeat for a
container's health check, ``--sync`` registers the slash commands even if they look unchanged, and
``--bench`` measures what the database's writes add to a request (see ``bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn

from .health import Heartbeat, check_health
from .logs import Redactor, install_redaction, setup_logging
from .settings import ENV_HINT, Settings, SettingsError

OK, FAILED, BAD_CONFIG = 0, 1, 2
REJECTED_TOKEN = (
    f"Discord rejected DISCORD_TOKEN: put a current bot token {ENV_HINT} "
    "(Discord Developer Portal > your application > Bot > Reset Token)"
)
MISSING_INTENT = (
    "Discord refused the Message Content intent: enable it in the Discord Developer Portal "
    "(your application > Bot > Privileged Gateway Intents > Message Content Intent)"
)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the usage and exit itself; the boundary wants one line and status 2.
        raise UsageError(f"{' '.join(message.split())} (see python -m bot --help)")


def _parser() -> _Parser:
    parser = _Parser(
        prog="python -m bot",
        description="Run the musicrec Discord bot (settings: see .env.example).",
        allow_abbrev=False,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate settings, token, catalog, model and folders")
    mode.add_argument("--health", action="store_true", help="exit 1 unless the gateway was connected recently")
    mode.add_argument("--sync", action="store_true", help="register the slash commands even if they look unchanged")
    mode.add_argument("--bench", action="store_true", help="measure what the database writes add to a request")
    return parser


def main(argv: Sequence[str] = ()) -> int:
    """Run the bot (or one of its checks) until it is stopped; the exit status for the shell."""
    redact = Redactor(())
    try:
        options = _parser().parse_args(list(argv))
        settings = Settings.load()
    except (UsageError, SettingsError) as error:
        return fail(str(error), BAD_CONFIG, redact)
    if options.health:
        healthy, why = check_health(settings.resolved_data_dir)
        print(f"musicrec bot: {why}", file=sys.stdout if healthy else sys.stderr)
        return OK if healthy else FAILED
    redact = install_redaction([settings.token])
    if options.check:
        return _check(settings)
    if options.bench:
        return _bench(settings, redact)
    # SIGTERM while the model loads (before the event loop handles signals) is a stop, not a crash.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return _run(replace(settings, force_sync=options.sync), redact)
    except KeyboardInterrupt:
        print("musicrec bot: stopped before connecting", file=sys.stderr)
        return OK
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check(settings: Settings) -> int:
    from .check import run_checks

    outcomes = run_checks(settings)
    for outcome in outcomes:
        print(outcome.line())
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed:
        print(f"musicrec bot: check failed: {', '.join(failed)}", file=sys.stderr)
        return BAD_CONFIG
    print("all checks passed (Discord was not contacted)")
    return OK


def _bench(settings: Settings, redact: Redactor) -> int:
    from recommender.catalog import CatalogError
    from recommender.model import ModelError
    from recommender.paths import NoCatalogError

    from .bench import run_bench
    from .service import load_recommender

    try:
        settings.check_catalog()
        settings.check_dirs()
        recommender = load_recommender(settings.catalog, settings.cache_dir)
    except (SettingsError, NoCatalogError, ModelError, CatalogError) as error:
        return fail(str(error), BAD_CONFIG, redact)
    for line in run_bench(recommender, settings.resolved_data_dir):
        print(line)
    return OK


def _run(settings: Settings, redact: Redactor) -> int:
    # Imported here: --health runs every 30 s in a container and must not pay for torch.
    import aiohttp
    import discord

    from recommender.catalog import CatalogError
    from recommender.model import ModelError
    from recommender.paths import NoCatalogError

    from .client import create_bot
    from .lifecycle import RequestGate, serve
    from .service import load_recommender
    from .store import StoreError

    try:
        token = settings.require_token()
        settings.check_catalog()
        settings.check_dirs()
    except SettingsError as error:
        return fail(str(error), BAD_CONFIG, redact)
    setup_logging(settings.log_level, secrets=[token])
    try:
        # Loaded before connecting: a gateway session must not sit idle through a model load.
        recommender = load_recommender(settings.catalog, settings.cache_dir)
    except (NoCatalogError, ModelError, CatalogError) as error:
        return fail(str(error), BAD_CONFIG, redact)
    except OSError as error:
        return fail(
            f"cannot load the catalog's index ({error}): check the disk and the folders' permissions", FAILED, redact
        )
    gate, heartbeat = RequestGate(), Heartbeat(settings.resolved_data_dir)
    try:
        # Every answer, from the library's call to the card sent, runs inside the gate: a stop waits for them.
        bot = create_bot(settings, recommender=recommender, in_flight=gate.request)
    except StoreError as error:
        return fail(str(error), BAD_CONFIG, redact)
    try:
        asyncio.run(serve(bot, token, gate=gate, heartbeat=heartbeat, redact=redact))
    except discord.LoginFailure:
        return fail(REJECTED_TOKEN, BAD_CONFIG, redact)
    except discord.PrivilegedIntentsRequired:
        return fail(MISSING_INTENT, BAD_CONFIG, redact)
    except discord.DiscordServerError as error:
        return fail(
            f"Discord answered HTTP {error.status} and kept failing after retries: try again later "
            "(https://discordstatus.com)",
            FAILED,
            redact,
        )
    except discord.HTTPException as error:
        return fail(
            f"Discord refused the connection (HTTP {error.status}): {error.text or 'no details'}", FAILED, redact
        )
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound, discord.ConnectionClosed) as error:
        return fail(f"cannot reach Discord ({error}): check the network connection and try again", FAILED, redact)
    return OK


def fail(message: str, status: int, redact: Redactor) -> int:
    print(redact(f"musicrec bot: {' '.join(message.split())}"), file=sys.stderr)
    return status
