"""The Discord bot: turns Discord events into recommender requests and its answers into cards."""

from .client import MusicBot, create_bot

__all__ = ["MusicBot", "create_bot"]
