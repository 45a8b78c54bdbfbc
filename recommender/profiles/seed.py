"""The published system, reproduced exactly so it can be measured beside ours.

Its category bins, labels and sentence template (typos included), an ``IndexFlatL2`` over the
description vectors, and the plain nearest-neighbour search: the request's embedding alone, no
reading of the request, repeated rows of a song returned as they come.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np

from ..intent import Intent
from ..songs import Recommendation, Song, song_key

INF = math.inf
# (bins, labels) as the published notebook gave them to pandas.cut (right-inclusive).
SEED_BINS: dict[str, tuple[tuple[float, ...], tuple[str, ...]]] = {
    "bpm": ((-1, 70, 90, 120, 140, 180, INF), ("Very Slow", "Slow", "Moderate", "Upbeat", "Fast", "Very Fast")),
    "energy": ((-1, 30, 50, 70, 90, INF), ("Very Low", "Low", "Moderate", "High", "very High")),
    "danceability": ((-1, 30, 50, 70, 90, INF), ("Very Low", "Low", "Moderate", "High", "very High")),
    "loudness": ((-INF, -20, -12, -6, -3, INF), ("Very Quiet", "Quiet", "Moderate", "Loud", "Very Loud")),
    "liveness": ((-1, 30, 60, INF), ("Studio like", "Slight Audience", "Live Recording")),
    "valence": ((-1, 30, 60, INF), ("Sad/Dark", "Neutral", "Happy/Uplifting")),
    "length": ((-1, 120, 180, 240, 300, INF), ("Very Short", "Short", "Average", "Long", "Very Long")),
    "acousticness": ((-1, 30, 70, INF), ("Electronic/Produced", "Mixed", "Acoustic")),
    "speechiness": ((-1, 5, 20, 35, INF), ("Instrumental", "Music-Dominant", "Lyric-Focused", "Speech-Heavy:")),
    "popularity": ((-1, 30, 70, INF), ("Underground", "Moderately Popular", "Very Popular")),
}
SEED_TEMPLATE = (
    "a {popularity_cat} and {loudness_cat} {speechiness_cat} music titled: {title}, by : {artist} "
    "released in : {year}, {genre} Genre {tempo_cat} Tempo, {energy_cat} Energy and {dancability_cat} "
    "Dancability . it has {liveness_cat} Liveness and {valence_cat} Mood. {length_cat} Length and "
    "{acousticness_cat} acousticness"
)


def seed_category(feature: str, value: float) -> str:
    """The label pandas.cut gives ``value`` with the seed bins (right-inclusive intervals)."""
    bins, labels = SEED_BINS[feature]
    for upper, label in zip(bins[1:], labels, strict=False):
        if value <= upper:
            return label
    return labels[-1]


def seed_text(song: Song) -> str:
    """The published description of one catalog row."""
    features = song.features
    if features is None:
        raise ValueError("the seed profile reads raw catalogs, which keep a row of zeros as measured")
    cat = {name: seed_category(name, getattr(features, name)) for name in SEED_BINS}
    return SEED_TEMPLATE.format(
        popularity_cat=cat["popularity"],
        loudness_cat=cat["loudness"],
        speechiness_cat=cat["speechiness"],
        title=song.title,
        artist=song.artist,
        year=song.year if song.year is not None else "",
        genre=song.genre,
        tempo_cat=cat["bpm"],
        energy_cat=cat["energy"],
        dancability_cat=cat["danceability"],
        liveness_cat=cat["liveness"],
        valence_cat=cat["valence"],
        length_cat=cat["length"],
        acousticness_cat=cat["acousticness"],
    )


def similarity(distance: float) -> float:
    """Cosine similarity from the squared L2 distance of two unit vectors, so higher is better here too."""
    return 1.0 - distance / 2.0


def distance(score: float) -> float:
    """The published squared L2 distance behind a seed score."""
    return 2.0 * (1.0 - score)


@dataclass(frozen=True, slots=True)
class NearestSearch:
    """The published search: the nearest rows by squared L2, repeats and all, minus ``exclude``."""

    songs: Sequence[Song]
    vectors: np.ndarray
    index: faiss.Index

    def understand(self, parts: Sequence[str], vector: np.ndarray | None) -> Intent | None:
        return None

    def rank(
        self,
        intent: Intent | None,
        vector: np.ndarray,
        k: int,
        exclude: Collection[tuple[str, str]],
        liked: Sequence[int] = (),
    ) -> list[Recommendation]:
        # The published search reads no words; only a caller's "no explicit songs" narrows it.
        clean = intent is not None and intent.exclude_explicit
        fetch = min(len(self.songs), k + 8)
        while True:
            distances, ids = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), fetch)
            found = [
                (float(d), self.songs[i])
                for d, i in zip(distances[0], ids[0], strict=True)
                if i >= 0 and song_key(self.songs[i]) not in exclude and not (clean and self.songs[i].is_explicit)
            ]
            if len(found) >= k or fetch >= len(self.songs):
                return [
                    Recommendation(rank=r + 1, song=song, score=similarity(d)) for r, (d, song) in enumerate(found[:k])
                ]
            fetch = min(len(self.songs), fetch * 2)

    def similar(
        self, seed: Song, k: int, exclude: Collection[tuple[str, str]], intent: Intent | None
    ) -> list[Recommendation]:
        return self.rank(intent, np.asarray(self.vectors[seed.id]), k, exclude)


@dataclass(frozen=True, slots=True)
class SeedProfile:
    name: Literal["seed"] = "seed"
    template_version: int = 1
    raw_catalog: bool = True
    # The published result is reproduced with the exact fp32 model, never a faster approximation.
    exact_encoder: bool = True

    def describe(self, song: Song) -> str:
        return seed_text(song)

    def build_index(self, vectors: np.ndarray) -> faiss.Index:
        index = faiss.IndexFlatL2(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return index

    def searcher(
        self,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: faiss.Index | None,
        encode: object,
        words: frozenset[str] = frozenset(),
    ) -> NearestSearch:
        if index is None:
            raise ValueError("the seed profile searches its IndexFlatL2")
        return NearestSearch(songs, vectors, index)


SEED = SeedProfile()
