"""Finding the song someone means from what they typed: autocomplete, and titles typed by hand.

People type titles loosely: "love the way u lie", "7 years" or "seven years", "suit and tie",
"et" for "E.T.". Both sides are reduced to the same plain form (lowercase words, "u" read as
"you", "&" as "and", number words as digits, punctuation gone) before comparing. A title made of
digits ("3", "22") is a title: the row number of an autocomplete pick travels with its own prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .songs import FEATURE_FIELDS, Song, as_table

# An autocomplete pick carries the song's row; the prefix keeps "3" (a Britney Spears title) a title.
CHOICE_PREFIX = "song:"
# A typed title resolves on its own only this close to one song and clearly closer than the next title.
SURE_SCORE = 90.0
SURE_MARGIN = 4.0
FUZZY_CUTOFF = 60.0
# Autocomplete fills its list with loose matches only this good, so "love the wa" is not padded with noise.
SUGGEST_CUTOFF = 75.0
SHORTHAND = {"u": "you", "ur": "your", "r": "are", "n": "and", "&": "and", "feat": "", "ft": "", "featuring": ""}
NUMBER_WORDS = {
    word: str(n)
    for n, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


def plain(text: str) -> str:
    """``text`` as comparable words: no accents, case, punctuation, shorthand or spelled-out numbers."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub(r"(?<=\w)\.(?=\w)", "", bare).replace("&", " and ")  # "e.t." -> "et"
    words = re.findall(r"\w+", bare)
    return " ".join(w for w in (NUMBER_WORDS.get(SHORTHAND.get(w, w), SHORTHAND.get(w, w)) for w in words) if w)


def choice_value(song: Song) -> str:
    """The value an autocomplete choice sends back for ``song``."""
    return f"{CHOICE_PREFIX}{song.id}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The song ``text`` names, or None with the closest titles to offer instead."""

    song: Song | None
    close: tuple[Song, ...] = ()


class SongLookup:
    """Title and artist matching over one catalog, its plain forms computed once."""

    def __init__(self, songs: Sequence[Song]) -> None:
        # Read column by column: a large catalog's songs are never made here, and its titles' plain
        # forms come from its cache (SongTable.derived); artists are made plain once per distinct name.
        table = as_table(songs)
        self.songs = songs
        self._titles = table.derived(_plain_title)
        self._full_titles = table.derived(plain)
        artists = [plain(name) for name in table.artist_names()]
        self._artists = [artists[code] for code in table.artist_codes.tolist()]
        self._labels = [f"{title} {artist}" for title, artist in zip(self._full_titles, self._artists, strict=True)]
        # Most popular first: the tie-break between equally good matches, and the list for empty input.
        popularity = np.nan_to_num(table.features[:, FEATURE_FIELDS.index("popularity")], nan=0.0)
        self._by_popularity = np.argsort(-popularity, kind="stable").tolist()

    def find(self, text: str, limit: int = 25) -> list[Song]:
        """Songs for an autocomplete list: title and artist prefix or word matches first, then fuzzy ones."""
        query = plain(text)
        if not query:
            return self._distinct(self._by_popularity, limit)
        words = query.split()
        tiers: list[list[int]] = [[], [], [], []]
        for i in self._by_popularity:
            title, label = self._full_titles[i], self._labels[i]
            if title == query or self._titles[i] == query:
                tiers[0].append(i)
            elif title.startswith(query) or self._artists[i].startswith(query):
                tiers[1].append(i)
            elif all(any(w.startswith(q) for w in label.split()) for q in words):
                tiers[2].append(i)
        ranked = [i for tier in tiers for i in tier]
        if len(ranked) < limit:
            seen = set(ranked)
            ranked += [i for i in self._fuzzy(query, limit * 2, SUGGEST_CUTOFF) if i not in seen]
        return self._distinct(ranked, limit)

    def resolve(self, text: str) -> Resolution:
        """The one song ``text`` names: an autocomplete pick, a title (with or without its artist), or a near-certain
        match; otherwise None with the closest titles."""
        raw = text.strip()
        if raw.startswith(CHOICE_PREFIX) and raw[len(CHOICE_PREFIX) :].isdigit():
            row = int(raw[len(CHOICE_PREFIX) :])
            if row < len(self.songs):
                return Resolution(self.songs[row])
        query = plain(raw)
        if not query:
            return Resolution(None)
        for i in self._by_popularity:
            if query in (
                self._full_titles[i],
                self._titles[i],
                self._labels[i],
                f"{self._titles[i]} {self._artists[i]}",
            ):
                return Resolution(self.songs[i])
        best = self._scores(query, 8, FUZZY_CUTOFF)
        ranked = sorted(best, key=lambda i: (-best[i], -_popularity(self.songs[i])))
        close = tuple(self._distinct(ranked, 5))
        if ranked and best[ranked[0]] >= SURE_SCORE:
            runner_up = next((best[i] for i in ranked[1:] if self._titles[i] != self._titles[ranked[0]]), 0.0)
            if best[ranked[0]] - runner_up >= SURE_MARGIN:
                return Resolution(self.songs[ranked[0]], close)
        return Resolution(None, close)

    def _scores(self, query: str, limit: int, cutoff: float) -> dict[int, float]:
        """Row -> how well ``query`` matches it: a misspelt title or artist, or title and artist words in any order."""
        matches = [
            process.extract(query, choices, scorer=scorer, limit=limit, score_cutoff=cutoff)
            for choices, scorer in (
                (self._titles, fuzz.ratio),
                (self._artists, fuzz.ratio),
                (self._labels, fuzz.token_sort_ratio),
            )
        ]
        best: dict[int, float] = {}
        for _, score, i in (hit for hits in matches for hit in hits):
            best[i] = max(best.get(i, 0.0), float(score))
        return best

    def _fuzzy(self, query: str, limit: int, cutoff: float) -> list[int]:
        best = self._scores(query, limit, cutoff)
        return sorted(best, key=lambda i: (-best[i], -_popularity(self.songs[i])))

    def _distinct(self, rows: Sequence[int], limit: int) -> list[Song]:
        """The songs of ``rows`` in order, one per title and artist (a song charted in two years is listed once)."""
        found: list[Song] = []
        keys: set[tuple[str, str]] = set()
        for i in rows:
            song = self.songs[i]
            key = (song.title.casefold(), song.artist.casefold())
            if key not in keys:
                keys.add(key)
                found.append(song)
                if len(found) == limit:
                    break
        return found


def _plain_title(title: str) -> str:
    return plain(_without_extras(title))


def _without_extras(title: str) -> str:
    """The title people say: without "(feat. …)", "- Remastered" or "[… Song]" tails."""
    return re.split(r"\s[(\[]|\s-\s", title, maxsplit=1)[0] or title


def _popularity(song: Song) -> float:
    popularity = song.features.popularity if song.features else None
    return 0.0 if popularity is None else popularity
