"""What a card answers: a mood (with any refinements replied to it) or a seed song, and which page."""

from __future__ import annotations

from dataclasses import dataclass, replace

from recommender.engine import MAX_QUERY_CHARS
from recommender.songs import Song

MAX_MOOD_CHARS = 200
DEFAULT_COUNT = 5
MAX_COUNT = 10
# Separates the original request from its refinements in the text the model reads.
JOINER = ". "


class MoodError(ValueError):
    """Text that cannot be a request; the message is written for the user."""


def clean_mood(text: str) -> str:
    """``text`` on one line, or a :class:`MoodError` saying why it cannot be a request."""
    mood = " ".join(text.split())
    if not mood:
        raise MoodError("Describe a mood, an artist or a kind of song, e.g. *rainy sunday morning*.")
    if len(mood) > MAX_MOOD_CHARS:
        raise MoodError(f"That request is {len(mood):,} characters long; keep it under {MAX_MOOD_CHARS}.")
    return mood


@dataclass(frozen=True, slots=True)
class Request:
    moods: tuple[str, ...] = ()
    seed: Song | None = None
    count: int = DEFAULT_COUNT
    offset: int = 0

    @property
    def refinements(self) -> tuple[str, ...]:
        """Moods replied to the card after the one that started it (all of them for a seed song)."""
        return self.moods if self.seed else self.moods[1:]

    @property
    def query(self) -> str:
        """The text the model reads: the whole chain, since a refinement alone has lost its context."""
        start = (f"songs like {self.seed.title} by {self.seed.artist}",) if self.seed else ()
        return JOINER.join(start + self.moods)

    def next_page(self) -> Request:
        return replace(self, offset=self.offset + self.count)

    def refined(self, mood: str) -> Request:
        """This request narrowed by ``mood``, from its first page.

        The oldest refinements give way when the chain outgrows what the model accepts: the
        original request and the newest words matter most.
        """
        keep = 1 if self.seed is None else 0
        head, tail = self.moods[:keep], [*self.moods[keep:], mood]
        request = replace(self, moods=(*head, *tail), offset=0)
        while len(request.query) > MAX_QUERY_CHARS and len(tail) > 1:
            tail.pop(0)
            request = replace(self, moods=(*head, *tail), offset=0)
        return request
