"""Bot settings from the environment and a ``.env`` file, each checked with a one-line error.

Every value is bounded before it is used: an id is a Discord snowflake of ASCII digits, a shard range
is checked against the shard count before it is expanded, and an error quotes at most the start of
what was given, so a pasted 5,000-digit value still makes one short line.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from dotenv import find_dotenv, load_dotenv

ENV_HINT = "in the environment or a .env file (see .env.example)"
# Discord snowflakes are 64-bit; every id issued since 2015 has 17 to 20 digits.
SNOWFLAKE_DIGITS = (17, 20)
MAX_SNOWFLAKE = 2**64 - 1
# Far above the largest bots' shard counts; it bounds what SHARD_IDS can ever expand to.
MAX_SHARDS = 100_000
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650
# A bot token is three base64url parts joined by dots (user id, timestamp, signature).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
TOKEN_HELP = "(Discord Developer Portal > your application > Bot > Reset Token)"
QUOTE_CHARS = 40


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says what to set."""


@dataclass(frozen=True, slots=True)
class Settings:
    # repr=False keeps the token out of any log line or traceback that prints the settings.
    token: str = field(default="", repr=False)
    catalog: Path | None = None
    cache_dir: Path | None = None
    data_dir: Path | None = None
    recommend_channel_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Set by `python -m bot --sync`: register slash commands even when the tree looks unchanged.
    force_sync: bool = False
    # Each member's no-repeats window (bot/cardmaker.py) and every server's defaults (bot/guild_config.py).
    repeat_hours: int = 24
    song_count: int = 5
    replies_refine: bool = True
    allow_explicit: bool = True

    @classmethod
    def load(cls) -> Settings:
        """Settings from the environment, after filling gaps from ``.env`` in the working directory."""
        load_dotenv(find_dotenv(usecwd=True), override=False)
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str:
            return environ.get(name, "").strip()

        shard_count = _whole_number("SHARD_COUNT", get("SHARD_COUNT"), 1, MAX_SHARDS)
        retention = _whole_number("HISTORY_RETENTION_DAYS", get("HISTORY_RETENTION_DAYS"), 1, MAX_RETENTION_DAYS)
        return cls(
            token=_token(get("DISCORD_TOKEN")),
            catalog=_path(get("MUSICREC_CATALOG")),
            cache_dir=_path(get("MUSICREC_CACHE_DIR")),
            data_dir=_path(get("MUSICREC_DATA_DIR")),
            recommend_channel_ids=frozenset(_id_list("RECOMMEND_CHANNEL_IDS", get("RECOMMEND_CHANNEL_IDS"))),
            dev_guild_id=_snowflake("DEV_GUILD_ID", get("DEV_GUILD_ID")) if get("DEV_GUILD_ID") else None,
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            shard_count=shard_count,
            shard_ids=_shard_ids(get("SHARD_IDS"), shard_count),
            retention_days=DEFAULT_RETENTION_DAYS if retention is None else retention,
            repeat_hours=_whole_number("REPEAT_HOURS", get("REPEAT_HOURS"), 1, 24 * 365) or 24,
            song_count=_song_count(get("SONG_COUNT")),
            replies_refine=_switch(get("REPLIES_REFINE")),
            allow_explicit=_switch(get("ALLOW_EXPLICIT")),
        )

    def require_token(self) -> str:
        if not self.token:
            raise SettingsError(f"DISCORD_TOKEN is not set: put your bot token {ENV_HINT} {TOKEN_HELP}")
        if not TOKEN_SHAPE.fullmatch(self.token):
            # The value itself is never quoted: a token is a secret even when it is malformed.
            raise SettingsError(
                f"DISCORD_TOKEN does not look like a bot token (three parts joined by dots): "
                f"copy it again {ENV_HINT} {TOKEN_HELP}"
            )
        return self.token

    def check_catalog(self) -> None:
        """Fail early, naming the setting, when ``MUSICREC_CATALOG`` points nowhere or cannot be read."""
        if self.catalog is None:
            return
        if not self.catalog.is_file():
            raise SettingsError(
                f"MUSICREC_CATALOG names {self.catalog}, which is not a file: point it at a catalog CSV {ENV_HINT}"
            )
        try:
            with self.catalog.open("rb") as handle:
                handle.read(1)
        except OSError as error:
            raise SettingsError(
                f"MUSICREC_CATALOG names {self.catalog}, which cannot be read ({error.strerror or error}): "
                f"fix its permissions or point MUSICREC_CATALOG elsewhere {ENV_HINT}"
            ) from None

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or Path(platformdirs.user_cache_dir("musicrec"))

    @property
    def resolved_data_dir(self) -> Path:
        """Where the bot keeps its state (database, heartbeat): ``MUSICREC_DATA_DIR`` or the user data folder."""
        return self.data_dir or Path(platformdirs.user_data_dir("musicrec"))

    def check_dirs(self) -> None:
        """Both folders exist (created if needed) and are writable, or one line names the setting."""
        check_writable("MUSICREC_CACHE_DIR", self.resolved_cache_dir)
        check_writable("MUSICREC_DATA_DIR", self.resolved_data_dir)

    @property
    def syncs_commands(self) -> bool:
        """Only the process running shard 0 registers slash commands, so a cluster syncs once."""
        return self.shard_ids is None or 0 in self.shard_ids


