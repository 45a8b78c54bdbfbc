"""Where a request's filters are built: masks over the catalog for artists, years, genres and numeric bounds.

Filters say which songs may answer; ``RELAX_ORDER`` says which give way first when they leave too
few. Exclusions ("not Bieber", "anything but pop") are masks too, and never give way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

import numpy as np

from .intent import Intent
from .songs import FEATURE_NAMES, Song

# Least important filter first: a numeric bound, then genre (widened to its family before it goes), then year;
# the artist named goes last.
RELAX_ORDER = ("bounds", "genre", "family", "year", "artist")


class Membership:
    """Which songs carry which labels (genres, chart years), kept sparse so a filter tests each label once.

    A request's filter then costs one pass over the catalog's distinct labels plus a few array
    operations, instead of a Python loop over every song.
    """

    def __init__(self, labels_per_song: Sequence[Sequence[Hashable]]) -> None:
        self.labels = list(dict.fromkeys(label for labels in labels_per_song for label in labels))
        position = {label: i for i, label in enumerate(self.labels)}
        self.starts = np.cumsum([0, *(len(labels) for labels in labels_per_song)])
        self.members = np.array([position[label] for labels in labels_per_song for label in labels], dtype=np.int64)

    def songs_with(self, wanted: Callable[[Hashable], bool]) -> np.ndarray:
        """A mask of the songs that carry at least one label ``wanted`` accepts."""
        matched = np.array([wanted(label) for label in self.labels], dtype=bool)
        hits = np.concatenate([[0], np.cumsum(matched[self.members])]) if len(self.members) else np.zeros(1, np.int64)
        carries: np.ndarray = hits[self.starts[1:]] > hits[self.starts[:-1]]
        return carries


class Filters:
    """A catalog's artists, genres, years and features as arrays, and the masks a request makes of them."""

    def __init__(self, songs: Sequence[Song], features: np.ndarray, known_features: frozenset[str]) -> None:
        self.size = len(songs)
        self.features = features
        self.known_features = known_features
        # NaN (not marked, or no such column) is never == 1: only songs the catalog marks explicit are ruled out.
        self.explicit = features[:, FEATURE_NAMES.index("explicit")] == 1
        credits, genres, years = [], [], []
        for song in songs:
            credits.append(song.artists)
            genres.append(tuple(g.lower() for g in song.genres))
            years.append(song.years)
        # Every credited artist, "feat." guests too: a request naming any of them finds the song.
        self.credits = Membership(credits)
        self.main_artists = Membership([(song.artist,) for song in songs])
        self.genres = Membership(genres)
        self.years = Membership(years)

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
                    ok &= (column >= wish.value) if wish.kind == "min" else (column <= wish.value)
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
        return ok

    def by_main_artist(self, names: set[str]) -> np.ndarray:
        """The songs whose main artist is one of ``names`` (not a guest on someone else's song)."""
        return self.main_artists.songs_with(names.__contains__)

    def _artists(self, names: set[str]) -> np.ndarray:
        return self.credits.songs_with(names.__contains__)

    def _genres(self, keys: tuple[str, ...]) -> np.ndarray:
        # Whole words only: "electro" is EDM, "electropop" is not.
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keys) + r")\b")
        return self.genres.songs_with(lambda genre: pattern.search(str(genre)) is not None)
