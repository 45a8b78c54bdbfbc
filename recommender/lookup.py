"""Finding the song someone means from what they typed: autocomplete, and titles typed by hand.

People type titles loosely: "love the way u lie", "7 years" or "seven years", "suit and tie",
"et" for "E.T.". Both sides are reduced to the same plain form (lowercase words, "u" read as
"you", "&" as "and", number words as digits, punctuation gone) before comparing. A title made of
digits ("3", "22") is a title: the row number of an autocomplete pick travels with its own prefix.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .songs import FEATURE_FIELDS, Song, SongTable, as_table

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
    # ASCII (most titles and names) has no accents and casefolds as it lowercases: a million of them are read at
    # once when a large catalog's lookups are first made.
    bare = text.lower() if text.isascii() else unaccented(text)
    bare = re.sub(r"(?<=\w)\.(?=\w)", "", bare).replace("&", " and ")  # "e.t." -> "et"
    words = re.findall(r"\w+", bare)
    return " ".join(w for w in (NUMBER_WORDS.get(SHORTHAND.get(w, w), SHORTHAND.get(w, w)) for w in words) if w)


def unaccented(text: str) -> str:
    """``text`` casefolded, its accents and other combining marks taken off."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def choice_value(song: Song) -> str:
    """The value an autocomplete choice sends back for ``song``."""
    return f"{CHOICE_PREFIX}{song.id}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The song ``text`` names, or None with the closest titles to offer instead."""

    song: Song | None
    close: tuple[Song, ...] = ()


# Up to this many songs the fuzzy match of title and artist words in any order scores every song's label; past
# it, only the labels of songs matching the request's title or artist closely and of the LABEL_CANDIDATES most
# popular songs sharing a word with it.
LABEL_SCAN_LIMIT = 20_000
LABEL_CANDIDATES = 2_000


class SongLookup:
    """Title and artist matching over one catalog, through keys and sorted orders made once.

    Nothing is made until the first lookup (a server answers requests before anyone types a title): then
    each song's plain title and artist, dictionaries from those to songs, the songs sorted by title and by
    artist (a typed prefix is one run of each) and every word's songs. A lookup reads those, never every
    song; fuzzy matches compare the distinct titles and artists in rapidfuzz's C++ loop, not each song.
    """

    def __init__(self, songs: Sequence[Song]) -> None:
        self.songs = songs
        self._table = as_table(songs)
        self._keys: _Keys | None = None
        self._lock = threading.Lock()

    def derive_keys(self) -> None:
        """Make the title keys a lookup uses, so a build saves them in the catalog's cache (SongTable.derived)."""
        self._table.derived(_plain_title)
        self._table.derived(plain)

    @property
    def keys(self) -> _Keys:
        with self._lock:  # the bot looks songs up from worker threads: one of them builds, the others wait
            if self._keys is None:
                self._keys = _Keys(self._table)
            return self._keys

    def find(self, text: str, limit: int = 25) -> list[Song]:
        """Songs for an autocomplete list: title and artist prefix or word matches first, then fuzzy ones."""
        keys = self.keys
        query = plain(text)
        if not query:
            return self._distinct(keys.by_popularity, limit)
        tiers = [
            keys.exact(query),
            np.concatenate([keys.title_prefix(query), keys.artist_prefix(query)]),
            keys.every_word(query.split()),
        ]
        ranked: list[int] = []
        seen: set[int] = set()
        for rows in tiers:
            ordered = keys.popular_first(rows).tolist()
            # A short prefix ("a") matches much of a large catalog: read on only while the list is not full.
            for start in range(0, len(ordered), 4 * limit):
                for i in ordered[start : start + 4 * limit]:
                    if i not in seen:
                        seen.add(i)
                        ranked.append(i)
                if len(ranked) >= limit and len(self._distinct(ranked, limit)) == limit:
                    return self._distinct(ranked, limit)
        if len(ranked) < limit:
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
        keys = self.keys
        named = keys.popular_first(keys.named(query))
        if len(named):
            return Resolution(self.songs[int(named[0])])
        best = self._scores(query, 8, FUZZY_CUTOFF)
        ranked = sorted(best, key=lambda i: (-best[i], keys.rank[i]))
        close = tuple(self._distinct(ranked, 5))
        if ranked and best[ranked[0]] >= SURE_SCORE:
            runner_up = next((best[i] for i in ranked[1:] if keys.titles[i] != keys.titles[ranked[0]]), 0.0)
            if best[ranked[0]] - runner_up >= SURE_MARGIN:
                return Resolution(self.songs[ranked[0]], close)
        return Resolution(None, close)

    def _scores(self, query: str, limit: int, cutoff: float) -> dict[int, float]:
        """Row -> how well ``query`` matches it: a misspelt title or artist, or title and artist words in any order."""
        keys = self.keys
        best: dict[int, float] = {}

        def add(rows: np.ndarray, score: float) -> None:
            for i in rows.tolist():
                best[i] = max(best.get(i, 0.0), score)

        # Each distinct title or artist once; its songs, most popular first, as many as the list may show.
        for choices, songs_of in ((keys.distinct_titles, keys.title_songs), (keys.artist_names, keys.artist_songs)):
            for _, score, position in process.extract(
                query, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff
            ):
                add(keys.popular_first(songs_of(position))[:limit], float(score))
        labeled = keys.label_candidates(query, best)
        hits = process.extract(
            query,
            [keys.label(i) for i in labeled.tolist()],
            scorer=fuzz.token_sort_ratio,
            limit=limit,
            score_cutoff=cutoff,
        )
        for _, score, position in hits:
            add(labeled[position : position + 1], float(score))
        return best

    def _fuzzy(self, query: str, limit: int, cutoff: float) -> list[int]:
        best = self._scores(query, limit, cutoff)
        return sorted(best, key=lambda i: (-best[i], self.keys.rank[i]))

    def _distinct(self, rows: Sequence[int] | np.ndarray, limit: int) -> list[Song]:
        """The songs of ``rows`` in order, one per title and artist (a song charted in two years is listed once)."""
        found: list[Song] = []
        keys: set[tuple[str, str]] = set()
        for i in rows:
            song = self.songs[int(i)]
            key = (song.title.casefold(), song.artist.casefold())
            if key not in keys:
                keys.add(key)
                found.append(song)
                if len(found) == limit:
                    break
        return found


