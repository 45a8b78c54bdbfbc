"""A request as data, and the answer to it.

Callers (the bot, the CLI, the evaluation) describe what someone asked for with these fields rather
than by writing sentences for the parser to read back: a seed song is an id, songs to leave out are
ids, a page is an offset. Only what the person typed travels as text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .songs import Recommendation

DEFAULT_K = 5


@dataclass(frozen=True, slots=True)
class Request:
    """What someone asked for.

    ``text`` is what they typed (may be empty when ``seed`` names a song); ``refinements`` are the
    words replied to the answer afterwards, oldest first: a later wish replaces an earlier one about
    the same thing ("faster" after "slower"). ``exclude`` songs never appear; ``recent`` songs were
    shown to this person lately and come after fresh ones; ``liked`` songs pull the answer toward
    their sound. ``allow_explicit`` False keeps out every song the catalog marks explicit, however few
    remain (a server's setting, not a wish that gives way; a catalog that marks none is unaffected).
    ``k`` songs per page, starting after ``offset``.
    """

    text: str = ""
    seed: int | None = None
    refinements: tuple[str, ...] = ()
    exclude: frozenset[int] = frozenset()
    recent: frozenset[int] = frozenset()
    liked: tuple[int, ...] = ()
    allow_explicit: bool = True
    k: int = DEFAULT_K
    offset: int = 0

    @property
    def words(self) -> str:
        """Everything typed, oldest first: what the model reads and the parser understands."""
        return ". ".join(part for part in (self.text, *self.refinements) if part)

    def page(self, number: int) -> Request:
        """The same request at page ``number`` (0-based)."""
        return replace(self, offset=max(0, number) * self.k)

    @property
    def page_number(self) -> int:
        return self.offset // self.k

    def refined(self, text: str) -> Request:
        """This request narrowed by ``text``, from its first page."""
        return replace(self, refinements=(*self.refinements, text), offset=0)


@dataclass(frozen=True, slots=True)
class Answer:
    """The songs for one page of a request, what was understood and anything the catalog could not do.

    ``understood`` holds short phrases ("artist: Adele", "slow", "not sad"); ``notes`` are honest
    lines for the person ("No jazz in this catalog; closest in mood:"); ``has_more`` says whether a
    next page exists.
    """

    request: Request
    results: tuple[Recommendation, ...]
    understood: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    has_more: bool = False
    seed_label: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.request.words or self.seed_label,
            "seed": self.seed_label or None,
            "understood": list(self.understood),
            "notes": list(self.notes),
            "page": self.request.page_number + 1,
            "has_more": self.has_more,
            "results": [r.as_dict() for r in self.results],
        }
