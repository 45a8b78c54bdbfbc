"""``python -m bot --check``: everything the bot needs before it connects, checked without connecting.

Each check prints one line saying what it looked at, so a host can run it after editing ``.env`` or
in a deploy script; any failure makes the exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recommender.catalog import CatalogError, load_catalog
from recommender.model import ModelError, resolve_model
from recommender.paths import NoCatalogError, resolve_catalog

from .settings import Settings, SettingsError, check_writable


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def run_checks(settings: Settings) -> list[Outcome]:
    """Settings are already parsed (a parse error never gets here); then token, folders, catalog, model."""
    checks: list[tuple[str, Callable[[Settings], str]]] = [
        ("settings", _settings),
        ("token", _token),
        ("cache directory", lambda s: _folder("MUSICREC_CACHE_DIR", s.resolved_cache_dir)),
        ("data directory", lambda s: _folder("MUSICREC_DATA_DIR", s.resolved_data_dir)),
        ("catalog", _catalog),
        ("model", _model),
    ]
    outcomes = []
    for name, check in checks:
        try:
            outcomes.append(Outcome(name, True, check(settings)))
        except (SettingsError, NoCatalogError, CatalogError, ModelError, OSError) as error:
            outcomes.append(Outcome(name, False, " ".join(str(error).split())))
    return outcomes


def _settings(settings: Settings) -> str:
    channels = len(settings.recommend_channel_ids)
    shards = "all shards" if settings.shard_ids is None else f"shards {list(settings.shard_ids)}"
    if settings.shard_count is not None:
        shards += f" of {settings.shard_count}"
    return (
        f"log level {settings.log_level}, {channels} request channel(s), {shards}, "
        f"history kept {settings.retention_days} days"
    )


def _token(settings: Settings) -> str:
    settings.require_token()
    return "set and shaped like a bot token (not sent to Discord; a revoked token is found only on login)"


def _folder(name: str, folder: Path) -> str:
    check_writable(name, folder)
    return f"{folder} is writable"


def _catalog(settings: Settings) -> str:
    settings.check_catalog()
    path = resolve_catalog(settings.catalog)
    songs = len(load_catalog(path).songs)
    return f"{path} reads as {songs} songs"


def _model(settings: Settings) -> str:
    source, _ = resolve_model(settings.resolved_cache_dir)
    return f"ready at {source}" if Path(source).is_dir() else f"{source} is fetched from the Hugging Face hub on start"
