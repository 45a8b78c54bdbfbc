"""What each server chose with ``/settings``, over the host's environment defaults."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .store import GuildSettings, Store


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """The settings in force in one server (or a DM, which has only the defaults)."""

    request_channels: frozenset[int]
    song_count: int
    replies_refine: bool
    allow_explicit: bool


class GuildConfigs:
    """Reads each server's row once and keeps it; ``/settings`` writes through here."""

    def __init__(self, store: Store, defaults: GuildConfig) -> None:
        self.store = store
        self.defaults = defaults
        self._known: dict[int, GuildSettings] = {}

    async def stored(self, guild_id: int) -> GuildSettings:
        if guild_id not in self._known:
            self._known[guild_id] = await self.store.guild_settings(guild_id)
        return self._known[guild_id]

    async def get(self, guild_id: int | None) -> GuildConfig:
        if guild_id is None:
            return self.defaults
        own = await self.stored(guild_id)
        return GuildConfig(
            # Channel ids are unique across Discord, so the host's listed channels apply wherever they are.
            request_channels=self.defaults.request_channels | own.request_channels,
            song_count=own.song_count if own.song_count is not None else self.defaults.song_count,
            replies_refine=own.replies_refine if own.replies_refine is not None else self.defaults.replies_refine,
            allow_explicit=own.allow_explicit if own.allow_explicit is not None else self.defaults.allow_explicit,
        )

    async def change(self, guild_id: int, **changes: object) -> GuildConfig:
        updated = replace(await self.stored(guild_id), **changes)  # type: ignore[arg-type]  # GuildSettings fields by name
        await self.store.save_guild_settings(guild_id, updated)
        self._known[guild_id] = updated
        return await self.get(guild_id)
