"""Where a request's filters are built: masks over the catalog for artists, years, genres and numeric bounds.

Filters say which songs may answer; ``RELAX_ORDER`` says which give way first when they leave too
few. Exclusions ("not Bieber", "anything but pop") are masks too, and never give way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np

from .intent import Intent
from .songs import FEATURE_NAMES, Song, as_table

# Least important filter first: the genre (widened to its family before it goes), then a numeric bound, then year;
# the artist named goes last. A number was typed on purpose, while a catalog's genre labels are coarse ("sad r&b
# under 100 bpm" in a catalog with one such r&b song: soul and other slow sad songs, not r&b at 180 BPM).
RELAX_ORDER = ("genre", "family", "bounds", "year", "artist")


class Membership:
    """Which songs carry which labels (genres, chart years, artists), kept sparse both ways: each song's labels
    and each label's songs.

    A filter on a few genres or years tests each distinct label once; one on named artists looks them up
    (a catalog may have hundreds of thousands); either way the mask is made from those labels' songs alone,
    never by a Python loop over every song.
    """

    def __init__(self, labels: Sequence[Hashable], members: np.ndarray, ends: np.ndarray) -> None:
        """Song i carries ``labels[members[ends[i-1]:ends[i]]]``: the song table's codes as they are."""
        self.labels = list(labels)
        self.size = len(ends)
        starts = np.concatenate([[0], ends]).astype(np.int64)
        members = np.asarray(members, dtype=np.int64)
        # Each label's last position, and the earlier ones of a label that repeats (rare: one pass over the labels
        # in C when none does, as with a catalog's 300,000 artist names).
        self.last = dict(zip(self.labels, range(len(self.labels)), strict=True))
        self.earlier: dict[Hashable, list[int]] = {}
        if len(self.last) < len(self.labels):
            for position, label in enumerate(self.labels):
                if self.last[label] != position:
                    self.earlier.setdefault(label, []).append(position)
        # Label j's songs are songs[label_starts[j]:label_starts[j + 1]] (in any order: a mask is made of them).
        order = np.argsort(members)
        self.songs = np.repeat(np.arange(self.size), np.diff(starts))[order]
        self.label_starts = np.searchsorted(members[order], np.arange(len(self.labels) + 1))

    def songs_with(self, wanted: Callable[[Hashable], bool]) -> np.ndarray:
        """A mask of the songs that carry at least one label ``wanted`` accepts."""
        return self._songs_of([i for i, label in enumerate(self.labels) if wanted(label)])

    def songs_with_any(self, labels: Iterable[Hashable]) -> np.ndarray:
        """A mask of the songs that carry at least one of ``labels``, each found by lookup."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows_with_any(labels)] = True
        return mask

    def rows_with_any(self, labels: Iterable[Hashable]) -> np.ndarray:
        """The positions of the songs that carry at least one of ``labels`` (a song may repeat): no mask over
        the catalog is made, so a few artists' songs cost their own number, not the catalog's."""
        return self._rows_of([i for label in labels for i in self._positions(label)])

    def _positions(self, label: Hashable) -> list[int]:
        last = self.last.get(label)
        return [] if last is None else [*self.earlier.get(label, ()), last]

    def _songs_of(self, positions: list[int]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[self._rows_of(positions)] = True
        return mask

    def _rows_of(self, positions: list[int]) -> np.ndarray:
        if not positions:
            return np.zeros(0, dtype=np.int64)
        chosen = np.asarray(positions, dtype=np.int64)
        first, counts = self.label_starts[chosen], np.diff(self.label_starts)[chosen]
        # The chosen labels' runs of songs, end to end, in one gather.
        runs = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        rows: np.ndarray = self.songs[runs]
        return rows


class Filters:
    """A catalog's artists, genres, years and features as arrays, and the masks a request makes of them."""

    def __init__(self, songs: Sequence[Song], features: np.ndarray, known_features: frozenset[str]) -> None:
        table = as_table(songs)
        self.size = len(table)
        self.features = features
        self.known_features = known_features
        # NaN (not marked, or no such column) is never == 1: only songs the catalog marks explicit are ruled out.
        self.explicit = features[:, FEATURE_NAMES.index("explicit")] == 1
        artists = table.artist_names()
        # Every credited artist, "feat." guests too: a request naming any of them finds the song.
        self.credits = Membership(artists, *table.credits())
        self.main_artists = Membership(artists, table.artist_codes, np.arange(1, self.size + 1))
        self.genres = Membership([g.lower() for g in table.genre_names()], *table.genres())
        years, year_ends = table.years()
        distinct, codes = np.unique(years, return_inverse=True)
        self.years = Membership(distinct.tolist(), codes, year_ends)

    def build(self, intent: Intent) -> dict[str, np.ndarray]:
        """The request's relaxable filters by name (see ``RELAX_ORDER``)."""
        filters: dict[str, np.ndarray] = {}
        if intent.artists:
            filters["artist"] = self._artists(intent.artists)
        if intent.years is not None:
            filters["year"] = self.years.songs_with(intent.years.__contains__)
        if intent.genre_keys:
            filters["genre"] = self._genres(intent.genre_keys)
        if intent.genre_family_keys:
            filters["family"] = self._genres(intent.genre_family_keys)
        if intent.bounds:
            ok = np.ones(self.size, dtype=bool)
            for wish in (w for w in intent.bounds if w.feature in self.known_features):
                column = self.features[:, FEATURE_NAMES.index(wish.feature)]
                with np.errstate(invalid="ignore"):
                    if wish.kind == "min":
                        ok &= (column > wish.value) if wish.strict else (column >= wish.value)
                    else:
                        ok &= (column < wish.value) if wish.strict else (column <= wish.value)
            filters["bounds"] = ok
        return filters

    def allowed(self, intent: Intent) -> np.ndarray:
        """The songs no exclusion rules out ("not Bieber", "no rap", "nothing from 2010", no explicit songs):
        these never give way."""
        ok = np.ones(self.size, dtype=bool)
        if intent.exclude_artists:
            ok &= ~self._artists(intent.exclude_artists)
        if intent.exclude_genre_keys:
            ok &= ~self._genres(intent.exclude_genre_keys)
        if intent.exclude_years:
            # A song charted in several years stays if one of them is not excluded.
            charted = self.years.songs_with(lambda _: True)
            ok &= ~charted | self.years.songs_with(lambda year: year not in intent.exclude_years)
        if intent.exclude_explicit:
            ok &= ~self.explicit
        if intent.exclude_songs:
            ok[list(intent.exclude_songs)] = False
        return ok

    def by_main_artist(self, names: set[str]) -> np.ndarray:
        """The songs whose main artist is one of ``names`` (not a guest on someone else's song)."""
        return self.main_artists.songs_with_any(names)

    def main_artist_rows(self, names: set[str]) -> np.ndarray:
        """The positions of ``by_main_artist``'s songs, ascending, each once."""
        return np.unique(self.main_artists.rows_with_any(names))

    def _artists(self, names: set[str]) -> np.ndarray:
        return self.credits.songs_with_any(names)

    def _genres(self, keys: tuple[str, ...]) -> np.ndarray:
        # Whole words only: "electro" is EDM, "electropop" is not.
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keys) + r")\b")
        return self.genres.songs_with(lambda genre: pattern.search(str(genre)) is not None)
