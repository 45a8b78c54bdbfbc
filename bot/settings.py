"""Bot settings from the environment and a ``.env`` file, each checked with a one-line error."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from dotenv import find_dotenv, load_dotenv

ENV_HINT = "in the environment or a .env file (see .env.example)"


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
    retention_days: int = 90
    # --- each member's no-repeats window (bot/cardmaker.py) and every server's defaults (bot/guild_config.py) ---
    repeat_hours: int = 24
    song_count: int = 5
    replies_refine: bool = True

    @classmethod
    def load(cls) -> Settings:
        """Settings from the environment, after filling gaps from ``.env`` in the working directory."""
        load_dotenv(find_dotenv(usecwd=True), override=False)
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str:
            return environ.get(name, "").strip()

        shard_count = _positive_int("SHARD_COUNT", get("SHARD_COUNT"))
        shard_ids = _shard_ids(get("SHARD_IDS"), shard_count)
        return cls(
            token=get("DISCORD_TOKEN"),
            catalog=Path(get("MUSICREC_CATALOG")).expanduser() if get("MUSICREC_CATALOG") else None,
            cache_dir=Path(get("MUSICREC_CACHE_DIR")).expanduser() if get("MUSICREC_CACHE_DIR") else None,
            recommend_channel_ids=frozenset(_id_list("RECOMMEND_CHANNEL_IDS", get("RECOMMEND_CHANNEL_IDS"))),
            dev_guild_id=_snowflake("DEV_GUILD_ID", get("DEV_GUILD_ID")) if get("DEV_GUILD_ID") else None,
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            shard_count=shard_count,
            shard_ids=shard_ids,
            data_dir=Path(get("MUSICREC_DATA_DIR")).expanduser() if get("MUSICREC_DATA_DIR") else None,
            retention_days=_positive_int("HISTORY_RETENTION_DAYS", get("HISTORY_RETENTION_DAYS")) or 90,
            repeat_hours=_positive_int("REPEAT_HOURS", get("REPEAT_HOURS")) or 24,
            song_count=_song_count(get("SONG_COUNT")),
            replies_refine=get("REPLIES_REFINE").lower() not in ("0", "false", "no", "off"),
        )

    def require_token(self) -> str:
        if not self.token:
            raise SettingsError(
                f"DISCORD_TOKEN is not set: put your bot token {ENV_HINT} "
                "(Discord Developer Portal > your application > Bot > Reset Token)"
            )
        return self.token

    def check_catalog(self) -> None:
        """Fail early, naming the setting, when ``MUSICREC_CATALOG`` points nowhere."""
        if self.catalog is not None and not self.catalog.is_file():
            raise SettingsError(
                f"MUSICREC_CATALOG names {self.catalog}, which is not a file: point it at a catalog CSV {ENV_HINT}"
            )

    @property
    def resolved_data_dir(self) -> Path:
        """Where the bot keeps its state (database, heartbeat): ``MUSICREC_DATA_DIR`` or the user data folder."""
        return self.data_dir or Path(platformdirs.user_data_dir("musicrec"))

    @property
    def syncs_commands(self) -> bool:
        """Only the process running shard 0 registers slash commands, so a cluster syncs once."""
        return self.shard_ids is None or 0 in self.shard_ids


def _snowflake(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise SettingsError(
            f"{name} must be a Discord id (a number, e.g. 123456789012345678), not {raw!r}: fix it {ENV_HINT}"
        )
    return int(raw)


def _id_list(name: str, raw: str) -> list[int]:
    return [_snowflake(name, part.strip()) for part in raw.replace(" ", ",").split(",") if part.strip()]


def _positive_int(name: str, raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {raw!r}: fix it {ENV_HINT}")
    return int(raw)


def _shard_ids(raw: str, shard_count: int | None) -> tuple[int, ...] | None:
    """``SHARD_IDS`` as ``0,1,2`` or ranges like ``0-3,8``; each process of a cluster runs its own slice."""
    if not raw:
        return None
    if shard_count is None:
        raise SettingsError(f"SHARD_IDS needs SHARD_COUNT (the cluster's total number of shards): set both {ENV_HINT}")
    ids: list[int] = []
    for part in (p.strip() for p in raw.split(",")):
        low, _, high = part.partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            raise SettingsError(f"SHARD_IDS must list shard numbers like 0,1,2 or 0-3, not {raw!r}: fix it {ENV_HINT}")
        ids.extend(range(int(low), int(high or low) + 1))
    bad = [i for i in ids if i >= shard_count]
    if bad or len(set(ids)) != len(ids) or not ids:
        raise SettingsError(
            f"SHARD_IDS must name distinct shards between 0 and {shard_count - 1} (SHARD_COUNT={shard_count}), "
            f"not {raw!r}: fix it {ENV_HINT}"
        )
    return tuple(sorted(ids))


def _song_count(raw: str) -> int:
    count = _positive_int("SONG_COUNT", raw) or 5
    if count > 10:
        raise SettingsError(f"SONG_COUNT must be between 1 and 10 (songs on a card), not {raw!r}: fix it {ENV_HINT}")
    return count


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in logging.getLevelNamesMapping():
        raise SettingsError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not {raw!r}: fix it {ENV_HINT}")
    return level
