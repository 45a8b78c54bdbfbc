"""What a request asks for, once read: the filters, exclusions, feature wishes and a song to sound like."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

WishKind = Literal["high", "low", "not_high", "not_low", "min", "max", "near"]
# A ranking wish said with a negation: "not sad" (not_low) is not "happy" (high), it only keeps away from sad.
NEGATED: dict[WishKind, WishKind] = {"high": "not_high", "low": "not_low", "not_high": "high", "not_low": "low"}
# Ranking wishes about one feature that cannot both hold ("not too loud" and "not too quiet" can; a night
# drive's middling energy and "hype" cannot).
CONTRADICTING: frozenset[frozenset[WishKind]] = frozenset(
    {
        frozenset({"high", "low"}),
        frozenset({"high", "not_high"}),
        frozenset({"low", "not_low"}),
        frozenset({"near", "high"}),
        frozenset({"near", "low"}),
    }
)
RANKING_KINDS: frozenset[WishKind] = frozenset({"high", "low", "not_high", "not_low", "near"})


@dataclass(frozen=True, slots=True)
class Wish:
    """A wish about one feature: ``high``/``low`` rank by it; ``not_high``/``not_low`` keep away from one end
    of it ("not too loud", "anything but sad") without asking for the other; ``min``/``max`` bound it;
    ``near`` aims at a value. A ``strict`` bound excludes its value: "over 150 bpm" and "slower than X" (not 150
    BPM, not X's own tempo), where "150+ bpm" and "at most 3:30" include it. An ``outright`` wish is a feature
    word said in the request ("acoustic"), not a concept's trait (a morning's lean to acoustic songs).

    ``label`` is what the request said for it ("calm", "study", "under 3:00"): reasons and the card
    repeat it. ``weight`` is how much a ranking wish counts beside the request's others: a concept's traits
    after its defining one count less than a word said outright.
    """

    feature: str
    kind: WishKind
    label: str
    value: float = 0.0
    weight: float = 1.0
    strict: bool = False
    outright: bool = False


def contradicts(first: Wish, second: Wish) -> bool:
    """Whether two wishes about one feature cannot both hold (see ``CONTRADICTING``)."""
    return first.feature == second.feature and frozenset({first.kind, second.kind}) in CONTRADICTING


@dataclass(slots=True)
class Intent:
    """What a request asks for. Empty fields mean "no preference".

    ``genre_keys`` and ``exclude_genre_keys`` are catalog genre label words (whole words);
    ``genre_family_keys`` widen ``genre_keys`` to their families (r&b to R&B and soul), the step a genre
    filter takes before giving way when it leaves too few songs;
    ``like`` is the id of a catalog song the request named as the one to sound like (for "something like
    Bruno Mars", ``like_artist`` names the artist and ``like`` is their best-known song); ``notes`` are
    honest lines about what the catalog cannot do ("No jazz in this catalog; closest in sound:");
    ``exclude_explicit`` rules out every song marked explicit (set by the caller, never read from words);
    ``exclude_songs`` are songs ruled out by title, by id ("The Weeknd but not Starboy"), with their labels.
    """

    text: str
    artists: set[str] = field(default_factory=set)
    exclude_artists: set[str] = field(default_factory=set)
    years: set[int] | None = None
    year_label: str = ""
    exclude_years: set[int] = field(default_factory=set)
    genre_keys: tuple[str, ...] = ()
    genre_label: str = ""
    genre_family_keys: tuple[str, ...] = ()
    exclude_genre_keys: tuple[str, ...] = ()
    exclude_genre_label: str = ""
    exclude_explicit: bool = False
    exclude_songs: dict[int, str] = field(default_factory=dict)
    wishes: list[Wish] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    like: int | None = None
    like_label: str = ""
    like_artist: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.artists or self.years is not None or self.genre_keys or self.bounds)

    @property
    def has_exclusions(self) -> bool:
        return bool(
            self.exclude_artists
            or self.exclude_genre_keys
            or self.exclude_years
            or self.exclude_explicit
            or self.exclude_songs
        )

    @property
    def bounds(self) -> list[Wish]:
        return [w for w in self.wishes if w.kind in ("min", "max")]

    @property
    def understood(self) -> bool:
        """Whether anything in the request was read beyond its bare words."""
        return bool(self.describe())

    def describe(self) -> list[str]:
        """Short phrases for what was understood, e.g. ["artist: Adele", "year 2015", "acoustic"]."""
        parts = [f"like: {self.like_label}"] if self.like_label else []
        if self.like_artist:
            parts = [f"like {self.like_artist}, by other artists"]
        parts += [f"artist: {a}" for a in sorted(self.artists)]
        parts += [f"not {a}" for a in sorted(self.exclude_artists - {self.like_artist})]
        parts += [f"not {label}" for label in self.exclude_songs.values()]
        if self.year_label:
            parts.append(self.year_label)
        if self.exclude_years:
            parts.append("not from " + " or ".join(str(y) for y in sorted(self.exclude_years)))
        if self.genre_label:
            parts.append(f"genre: {self.genre_label}")
        if self.exclude_genre_label:
            parts.append(f"not {self.exclude_genre_label}")
        parts += list(dict.fromkeys(w.label for w in self.wishes))
        return parts
