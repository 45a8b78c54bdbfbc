"""The Discord bot: turns Discord events into recommender calls and its answers into cards."""

from .client import MusicBot, create_bot

__all__ = ["MusicBot", "create_bot"]
