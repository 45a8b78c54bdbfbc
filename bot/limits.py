"""How much a member may type and ask for, and the check that turns typed text into request words."""

from __future__ import annotations

MAX_TEXT_CHARS = 200
DEFAULT_COUNT = 5
MAX_COUNT = 10


class TextError(ValueError):
    """Text that cannot be a request; the message is written for the member."""


def clean_text(text: str) -> str:
    """``text`` on one line, or a :class:`TextError` saying why it cannot be a request."""
    words = " ".join(text.split())
    if not words:
        raise TextError("Describe a mood, an artist or a kind of song, e.g. *rainy sunday morning*.")
    if len(words) > MAX_TEXT_CHARS:
        raise TextError(f"That request is {len(words):,} characters long; keep it under {MAX_TEXT_CHARS}.")
    return words
