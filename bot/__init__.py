"""The Discord bot: turns Discord events into recommender calls and its answers into cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import MusicBot, create_bot

__all__ = ["MusicBot", "create_bot"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `python -m bot --health` runs every 30 s in a container and needs no torch.
    if name in __all__:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