def check_writable(name: str, folder: Path) -> None:
    """Create ``folder`` if needed and write a scratch file in it: a file in the way, a read-only
    mount or a full disk is found here, before any model or index work starts."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"musicrec")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SettingsError(
            f"{name}: cannot write to {folder} ({reason}): point {name} at a writable folder {ENV_HINT}"
        ) from None


def quote(raw: str) -> str:
    """``raw`` for an error message, cut short: the message stays one readable line whatever was pasted."""
    shown = raw if len(raw) <= QUOTE_CHARS else raw[:QUOTE_CHARS] + "…"
    return repr(shown)


def _path(raw: str) -> Path | None:
    return Path(raw).expanduser() if raw else None


def _token(raw: str) -> str:
    if any(char.isspace() or not char.isprintable() for char in raw):
        # A header cannot carry a newline, and a pasted "Bot " prefix or a second line is a copy mistake.
        raise SettingsError(
            "DISCORD_TOKEN contains spaces, line breaks or control characters: set only the token itself "
            f"(no 'Bot ' prefix, one line) {ENV_HINT} {TOKEN_HELP}"
        )
    return raw


def _is_digits(raw: str) -> bool:
    # str.isdigit() accepts '²' and '①', which int() then refuses.
    return raw.isascii() and raw.isdigit()


def _snowflake(name: str, raw: str) -> int:
    low, high = SNOWFLAKE_DIGITS
    if not _is_digits(raw) or not low <= len(raw) <= high or int(raw) > MAX_SNOWFLAKE:
        raise SettingsError(
            f"{name} must be a Discord id ({low} to {high} digits, e.g. 123456789012345678), not {quote(raw)}: "
            f"fix it {ENV_HINT}"
        )
    return int(raw)


def _id_list(name: str, raw: str) -> list[int]:
    return [_snowflake(name, part.strip()) for part in raw.replace(" ", ",").split(",") if part.strip()]


def _whole_number(name: str, raw: str, low: int, high: int) -> int | None:
    if not raw:
        return None
    # The digit count is checked before int(): a huge string must not become a huge number first.
    if not _is_digits(raw) or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {quote(raw)}: fix it {ENV_HINT}")
    return int(raw)


def _shard_ids(raw: str, shard_count: int | None) -> tuple[int, ...] | None:
    """``SHARD_IDS`` as ``0,1,2`` or ranges like ``0-3,8``; each process of a cluster runs its own slice.

    Every bound is checked against ``SHARD_COUNT`` before a range is expanded, and so is the total
    length of all ranges, so nothing larger than the shard count is ever allocated.
    """
    if not raw:
        return None
    if shard_count is None:
        raise SettingsError(f"SHARD_IDS needs SHARD_COUNT (the cluster's total number of shards): set both {ENV_HINT}")
    wrong = SettingsError(
        f"SHARD_IDS must name distinct shards between 0 and {shard_count - 1} (SHARD_COUNT={shard_count}) "
        f"like 0,1,2 or 0-3, not {quote(raw)}: fix it {ENV_HINT}"
    )
    ranges: list[tuple[int, int]] = []
    total = 0
    for part in (p.strip() for p in raw.split(",")):
        first, dash, last = (side.strip() for side in part.partition("-"))
        if not dash:
            last = first
        if not (_is_digits(first) and _is_digits(last)) or max(len(first), len(last)) > len(str(MAX_SHARDS)):
            raise wrong
        low, high = int(first), int(last)
        total += high - low + 1
        if low > high or high >= shard_count or total > shard_count:
            raise wrong
        ranges.append((low, high))
    ids = [shard for low, high in ranges for shard in range(low, high + 1)]
    if len(set(ids)) != len(ids):
        raise wrong
    return tuple(sorted(ids))


def _switch(raw: str) -> bool:
    """An on/off setting that is on unless turned off."""
    return raw.lower() not in ("0", "false", "no", "off")


def _song_count(raw: str) -> int:
    """Songs on a card by default: one embed holds at most 10 song fields."""
    return _whole_number("SONG_COUNT", raw, 1, 10) or 5


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in logging.getLevelNamesMapping():
        raise SettingsError(
            f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not {quote(raw)}: fix it {ENV_HINT}"
        )
    return level