class _Keys:
    """A catalog's titles and artists in plain form, and the orders a lookup reads instead of every song."""

    def __init__(self, table: SongTable) -> None:
        size = len(table)
        self.titles = table.derived(_plain_title)
        self.full_titles = table.derived(plain)
        self.artist_names = [plain(name) for name in table.artist_names()]
        self.artist_codes = table.artist_codes
        # Most popular first: the tie-break between equally good matches, and the list for empty input.
        popularity = np.nan_to_num(table.features[:, FEATURE_FIELDS.index("popularity")], nan=0.0)
        self.by_popularity = np.argsort(-popularity, kind="stable")
        self.rank = np.empty(size, dtype=np.int64)
        self.rank[self.by_popularity] = np.arange(size)
        # Distinct titles: song i has title key title_codes[i]; the plain full titles sorted, for prefixes.
        self.distinct_titles, self.title_codes = _codes(self.titles)
        self._by_title = _Runs(self.title_codes, len(self.distinct_titles))
        self._by_artist = _Runs(self.artist_codes, len(self.artist_names))
        self._full_sorted, self._full_order = _sorted(self.full_titles)
        self._artist_sorted, self._artist_order = _sorted(self.artist_names)
        full_codes = _codes(self.full_titles)
        self._full_code = dict(zip(full_codes[0], range(len(full_codes[0])), strict=True))
        self._title_code = dict(zip(self.distinct_titles, range(len(self.distinct_titles)), strict=True))
        self._by_full = _Runs(full_codes[1], len(full_codes[0]))
        # Every word of a full title or artist name, sorted, with the titles or artists it is in (a typed
        # word is a prefix: one run of the sorted words).
        self._title_words = _WordIndex(full_codes[0])
        self._artist_words = _WordIndex(self.artist_names)

    def label(self, i: int) -> str:
        return f"{self.full_titles[i]} {self.artist_names[self.artist_codes[i]]}"

    def popular_first(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` once each, most popular first (catalog order among equals)."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        ordered: np.ndarray = rows[np.argsort(self.rank[rows], kind="stable")]
        return ordered

    def title_songs(self, position: int) -> np.ndarray:
        return self._by_title.rows(np.array([position]))

    def artist_songs(self, position: int) -> np.ndarray:
        return self._by_artist.rows(np.array([position]))

    def exact(self, query: str) -> np.ndarray:
        """Songs whose plain title, with or without its "(feat. …)" tail, is ``query``."""
        return np.concatenate([self._full_songs(query), self._title_songs(query)])

    def named(self, query: str) -> np.ndarray:
        """Songs ``query`` names exactly: their title (either form), or title then artist."""
        found = [self.exact(query)]
        words = query.split()
        for cut in range(1, len(words)):
            title, artist = " ".join(words[:cut]), " ".join(words[cut:])
            for rows in (self._full_songs(title), self._title_songs(title)):
                found.append(rows[[self.artist_names[code] == artist for code in self.artist_codes[rows].tolist()]])
        return np.concatenate(found)

    def title_prefix(self, query: str) -> np.ndarray:
        return _prefixed(self._full_sorted, self._full_order, query)

    def artist_prefix(self, query: str) -> np.ndarray:
        artists = _prefixed(self._artist_sorted, self._artist_order, query)
        return self._by_artist.rows(artists)

    def every_word(self, words: list[str]) -> np.ndarray:
        """Songs whose title or artist words begin with each of ``words``."""
        found: np.ndarray | None = None
        for word in words:
            rows = np.union1d(
                self._by_full.rows(self._title_words.holding_prefix(word)),
                self._by_artist.rows(self._artist_words.holding_prefix(word)),
            )
            found = rows if found is None else np.intersect1d(found, rows, assume_unique=True)
            if not len(found):
                break
        return found if found is not None else np.zeros(0, dtype=np.int64)

    def label_candidates(self, query: str, matched: dict[int, float]) -> np.ndarray:
        """The songs whose label is scored against ``query``: every one in a small catalog; in a large one,
        those already matched by title or artist and the most popular with one of its words in their title or artist."""
        if len(self.titles) <= LABEL_SCAN_LIMIT:
            return np.arange(len(self.titles))
        words = [
            np.union1d(
                self._by_full.rows(self._title_words.holding(word)),
                self._by_artist.rows(self._artist_words.holding(word)),
            )
            for word in set(query.split())
        ]
        shared = self.popular_first(np.concatenate([np.zeros(0, dtype=np.int64), *words]))[:LABEL_CANDIDATES]
        return np.union1d(shared, np.fromiter(matched, dtype=np.int64, count=len(matched)))

    def _full_songs(self, key: str) -> np.ndarray:
        code = self._full_code.get(key)
        return self._by_full.rows(np.array([code])) if code is not None else np.zeros(0, dtype=np.int64)

    def _title_songs(self, key: str) -> np.ndarray:
        code = self._title_code.get(key)
        return self._by_title.rows(np.array([code])) if code is not None else np.zeros(0, dtype=np.int64)


class _Runs:
    """Each code's songs as one run of the songs sorted by code, so many codes' songs are one gather."""

    def __init__(self, codes: np.ndarray, count: int) -> None:
        codes = np.asarray(codes, dtype=np.int64)
        self.order = np.argsort(codes, kind="stable")
        self.starts = np.searchsorted(codes[self.order], np.arange(count + 1))

    def rows(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.int64)
        first, counts = self.starts[codes], self.starts[codes + 1] - self.starts[codes]
        runs = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        found: np.ndarray = self.order[runs]
        return found


class _WordIndex:
    """The words of some names, sorted, each with the names holding it: a typed word's prefix is one run."""

    def __init__(self, names: Sequence[str]) -> None:
        pairs = sorted({(word, number) for number, name in enumerate(names) for word in name.split()})
        self.words = [word for word, _ in pairs]
        self.names = np.array([number for _, number in pairs], dtype=np.int64)

    def holding_prefix(self, prefix: str) -> np.ndarray:
        return np.unique(_prefixed(self.words, self.names, prefix))

    def holding(self, word: str) -> np.ndarray:
        return self.names[bisect.bisect_left(self.words, word) : bisect.bisect_right(self.words, word)]


def _codes(keys: list[str]) -> tuple[list[str], np.ndarray]:
    """(the distinct keys in first-seen order, each key's position among them)."""
    positions: dict[str, int] = {}
    codes = np.fromiter((positions.setdefault(key, len(positions)) for key in keys), dtype=np.int64, count=len(keys))
    return list(positions), codes


def _sorted(keys: list[str]) -> tuple[list[str], np.ndarray]:
    """(``keys`` sorted, the position each came from)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], np.array(order, dtype=np.int64)


def _prefixed(ordered: list[str], positions: np.ndarray, prefix: str) -> np.ndarray:
    """``positions`` of the sorted keys that begin with ``prefix``: one run, found by two binary searches."""
    low = bisect.bisect_left(ordered, prefix)
    high = bisect.bisect_left(ordered, prefix + "\U0010ffff", lo=low)
    found: np.ndarray = positions[low:high]
    return found


def _plain_title(title: str) -> str:
    return plain(_without_extras(title))


def _without_extras(title: str) -> str:
    """The title people say: without "(feat. …)", "- Remastered" or "[… Song]" tails."""
    return re.split(r"\s[(\[]|\s-\s", title, maxsplit=1)[0] or title
